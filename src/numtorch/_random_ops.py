"""Random tensor constructors and in-place random fills.

Every draw goes through a ``Generator`` primitive (``numtorch/random.py``), so
matching torch's streams bit for bit is a matter of those primitives and of
calling them the way torch's kernels do.
"""
import numpy as np

from . import _dtype
from ._tensor import Tensor, _wrap
from ._creation import _finish, _size_arg, _np_dtype, _num
from .random import _gen

def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    dt = _np_dtype(dtype)
    if np.dtype(dt).kind not in "fc":
        raise RuntimeError(f'"check_uniform_bounds" not implemented for '
                           f"'{_dtype._FROM_NP[np.dtype(dt)].name}'")
    return _finish(_gen(generator)._uniform(_size_arg(size), dt), requires_grad, device)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    dt = _np_dtype(dtype)
    if np.dtype(dt).kind not in "fc":
        raise RuntimeError(f'"normal_kernel_cpu" not implemented for '
                           f"'{_dtype._FROM_NP[np.dtype(dt)].name}'")
    return _finish(_gen(generator)._normal(_size_arg(size), dt), requires_grad, device)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None, generator=None):
    return rand(input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad,
                generator=generator)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None, generator=None):
    return randn(input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad,
                 generator=generator)


def randint(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False, pin_memory=False):
    """randint(high, size) or randint(low, high, size)."""
    args = list(args)
    if size is None:
        size = args.pop()
    if len(args) == 1:
        low, high = 0, args[0]
    elif len(args) == 2:
        low, high = args
    else:
        raise TypeError("randint() received an invalid combination of arguments")
    low, high = int(_num(low)), int(_num(high))
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    dt = _np_dtype(dtype, _dtype.int64)
    size = _size_arg((size,) if isinstance(size, int) else tuple(size))
    return _finish(_gen(generator)._randint(low, high, size, dt), requires_grad, device)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None, generator=None):
    if high is None:
        low, high = 0, low
    return randint(low, high, input._data.shape, dtype=dtype or input.dtype,
                   generator=generator)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    dt = _np_dtype(dtype, _dtype.int64)
    return _finish(_gen(generator)._randperm(int(n)).astype(dt), requires_grad, device)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False, pin_memory=False):
    g = _gen(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        if isinstance(std, Tensor) and np.any(s < 0):
            raise RuntimeError("normal expects all elements of std >= 0.0")
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        dt = (mean if isinstance(mean, Tensor) else std)._data.dtype
        z = g._normal(shape, dt)
        return _wrap((z * s + m).astype(dt))
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    if size is None:
        raise TypeError("normal() missing required argument 'size'")
    size = _size_arg((size,) if isinstance(size, int) else tuple(size))
    return _finish(g._normal(size, _np_dtype(dtype), mean, std), requires_grad, device)


def bernoulli(input, p=None, *, generator=None, out=None):
    probs = input._data if p is None else np.full(input._data.shape, p)
    if np.any((probs < 0) | (probs > 1)):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    return _wrap(_gen(generator)._bernoulli(probs, input._data.dtype))


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    p = input._data
    if p.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if p.dtype.kind != "f":
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{_dtype._FROM_NP[p.dtype].name}")
    if np.any(p < 0) or not np.all(np.isfinite(p)):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if np.any(p.sum(-1) == 0):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and num_samples > p.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    return _wrap(_gen(generator)._multinomial(p, num_samples, replacement))


def poisson(input, generator=None):
    return _wrap(np.random.default_rng(_gen(generator)._randint(0, 2 ** 31, ())).poisson(
        input._data).astype(input._data.dtype))


# ---- in-place random fills (Tensor methods) -------------------------------------------
def _fill(t, arr):
    np.copyto(t._data, arr, casting="unsafe")
    t._version[0] += 1
    return t


def uniform_(t, a=0.0, b=1.0, *, generator=None):
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a} "
                           f"> to={b}")
    return _fill(t, _gen(generator)._uniform(t._data.shape, t._data.dtype, a, b))


def normal_(t, mean=0.0, std=1.0, *, generator=None):
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return _fill(t, _gen(generator)._normal(t._data.shape, t._data.dtype, mean, std))


def random_(t, from_=None, to=None, *, generator=None):
    g = _gen(generator)
    if from_ is None and to is None:
        return _fill(t, g._random_full(t._data.shape, t._data.dtype))
    if to is None:
        from_, to = 0, from_
    return _fill(t, g._randint(int(from_), int(to), t._data.shape, t._data.dtype))


def bernoulli_(t, p=0.5, *, generator=None):
    probs = p._data if isinstance(p, Tensor) else np.full(t._data.shape, p)
    return _fill(t, _gen(generator)._bernoulli(np.broadcast_to(probs, t._data.shape),
                                               t._data.dtype))


def exponential_(t, lambd=1.0, *, generator=None):
    return _fill(t, _gen(generator)._exponential(t._data.shape, t._data.dtype, lambd))


def geometric_(t, p, *, generator=None):
    return _fill(t, _gen(generator)._geometric(t._data.shape, t._data.dtype, p))


def cauchy_(t, median=0.0, sigma=1.0, *, generator=None):
    return _fill(t, _gen(generator)._cauchy(t._data.shape, t._data.dtype, median, sigma))


def log_normal_(t, mean=1.0, std=2.0, *, generator=None):
    return _fill(t, _gen(generator)._log_normal(t._data.shape, t._data.dtype, mean, std))


