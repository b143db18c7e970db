"""torch.linalg on NumPy's LAPACK: decompositions and solvers with autograd.

Differentiable primitives (forward and backward side by side): inv, det, solve, cholesky, eigh.
Norms, slogdet, pinv, lstsq, matrix_power, multi_dot, vecdot ... are composites.  svd, qr,
eigvalsh-only paths through svd, matrix_rank and matrix_exp have no backward yet (their nodes
raise NotImplementedError when differentiated).
"""
import math

from ._tensor import _wrap
from .autograd.graph import Node, apply
from .backends import xp
from .ops import elementwise as E
from .ops import reduction as R
from .ops import linalg as L
from .ops import shape as S
from .ops import indexing as I
from .ops.reduction import _return_type

__all__ = ["norm", "vector_norm", "matrix_norm", "inv", "solve", "det", "slogdet", "svd",
           "svdvals", "qr", "eigh", "eigvalsh", "cholesky", "matrix_rank", "pinv", "lstsq",
           "matrix_power", "multi_dot", "cross", "vecdot", "diagonal", "matmul", "matrix_exp",
           "inv_ex", "cholesky_ex", "solve_ex"]


def _mT(a):
    return xp.swapaxes(a, -1, -2)


def _square_check(a, fn):
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.{fn}: A must be batches of square matrices, but they are "
                           f"{a.shape[-2] if a.ndim >= 2 else a.shape} by "
                           f"{a.shape[-1] if a.ndim else ''} matrices")
    if a.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.{fn}: Expected a floating point or complex tensor as input. "
                           f"Got {_type_name(a.dtype)}")


def _type_name(d):
    from ._dtype import from_numpy_dtype
    return str(from_numpy_dtype(d)).replace("torch.", "").capitalize()


def _lapack(fn, *args):
    try:
        return fn(*args)
    except xp.linalg.LinAlgError as e:
        raise RuntimeError(f"linalg: {e}") from None


class Inv(Node):
    _name = "LinalgInvExBackward0"

    def forward(self, a):
        _square_check(a, "inv")
        out = _lapack(xp.linalg.inv, a)
        self._saved = (out,)
        return out

    def backward(self, g):
        inv_, = self.saved_tensors
        inv_t = _mT(inv_)
        return -(inv_t @ g @ inv_t)


class Det(Node):
    _name = "LinalgDetBackward0"

    def forward(self, a):
        _square_check(a, "det")
        out = xp.linalg.det(a).astype(a.dtype, copy=False)
        self._saved = (a, out)
        return out

    def backward(self, g):
        a, d = self.saved_tensors
        # d det / dA = det * A^{-T}; solve instead of inverting
        eye = xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape)
        inv_t = _mT(_lapack(xp.linalg.solve, a, eye))
        return (g * d)[..., None, None] * inv_t


class Solve(Node):
    _name = "LinalgSolveExBackward0"

    def forward(self, a, b, vector):
        _square_check(a, "solve")
        bb = b[..., None] if vector else b
        x = _lapack(xp.linalg.solve, a, bb)
        self._saved = (a, x)
        self.vector = vector
        return x[..., 0] if vector else x

    def backward(self, g):
        a, x = self.saved_tensors
        gg = g[..., None] if self.vector else g
        gb = _lapack(xp.linalg.solve, _mT(a), gg)
        ga = -(gb @ _mT(x)) if self.needs_input_grad[0] else None
        return ga, (gb[..., 0] if self.vector else gb), None


class Cholesky(Node):
    _name = "LinalgCholeskyExBackward0"

    def forward(self, a, upper):
        _square_check(a, "cholesky")
        try:
            low = xp.linalg.cholesky(a)
        except xp.linalg.LinAlgError:
            raise RuntimeError("linalg.cholesky: The factorization could not be completed "
                               "because the input is not positive-definite.") from None
        self.upper = upper
        self._saved = (low,)
        return _mT(low).copy() if upper else low

    def backward(self, g):
        low, = self.saved_tensors
        if self.upper:
            g = _mT(g)
        # A_bar = L^{-H} Phi(L^H L_bar) L^{-1}, Phi = lower triangle with halved diagonal
        phi = xp.tril(_mT(low) @ g)
        n = low.shape[-1]
        phi[..., range(n), range(n)] *= 0.5
        eye = xp.broadcast_to(xp.eye(n, dtype=low.dtype), low.shape)
        linv = _lapack(xp.linalg.solve, low, eye)
        ga = _mT(linv) @ phi @ linv
        return 0.5 * (ga + _mT(ga)), None


class Eigh(Node):
    _name = "LinalgEighBackward0"
    n_outputs = 2

    def forward(self, a, uplo):
        _square_check(a, "eigh")
        w, v = _lapack(xp.linalg.eigh, a, uplo)
        self._saved = (w, v)
        return w, v

    def backward(self, gw, gv):
        w, v = self.saved_tensors
        inner = xp.zeros(v.shape, dtype=v.dtype)
        if gv is not None:
            diff = w[..., None, :] - w[..., :, None]
            n = w.shape[-1]
            diff[..., range(n), range(n)] = xp.inf
            inner = (_mT(v) @ gv) / diff
            inner = 0.5 * (inner + _mT(inner))
        if gw is not None:
            n = w.shape[-1]
            inner[..., range(n), range(n)] += gw
        return v @ inner @ _mT(v), None


class _NoGrad(Node):
    """Forward-only decomposition: differentiating through it is not implemented yet."""

    def backward(self, *grads):
        raise NotImplementedError(f"numtorch: the derivative of linalg.{self.fn} is not "
                                  "implemented yet")


class Svd(_NoGrad):
    _name = "LinalgSvdBackward0"
    n_outputs = 3
    fn = "svd"

    def forward(self, a, full_matrices):
        u, s, vh = _lapack(xp.linalg.svd, a, full_matrices)
        return u, s.astype(a.dtype, copy=False), vh


class Svdvals(_NoGrad):
    _name = "LinalgSvdBackward0"
    fn = "svdvals"

    def forward(self, a):
        return _lapack(xp.linalg.svd, a, False, False).astype(a.dtype, copy=False)


class Qr(_NoGrad):
    _name = "LinalgQrBackward0"
    n_outputs = 2
    fn = "qr"

    def forward(self, a, mode):
        q, r = _lapack(xp.linalg.qr, a, mode)
        return q, r


class MatrixExp(_NoGrad):
    _name = "LinalgMatrixExpBackward0"
    fn = "matrix_exp"

    def forward(self, a):
        _square_check(a, "matrix_exp")
        norm = float(xp.abs(a).sum(-2).max()) if a.size else 0.0
        s = max(0, int(math.ceil(math.log2(norm))) + 1) if norm > 0.5 else 0
        x = a / (2.0 ** s)
        out = xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape).copy()
        term = out.copy()
        for k in range(1, 20):
            term = term @ x / k
            out = out + term
        for _ in range(s):
            out = out @ out
        return out


# ---- public functions ----------------------------------------------------------------
def inv(A, *, out=None):
    return apply(Inv, A)


def inv_ex(A, *, check_errors=False):
    from ._creation import zeros
    return inv(A), zeros(A.shape[:-2], dtype=__import__("numtorch").int32)


def det(A):
    return apply(Det, A)


def slogdet(A):
    d = det(A)
    res = _return_type("linalg_slogdet", ["sign", "logabsdet"])
    return res(E.sign(d).detach(), E.log(E.abs(d)))


def solve(A, B, *, left=True):
    if not left:
        return S.transpose(solve(S.transpose(A, -2, -1), S.transpose(B, -2, -1)), -2, -1)
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    return apply(Solve, A, B, vector)


def solve_ex(A, B, *, left=True, check_errors=False):
    from ._creation import zeros
    return solve(A, B, left=left), zeros(A.shape[:-2], dtype=__import__("numtorch").int32)


def cholesky(A, *, upper=False):
    return apply(Cholesky, A, upper)


def cholesky_ex(A, *, upper=False, check_errors=False):
    from ._creation import zeros
    return cholesky(A, upper=upper), zeros(A.shape[:-2], dtype=__import__("numtorch").int32)


def eigh(A, UPLO="L"):
    w, v = apply(Eigh, A, UPLO)
    return _return_type("linalg_eigh", ["eigenvalues", "eigenvectors"])(w, v)


def eigvalsh(A, UPLO="L"):
    return eigh(A, UPLO)[0]


def svd(A, full_matrices=True):
    u, s, vh = apply(Svd, A, full_matrices)
    return _return_type("linalg_svd", ["U", "S", "Vh"])(u, s, vh)


def svdvals(A):
    return apply(Svdvals, A)


def qr(A, mode="reduced"):
    q, r = apply(Qr, A, mode)
    return _return_type("linalg_qr", ["Q", "R"])(q, r)


def matrix_exp(A):
    return apply(MatrixExp, A)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        x = x.to(dtype)
    if x.dtype.is_floating_point is False and not x.dtype.is_complex:
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {str(x.dtype).replace('torch.', '').capitalize()}")
    if isinstance(dim, int):
        dim = (dim,)
    kw = {"dim": tuple(dim) if dim is not None else None, "keepdim": keepdim}
    if kw["dim"] is None:
        kw = {"keepdim": keepdim} if keepdim else {}
        if keepdim:
            kw["dim"] = tuple(range(x.ndim))
    ax = E.abs(x)
    if ord == math.inf:
        return R.amax(ax, **kw) if kw else R.amax(ax)
    if ord == -math.inf:
        return R.amin(ax, **kw) if kw else R.amin(ax)
    if ord == 0:
        return R.sum((x != 0).to(x.dtype), **kw)
    if ord == 2:
        return E.sqrt(R.sum(x * x, **kw))
    if ord == 1:
        return R.sum(ax, **kw)
    return E.pow(R.sum(E.pow(ax, ord), **kw), 1.0 / ord)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    if dtype is not None:
        A = A.to(dtype)
    d0, d1 = (d % A.ndim for d in dim)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        m = S.movedim(A, (d0, d1), (-2, -1))
        sv = svdvals(m)
        out = R.sum(sv, -1) if ord == "nuc" else (R.amax(sv, -1) if ord == 2 else R.amin(sv, -1))
        if keepdim:
            out = S.unsqueeze(S.unsqueeze(out, min(d0, d1)), max(d0, d1))
        return out
    if ord in (1, -1):
        red = R.sum(E.abs(A), d0, keepdim=True)
        out = R.amax(red, d1, keepdim=True) if ord == 1 else R.amin(red, d1, keepdim=True)
    elif ord in (math.inf, -math.inf):
        red = R.sum(E.abs(A), d1, keepdim=True)
        out = R.amax(red, d0, keepdim=True) if ord > 0 else R.amin(red, d0, keepdim=True)
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    return out if keepdim else S.squeeze(S.squeeze(out, max(d0, d1)), min(d0, d1))


def norm(A, ord=None, dim=None, keepdim=False, *, out=None, dtype=None):
    if isinstance(dim, int):
        dim = (dim,)
    if isinstance(ord, str) or (ord is not None and dim is None and A.ndim == 2) or \
            (dim is not None and len(dim) == 2):
        return matrix_norm(A, "fro" if ord is None else ord, dim if dim else (-2, -1), keepdim,
                           dtype=dtype)
    if ord is not None and dim is None and A.ndim != 1:
        raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must be "
                           f"1D or 2D. Got {A.ndim}D.")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, tol=None):
    sv = svdvals(A).detach()
    smax = R.amax(sv, -1, keepdim=True)
    if atol is None and rtol is None and tol is None:
        eps = float(xp.finfo(A._data.dtype).eps)
        thresh = smax * (eps * max(A.shape[-2:]))
    else:
        a = 0.0 if atol is None else atol
        if tol is not None:
            a = tol
        r = 0.0 if rtol is None else rtol
        thresh = E.maximum(smax * r, _wrap(xp.asarray(a, dtype=A._data.dtype)))
    return R.sum(sv > thresh, -1)


def pinv(A, *, atol=None, rtol=None, hermitian=False):
    u, s, vh = svd(A.detach(), full_matrices=False)
    eps = float(xp.finfo(A._data.dtype).eps)
    r = eps * max(A.shape[-2:]) if rtol is None else rtol
    cut = R.amax(s, -1, keepdim=True) * r
    sinv = E.where(s > cut, 1.0 / E.where(s > cut, s, E.abs(s) + 1), s * 0)
    return S.transpose(vh, -2, -1) @ (S.unsqueeze(sinv, -1) * S.transpose(u, -2, -1))


def lstsq(A, B, rcond=None, *, driver=None):
    sol = pinv(A) @ B if B.ndim == A.ndim else pinv(A) @ S.unsqueeze(B, -1)
    empty = _wrap(xp.zeros(0, dtype=A._data.dtype))
    rank = _wrap(xp.zeros(0, dtype=xp.int64))
    return _return_type("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])(
        sol, empty, rank, empty)


def matrix_power(A, n):
    if n == 0:
        eye = xp.broadcast_to(xp.eye(A.shape[-1], dtype=A._data.dtype), A.shape).copy()
        return _wrap(eye)
    if n < 0:
        A, n = inv(A), -n
    out = A
    for _ in range(n - 1):
        out = L.matmul(out, A)
    return out


def multi_dot(tensors):
    out = tensors[0]
    for t in tensors[1:]:
        out = L.matmul(out, t)
    return out


def cross(input, other, *, dim=-1):
    d = dim % max(input.ndim, other.ndim)

    def part(t, i):
        return S.select(t, d, i)
    a0, a1, a2 = (part(input, i) for i in range(3))
    b0, b1, b2 = (part(other, i) for i in range(3))
    return S.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], d)


def vecdot(x, y, *, dim=-1):
    return R.sum(x * y, dim)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return I.diagonal(A, offset, dim1, dim2)


def matmul(input, other):
    return L.matmul(input, other)
