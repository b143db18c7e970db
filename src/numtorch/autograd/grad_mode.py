"""Global grad mode: no_grad / enable_grad / set_grad_enabled / inference_mode.

The flag is a one-element list so that the hot path (``_enabled[0]``) is a
single index, read by ops/_apply.py for every op.
"""
import functools

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled"]

_enabled = [True]
_inference = [False]


def is_grad_enabled():
    return _enabled[0]


def is_inference_mode_enabled():
    return _inference[0]


class _GradModeContext:
    """Base: context manager that is also a decorator (as torch's are)."""

    _mode = True

    def __enter__(self):
        self._prev = _enabled[0]
        _enabled[0] = self._mode

    def __exit__(self, *exc):
        _enabled[0] = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()


class no_grad(_GradModeContext):
    """Disable gradient recording inside the block (or decorated function)."""

    _mode = False

    def __init__(self, orig_func=None):
        # torch allows @no_grad without parentheses only via @no_grad(); keep parity.
        if orig_func is not None and callable(orig_func):
            raise TypeError("no_grad() takes no positional arguments; use @no_grad()")


class enable_grad(_GradModeContext):
    """Enable gradient recording inside the block (or decorated function)."""

    _mode = True


class set_grad_enabled(_GradModeContext):
    """Set grad mode to ``mode``; takes effect immediately, and as a context manager restores."""

    def __init__(self, mode):
        self._prev = _enabled[0]
        self._mode = bool(mode)
        _enabled[0] = self._mode

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _enabled[0] = self._prev
        return False

    def clone(self):
        return self.__class__(self._mode)

    def __call__(self, fn):
        _enabled[0] = self._prev
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)
        return wrapper


class inference_mode(_GradModeContext):
    """Like no_grad (numtorch has no separate inference tensors)."""

    def __init__(self, mode=True):
        self._mode = not mode
        self._inf = bool(mode)

    def __enter__(self):
        self._prev = _enabled[0]
        self._prev_inf = _inference[0]
        _enabled[0] = self._mode
        _inference[0] = self._inf

    def __exit__(self, *exc):
        _enabled[0] = self._prev
        _inference[0] = self._prev_inf
        return False

    def clone(self):
        return self.__class__(self._inf)

    def __call__(self, fn):
        inf = self._inf

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with inference_mode(inf):
                return fn(*args, **kwargs)
        return wrapper
