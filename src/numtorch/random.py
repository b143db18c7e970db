"""Random number generation: ``Generator``, the default generator and seeding.

Every random function in numtorch draws through a ``Generator``'s primitive
methods (``_uniform``, ``_normal``, ``_randint``, ``_randperm``, ...), so the
algorithm lives in one place. (Bit-identical parity with torch's streams is
implemented in this file by the RNG-parity work.)
"""
import time

import numpy as np

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "fork_rng"]


class Generator:
    """A pseudo-random stream (MT19937), seeded with ``manual_seed``."""

    def __init__(self, device="cpu"):
        self.device = device
        self._initial_seed = 67280421310721
        self._reseed(self._initial_seed)

    def _reseed(self, s):
        self._bitgen = np.random.MT19937(s & 0xFFFFFFFF)
        self._rng = np.random.Generator(self._bitgen)

    def manual_seed(self, seed):
        seed = int(seed)
        if not -0x8000_0000_0000_0000 <= seed <= 0xFFFF_FFFF_FFFF_FFFF:
            raise RuntimeError("Overflow when unpacking long")
        if seed < 0:
            seed += 1 << 64
        self._initial_seed = seed
        self._reseed(seed)
        return self

    def seed(self):
        s = int(time.time_ns()) & 0xFFFF_FFFF_FFFF_FFFF
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._initial_seed

    def get_state(self):
        from ._tensor import _wrap
        st = self._bitgen.state["state"]
        raw = np.concatenate([st["key"].astype(np.uint32).view(np.uint8),
                              np.array([st["pos"]], dtype=np.int64).view(np.uint8)])
        return _wrap(raw.copy())

    def set_state(self, new_state):
        raw = new_state._data if hasattr(new_state, "_data") else np.asarray(new_state)
        if raw.dtype != np.uint8:
            raise TypeError("expected a numtorch.ByteTensor")
        key = raw[:624 * 4].view(np.uint32).copy()
        pos = int(raw[624 * 4:624 * 4 + 8].view(np.int64)[0])
        self._bitgen.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
        return self

    # ---- primitives used by every random function ------------------------------
    def _uniform(self, shape, np_dtype, low=0.0, high=1.0):
        u = self._rng.random(shape, dtype=np.float64 if np_dtype != np.float32 else np.float32)
        out = u * (high - low) + low
        return out.astype(np_dtype, copy=False)

    def _normal(self, shape, np_dtype, mean=0.0, std=1.0):
        z = self._rng.standard_normal(shape)
        return (z * std + mean).astype(np_dtype, copy=False)

    def _randint(self, low, high, shape, np_dtype=np.int64):
        return self._rng.integers(low, high, size=shape, dtype=np.int64).astype(np_dtype)

    def _random_full(self, shape, np_dtype):
        """``random_()`` with no bounds: [0, 2**mantissa] for floats, full range for ints."""
        if np.dtype(np_dtype).kind == "f":
            top = {np.dtype(np.float16): 2 ** 11, np.dtype(np.float32): 2 ** 24}.get(
                np.dtype(np_dtype), 2 ** 53)
            return self._randint(0, top + 1, shape).astype(np_dtype)
        if np.dtype(np_dtype) == np.bool_:
            return self._randint(0, 2, shape).astype(bool)
        info = np.iinfo(np_dtype)
        return self._randint(0, int(info.max) + 1, shape).astype(np_dtype)

    def _randperm(self, n):
        return self._rng.permutation(n).astype(np.int64)

    def _bernoulli(self, p, np_dtype):
        u = self._rng.random(np.shape(p))
        return (u < p).astype(np_dtype)

    def _exponential(self, shape, np_dtype, lambd=1.0):
        return (self._rng.standard_exponential(shape) / lambd).astype(np_dtype)

    def _multinomial(self, probs, num_samples, replacement):
        p = probs.astype(np.float64)
        rows = p.reshape(-1, p.shape[-1])
        out = np.empty((rows.shape[0], num_samples), dtype=np.int64)
        for i, r in enumerate(rows):
            r = r / r.sum()
            out[i] = self._rng.choice(len(r), size=num_samples, replace=replacement, p=r)
        return out.reshape(p.shape[:-1] + (num_samples,))

    def _geometric(self, shape, np_dtype, p):
        return self._rng.geometric(p, size=shape).astype(np_dtype)

    def _cauchy(self, shape, np_dtype, median, sigma):
        return (median + sigma * self._rng.standard_cauchy(shape)).astype(np_dtype)

    def _log_normal(self, shape, np_dtype, mean, std):
        return np.exp(self._normal(shape, np.float64, mean, std)).astype(np_dtype)


default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator; returns it (as torch does)."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


class fork_rng:
    """Context manager restoring the default generator's state on exit."""

    def __init__(self, devices=None, enabled=True, **kwargs):
        self.enabled = enabled

    def __enter__(self):
        if self.enabled:
            self._state = get_rng_state()

    def __exit__(self, *exc):
        if self.enabled:
            set_rng_state(self._state)
        return False


def _gen(generator):
    return default_generator if generator is None else generator
