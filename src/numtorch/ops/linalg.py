"""Linear algebra: matmul (all of torch's rank cases), mm, bmm, mv, dot, outer, addmm,
baddbmm, einsum, tensordot. BLAS does the work through NumPy's matmul."""
from ..backends import xp

from ..autograd.graph import Node, apply
from .. import _dtype
from ._utils import promote

_ndarray = xp.ndarray


def _dtype_check(a, b, what="m1 and m2"):
    if a.dtype != b.dtype:
        da = _dtype._FROM_NP[a.dtype]
        db = _dtype._FROM_NP[b.dtype]
        raise RuntimeError(
            f"expected {what} to have the same dtype, but got: {_cname(da)} != {_cname(db)}")


def _cname(d):
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
            "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "bool": "bool"}.get(d.name, d.name)


def _mm_shape_error(a, b):
    raise RuntimeError(
        f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
        f"{b.shape[0]}x{b.shape[1]})")


class MatMul(Node):
    """torch.matmul for every rank combination (1-D vectors are promoted and squeezed)."""

    def forward(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise RuntimeError(
                f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and "
                f"{b.ndim}D")
        _dtype_check(a, b)
        self.save_for_backward(a, b)
        na, nb = a.ndim, b.ndim
        if na == 1 and nb == 1:
            self._name = "DotBackward0"
            if a.shape[0] != b.shape[0]:
                raise RuntimeError(
                    f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                    f"[{b.shape[0]}] to have the same number of elements, but got {a.shape[0]} "
                    f"and {b.shape[0]} elements respectively")
        elif na == 2 and nb == 2:
            self._name = "MmBackward0"
            if a.shape[1] != b.shape[0]:
                _mm_shape_error(a, b)
            return _mm(a, b)
        elif na == 2 and nb == 1:
            self._name = "MvBackward0"
            if a.shape[1] != b.shape[0]:
                raise RuntimeError(
                    f"size mismatch, got input ({a.shape[0]}), mat ({a.shape[0]}x{a.shape[1]}), "
                    f"vec ({b.shape[0]})")
        elif na == 1 and nb == 2:
            self._name = "SqueezeBackward4"
            if a.shape[0] != b.shape[0]:
                _mm_shape_error(a.reshape(1, -1), b)
        else:
            self._name = "CloneBackward0" if na == 2 else "UnsafeViewBackward0"
            ka = a.shape[-1]
            kb = b.shape[-2] if nb > 1 else b.shape[0]
            if ka != kb:
                if nb == 1 or na == 1:
                    a2 = a.reshape(-1, ka) if na > 1 else a.reshape(1, -1)
                    _mm_shape_error(a2, b.reshape(kb, -1) if nb > 1 else b.reshape(-1, 1))
                raise RuntimeError(
                    f"Expected size for first two dimensions of batch2 tensor to be: "
                    f"[{int(xp.prod(a.shape[:-2]))}, {ka}] but got: "
                    f"[{int(xp.prod(b.shape[:-2]))}, {kb}].")
            try:
                return xp.matmul(a, b)
            except ValueError:
                raise RuntimeError(
                    f"The size of tensor a ({a.shape[-3] if na > 2 else 1}) must match the size "
                    f"of tensor b ({b.shape[-3] if nb > 2 else 1}) at non-singleton dimension "
                    "0") from None
        return xp.matmul(a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        n = self.needs_input_grad
        ga = gb = None
        na, nb = a.ndim, b.ndim
        if na == 1 and nb == 1:
            return (g * b if n[0] else None), (g * a if n[1] else None)
        a2 = a[None, :] if na == 1 else a
        b2 = b[:, None] if nb == 1 else b
        g2 = g
        if na == 1:
            g2 = xp.expand_dims(g2, -2)
        if nb == 1:
            g2 = xp.expand_dims(g2, -1)
        if n[0]:
            ga = xp.matmul(g2, xp.swapaxes(b2, -1, -2))
            if na == 1:
                ga = ga.reshape(-1, a.shape[0]).sum(0) if ga.ndim > 2 else ga[0]
        if n[1]:
            if na > 2 and nb == 2:
                # fold the batch into the rows: one GEMM instead of a batch of them
                k = a2.shape[-1]
                gb = a2.reshape(-1, k).T @ g2.reshape(-1, g2.shape[-1])
            elif na == 2 and nb == 2:
                gb = _mat2_grad(a2, g2, b2)
            else:
                gb = xp.matmul(xp.swapaxes(a2, -1, -2), g2)
            if nb == 1:
                gb = gb[..., 0]
        return ga, gb


class Addmm(Node):
    """beta * input + alpha * (mat1 @ mat2); the op behind nn.Linear on 2-D inputs."""

    def forward(self, c, a, b, beta=1, alpha=1):
        if a.ndim != 2:
            raise RuntimeError(f"mat1 must be a matrix, got {a.ndim}-D tensor")
        if b.ndim != 2:
            raise RuntimeError(f"mat2 must be a matrix, got {b.ndim}-D tensor")
        if a.shape[1] != b.shape[0]:
            _mm_shape_error(a, b)
        _dtype_check(a, b, "mat1 and mat2")
        self.save_for_backward(a, b)
        self.beta, self.alpha = beta, alpha
        out = _mm(a, b)
        if alpha != 1:
            out *= alpha
        if beta == 0:
            return out
        out += c if beta == 1 else beta * c
        return out

    def backward(self, g):
        a, b = self.saved_tensors
        n = self.needs_input_grad
        gc = (g if self.beta == 1 else g * self.beta) if n[0] else None
        if self.alpha != 1:
            g = g * self.alpha
        ga = g @ b.T if n[1] else None
        gb = _mat2_grad(a, g, b) if n[2] else None
        return gc, ga, gb


def _mm(a, b):
    """``a @ b`` as a new C-contiguous matrix. For a transposed weight (``b`` F-ordered, as
    ``weight.t()`` in nn.Linear) with fewer rows than columns, OpenBLAS computes
    (b^T a^T)^T markedly faster than a @ b, even with the transposing copy (measured, one
    thread: 64x784 @ 784x256 424 -> 351 us, 16 rows 238 -> 127 us; equal at 256 rows)."""
    if a.shape[0] < b.shape[1] and b.flags.f_contiguous and not b.flags.c_contiguous:
        return (b.T @ a.T).T.copy()
    return a @ b


def _mat2_grad(a, g, b):
    """a^T g laid out like ``b``: for a transposed weight (``weight.t()``, F-ordered) it is
    computed as (g^T a)^T, so the weight's own gradient comes out C-contiguous (torch's
    gradient layout contract) and owned by one array (no copy when it is accumulated)."""
    if b.flags.f_contiguous and not b.flags.c_contiguous:
        return (g.T @ a).T
    return a.T @ g


class Baddbmm(Node):
    def forward(self, c, a, b, beta=1, alpha=1):
        if a.ndim != 3 or b.ndim != 3:
            raise RuntimeError("batch1 and batch2 must be 3D tensors")
        self.save_for_backward(a, b)
        self.beta, self.alpha = beta, alpha
        out = xp.matmul(a, b)
        if alpha != 1:
            out = out * alpha
        return out if beta == 0 else out + beta * c

    def backward(self, g):
        a, b = self.saved_tensors
        n = self.needs_input_grad
        gc = g * self.beta if n[0] else None
        g = g * self.alpha if self.alpha != 1 else g
        ga = xp.matmul(g, xp.swapaxes(b, 1, 2)) if n[1] else None
        gb = xp.matmul(xp.swapaxes(a, 1, 2), g) if n[2] else None
        return gc, ga, gb


class Outer(Node):
    _name = "MulBackward0"   # torch computes outer as a broadcast multiply

    def forward(self, a, b):
        if a.ndim != 1 or b.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument self, but got {a.ndim}-D")
        a, b = promote(a, b)
        self.save_for_backward(a, b)
        return xp.multiply.outer(a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        n = self.needs_input_grad
        return (g @ b if n[0] else None), (a @ g if n[1] else None)


def _expand_ellipsis(eq, arrays):
    """Rewrite an einsum equation without '...': each operand's ellipsis dims get letters,
    right-aligned across operands (as broadcasting aligns them); implicit output filled in."""
    ins, arrow, out = eq.partition("->")
    specs = ins.split(",")
    if len(specs) != len(arrays):
        raise RuntimeError(f"einsum(): {len(specs)} subscripts in the equation but "
                           f"{len(arrays)} operands were given")
    used = set(c for c in eq if c.isalpha())
    free = [c for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in used]
    n_ell = 0
    for spec, a in zip(specs, arrays):
        if "..." in spec:
            n_ell = max(n_ell, a.ndim - (len(spec) - 3))
    ell = "".join(free[:n_ell])
    new_specs = []
    for spec, a in zip(specs, arrays):
        if "..." in spec:
            k = a.ndim - (len(spec) - 3)
            spec = spec.replace("...", ell[n_ell - k:] if k else "")
        new_specs.append(spec)
    if arrow:
        out = out.replace("...", ell)
    else:
        joined = "".join(new_specs)
        out = ell + "".join(sorted(c for c in set(joined) if joined.count(c) == 1
                                   and c not in ell))
    return ",".join(new_specs) + "->" + out


class Einsum(Node):
    def forward(self, *arrays, equation):
        eq = _expand_ellipsis(equation.replace(" ", ""), arrays)
        self.eq = eq
        self.save_for_backward(*arrays)
        return xp.einsum(eq, *arrays, optimize=len(arrays) > 2)

    def backward(self, g):
        arrays = self.saved_tensors
        ins, out = self.eq.split("->")
        specs = ins.split(",")
        grads = []
        for i, (spec, need) in enumerate(zip(specs, self.needs_input_grad)):
            if not need:
                grads.append(None)
                continue
            others = [s for j, s in enumerate(specs) if j != i]
            ops = [a for j, a in enumerate(arrays) if j != i]
            # letters of spec missing elsewhere are broadcast: handle via ones
            avail = set(out) | set("".join(others))
            missing = [c for c in spec if c not in avail]
            expr = ",".join([out] + others + ([("".join(missing))] if missing else [])) + "->" + \
                _dedup(spec)
            extra = [xp.ones([arrays[i].shape[spec.index(c)] for c in missing], g.dtype)] \
                if missing else []
            gi = xp.einsum(expr, g, *ops, *extra)
            if _dedup(spec) != spec:  # repeated index (diagonal): scatter back
                full = xp.zeros(arrays[i].shape, g.dtype)
                xp.einsum(spec + "->" + _dedup(spec), full)[...] += gi
                gi = full
            grads.append(gi)
        return tuple(grads)


def _dedup(spec):
    seen = []
    for c in spec:
        if c not in seen:
            seen.append(c)
    return "".join(seen)


# ---- public functions ---------------------------------------------------------
def matmul(input, other):
    return apply(MatMul, input, other)


def mm(input, mat2):
    if input.ndim != 2:
        raise RuntimeError(f"self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix")
    return apply(MatMul, input, mat2)


def bmm(input, mat2):
    if input.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor")
    if mat2.ndim != 3:
        raise RuntimeError(f"batch2 must be a 3D tensor")
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{input.shape[0]}, {input.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}].")
    r = apply(MatMul, input, mat2)
    if r.grad_fn is not None:
        r.grad_fn._name = "BmmBackward0"
    return r


def mv(input, vec):
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got {1}, {input.ndim}, {vec.ndim}")
    return apply(MatMul, input, vec)


def dot(input, other):
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    if input._data.dtype != other._data.dtype:
        from ._inplace import _type_name
        raise RuntimeError(
            f"dot : expected both vectors to have same dtype, but found "
            f"{_type_name(input.dtype)} and {_type_name(other.dtype)}")
    return apply(MatMul, input, other)


inner = dot
vdot = dot


def outer(input, vec2):
    return apply(Outer, input, vec2)


ger = outer


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    return apply(Addmm, input, mat1, mat2, beta=beta, alpha=alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    return apply(Baddbmm, input, batch1, batch2, beta=beta, alpha=alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    from .reduction import sum as _sum
    return input * beta + alpha * _sum(bmm(batch1, batch2), 0)


def einsum(equation, *operands):
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    return apply(Einsum, *operands, equation=equation)


def tensordot(a, b, dims=2):
    """Contract ``dims`` of ``a`` with ``dims`` of ``b`` as one matrix product (as torch)."""
    from .shape import permute, reshape
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da = list(range(a.ndim - dims, a.ndim))
        db = list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    da = [d % a.ndim for d in da]
    db = [d % b.ndim for d in db]
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[x]} in dim {x} and second has size {b.shape[y]} in dim "
                               f"{y}")
    free_a = [i for i in range(a.ndim) if i not in da]
    free_b = [i for i in range(b.ndim) if i not in db]
    k = 1
    for x in da:
        k *= a.shape[x]
    ma = reshape(permute(a, *(free_a + da)), (-1, k))
    mb = reshape(permute(b, *(db + free_b)), (k, -1))
    out_shape = tuple(a.shape[i] for i in free_a) + tuple(b.shape[i] for i in free_b)
    return reshape(mm(ma, mb), out_shape)
