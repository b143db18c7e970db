"""Optimizer: the bookkeeping every algorithm shares.

An optimizer holds ``param_groups`` (a list of dicts: ``"params"`` plus the
options of that group), per-parameter ``state`` (a ``defaultdict(dict)`` keyed
by the parameter tensor) and ``defaults`` (the options a group gets when it
does not set them). Subclasses implement ``step``; the update math lives in a
per-parameter function on NumPy arrays (``_single_tensor_<name>``).
"""
import functools
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain
import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap
from ..autograd import grad_mode as _gm
from ._fused import add_scaled

__all__ = ["Optimizer", "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook"]

_global_optimizer_pre_hooks = OrderedDict()
_global_optimizer_post_hooks = OrderedDict()


class _RequiredParameter:
    """Marker for an option that has no default (``required``)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


class _RemovableHandle:
    """Handle returned by the hook registration methods; ``remove()`` unregisters the hook."""

    _next_id = 0

    def __init__(self, hooks_dict):
        self._hooks = hooks_dict
        self.id = _RemovableHandle._next_id
        _RemovableHandle._next_id += 1

    def remove(self):
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _register(hooks_dict, hook, prepend=False):
    handle = _RemovableHandle(hooks_dict)
    hooks_dict[handle.id] = hook
    if prepend:
        hooks_dict.move_to_end(handle.id, last=False)
    return handle


def register_optimizer_step_pre_hook(hook):
    """Register ``hook(optimizer, args, kwargs)`` to run before every optimizer's ``step``."""
    return _register(_global_optimizer_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    """Register ``hook(optimizer, args, kwargs)`` to run after every optimizer's ``step``."""
    return _register(_global_optimizer_post_hooks, hook)


# ---- helpers shared by the algorithms -------------------------------------------------------

def _typename(obj):
    if isinstance(obj, Tensor):
        return obj.type()
    cls = type(obj)
    if cls.__module__ in ("builtins", None):
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


def _get_scalar_dtype(is_fused=None):
    """NumPy dtype of scalar state such as ``step``: float64 only under a float64 default."""
    if is_fused:
        return np.float32
    return np.float64 if _dtype.get_default_dtype().np == np.float64 else np.float32


def _scalar_tensor(value, is_fused=None):
    """A 0-dim state tensor (``step``, ``mu_product`` ...) with torch's scalar dtype."""
    return _wrap(np.array(value, dtype=_get_scalar_dtype(is_fused)))


def _zeros_like(p):
    return _wrap(np.zeros_like(p._data))


def _to_scalar(x):
    """A one-element hyper-parameter tensor as a 0-dim tensor; anything else unchanged."""
    if isinstance(x, Tensor) and x.ndim != 0:
        if x.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        return x.reshape(())
    return x


def _value(x):
    """A hyper-parameter as a number for the array math.

    A one-element tensor becomes a NumPy scalar of its dtype: NumPy then combines it with
    arrays and Python floats as torch combines a 0-dim tensor (e.g. Adam's bias corrections
    with tensor betas are computed in float32, as in torch).
    """
    if isinstance(x, Tensor):
        return x._data.reshape(())[()]
    return x


def _rdiv(num, den):
    """``num / den`` where ``den`` may stand for a 0-dim tensor (a NumPy scalar): torch computes
    ``number / tensor`` as ``tensor.reciprocal() * number``."""
    if isinstance(den, np.generic) and not isinstance(num, np.generic):
        return np.reciprocal(den) * num
    return num / den


def _as_real(a):
    """Real view of a complex array (torch.view_as_real, flattened into the last dim)."""
    if a.dtype.kind == "c":
        return a.view(a.real.dtype)
    return a


def _check_no_sparse(grad, name):
    if getattr(grad, "is_sparse", False):
        raise RuntimeError(f"{name} does not support sparse gradients")


def _check_capturable_device(what="params and state_steps", supports_xla=True):
    """capturable=True needs an accelerator: on the CPU torch fails with this assertion."""
    devices = ["cuda", "xpu", "hpu", "privateuseone"] + (["xla"] if supports_xla else [])
    raise AssertionError(
        f"If capturable=True, {what} must be on supported devices: {devices}.")


def _weight_decay(param, grad, lr, weight_decay, decoupled):
    """Adam-family weight decay on arrays: shrink ``param`` in place (decoupled, AdamW-style) or
    return ``grad + weight_decay * param`` (L2)."""
    if decoupled:
        param *= 1 - lr * weight_decay
        return grad
    return add_scaled(grad, param, weight_decay)


def _check_unsupported(differentiable, fused=None, foreach=None):
    if differentiable:
        raise NotImplementedError(
            "differentiable=True (differentiating through optimizer.step()) is implemented for "
            "SGD, Adam, AdamW, RMSprop and Adagrad only in numtorch")
    if fused and foreach:
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def _validate(**checks):
    """Validate hyper-parameters with torch's messages; each kwarg is (ok, message)."""
    for ok, msg in checks.values():
        if not ok:
            raise ValueError(msg)


_INVALID = {"lr": "Invalid learning rate: {}", "eps": "Invalid epsilon value: {}"}


def _check_hyperparams(**options):
    """Validate the usual options with torch's messages, in the order given.

    ``lr`` (a number, or a one-element tensor), ``eps`` and any other named option must be
    ``>= 0`` (``Invalid <name> value: <value>``); ``betas`` must both lie in ``[0, 1)``.
    """
    for name, value in options.items():
        if name == "betas":
            for i, beta in enumerate(value):
                if not 0.0 <= beta < 1.0:
                    raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
            continue
        if name == "lr" and isinstance(value, Tensor) and value.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= value:
            raise ValueError(_INVALID.get(name, f"Invalid {name} value: {{}}").format(value))


def _check_fused(fused, differentiable, foreach):
    """Options of the optimizers that take ``fused``: torch's checks of the combinations."""
    if fused and differentiable:
        raise RuntimeError("`fused` does not support `differentiable`")
    _check_unsupported(False, fused, foreach)


def _check_state_steps(state_steps):
    if not all(isinstance(t, Tensor) for t in state_steps):
        raise RuntimeError("API has changed, `state_steps` argument must contain a list of "
                           "singleton tensors")


def _arrays(*tensor_lists):
    """The NumPy arrays of each list of tensors (what the ``_single_tensor_*`` kernels take)."""
    return [[t._data for t in tensors] for tensors in tensor_lists]


# Initial values of per-parameter state, ``init(optimizer, param, group)`` (see ``_state_init``).

def _step_zero(opt, p, group):
    return _scalar_tensor(0.0)


def _fused_step_zero(opt, p, group):
    return _scalar_tensor(0.0, group["fused"])


def _one(opt, p, group):
    return _scalar_tensor(1.0)


def _zeros(opt, p, group):
    return _zeros_like(p)


def _bump(params):
    """Bump the version counter of parameters updated in place."""
    for p in params:
        p._version[0] += 1


def _with_grad(fn, *args, **kwargs):
    """Call ``fn`` with grad mode on (the differentiable=True updates are recorded)."""
    prev = _gm._enabled[0]
    _gm._enabled[0] = True
    try:
        return fn(*args, **kwargs)
    finally:
        _gm._enabled[0] = prev


def _closure_loss(closure):
    if closure is None:
        return None
    prev = _gm._enabled[0]
    _gm._enabled[0] = True
    try:
        return closure()
    finally:
        _gm._enabled[0] = prev


_STATE_PLANS = {}
_OPTION_PLANS = {}


def _state_plan(state_init, state_lists):
    """``_state_init`` and ``_state_lists`` with each entry's condition (None: always),
    precomputed once per class for ``Optimizer._init_group``."""
    conditions = {}
    inits = []
    for name, init, *condition in state_init:
        conditions[name] = condition[0] if condition else None
        inits.append((name, init, conditions[name]))
    lists = [(name, conditions[name]) for name in state_lists]
    return inits, lists


# ---- the base class -------------------------------------------------------------------------

class Optimizer:
    r"""Base class for all optimizers.

    Args:
        params (iterable): an iterable of Tensors, of dicts (parameter groups, each with its own
            options) or of ``(name, Tensor)`` pairs (e.g. ``model.named_parameters()``).
        defaults (dict): default values of the optimization options, used when a parameter
            group doesn't specify them.

    Example::

        >>> w = numtorch.zeros(3, requires_grad=True)
        >>> opt = numtorch.optim.SGD([w], lr=0.1)
        >>> w.grad = numtorch.ones(3)
        >>> opt.step()
        >>> w
        tensor([-0.1000, -0.1000, -0.1000], requires_grad=True)
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        self._patch_step_function()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)
        self._warned_capturable_if_run_uncaptured = True

    # ---- pickling ---------------------------------------------------------------------------
    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self._patch_step_function()
        self.defaults.setdefault("differentiable", False)
        if self._setstate_options:
            self._setstate_groups(**self._setstate_options)
        if self._scalar_state:
            self._setstate_tensor_state(*self._scalar_state)

    def _setstate_groups(self, **group_defaults):
        """For subclasses' ``__setstate__``: fill options that older state dicts lack."""
        for group in self.param_groups:
            for k, v in group_defaults.items():
                group.setdefault(k, v)

    def _setstate_tensor_state(self, *keys, is_fused=None):
        """For subclasses' ``__setstate__``: turn plain-number state (old format) into tensors."""
        for group in self.param_groups:
            for p in group["params"]:
                p_state = self.state.get(p, [])
                if len(p_state) == 0:
                    continue
                for k in keys:
                    if k in p_state and not isinstance(p_state[k], Tensor):
                        p_state[k] = _scalar_tensor(float(p_state[k]), is_fused)

    def __repr__(self):
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"

    # ---- step and its hooks -----------------------------------------------------------------
    @staticmethod
    def profile_hook_step(func):
        """Wrap a ``step`` so that the step pre/post hooks run around it."""

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            self = args[0]
            if _global_optimizer_pre_hooks or self._optimizer_step_pre_hooks:
                for pre_hook in chain(_global_optimizer_pre_hooks.values(),
                                      self._optimizer_step_pre_hooks.values()):
                    result = pre_hook(self, args, kwargs)
                    if result is not None:
                        if isinstance(result, tuple) and len(result) == 2:
                            args, kwargs = result
                        else:
                            raise RuntimeError(
                                f"{func} must return None or a tuple of (new_args, new_kwargs), "
                                f"but got {result}.")
            out = func(*args, **kwargs)
            self._optimizer_step_code()
            if _global_optimizer_post_hooks or self._optimizer_step_post_hooks:
                for post_hook in chain(self._optimizer_step_post_hooks.values(),
                                       _global_optimizer_post_hooks.values()):
                    post_hook(self, args, kwargs)
            return out

        return wrapper

    def _optimizer_step_code(self):
        """Entry point for profilers (torch compatibility); does nothing."""

    def _patch_step_function(self):
        self._zero_grad_profile_name = f"Optimizer.zero_grad#{self.__class__.__name__}.zero_grad"
        cls = self.__class__
        if not getattr(cls.step, "hooked", None):
            cls.step = self.profile_hook_step(cls.step)
            cls.step.hooked = True

    def register_step_pre_hook(self, hook):
        """Register ``hook(optimizer, args, kwargs) -> None or (new_args, new_kwargs)``."""
        return _register(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """Register ``hook(optimizer, args, kwargs) -> None``, called after ``step``."""
        return _register(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        return _register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        return _register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        return _register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        return _register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # ---- the shared step of the algorithms ---------------------------------------------------
    # An algorithm describes its per-parameter state and its functional form; ``step`` collects
    # each group's parameters and state (``_init_group``) and calls the functional form, which
    # runs the per-parameter NumPy kernel (``_single_tensor_<name>``).
    _functional = None        # the functional form, e.g. ``staticmethod(adam)``
    _state_init = ()          # (name, init) or (name, init, condition(group)), creation order
    _state_lists = ()         # state names, in the order the functional form takes their lists
    _sparse_name = None       # "<name> does not support sparse gradients"; None: has_sparse_grad
    _renamed_options = {}     # option -> the functional's names of its two parts
    _skipped_options = ()     # options the functional form does not take
    _setstate_options = {}    # options an old state dict may lack, with their defaults
    _scalar_state = ()        # state that an old state dict may hold as plain numbers

    def _init_group(self, group):
        """The parameters of ``group`` that have a gradient, their gradients, the lists of their
        state tensors (``_state_lists`` order; empty where a condition is off) and the flags
        (``has_complex``; ``has_sparse_grad`` too when sparse gradients are not refused).

        State is created on a parameter's first step from ``_state_init``, in that order.
        """
        plan = _STATE_PLANS.get(type(self))
        if plan is None:
            plan = _STATE_PLANS[type(self)] = _state_plan(self._state_init, self._state_lists)
        inits = [(name, init) for name, init, on in plan[0] if on is None or on(group)]
        sparse_name = self._sparse_name
        has_complex = has_sparse_grad = False
        all_state = self.state
        params, grads, states = [], [], []
        for p in group["params"]:
            g = p._grad
            if g is None:
                continue
            if sparse_name is None:
                has_sparse_grad |= bool(getattr(g, "is_sparse", False))
            else:
                _check_no_sparse(g, sparse_name)
            has_complex |= p._data.dtype.kind == "c"
            params.append(p)
            grads.append(g)
            state = all_state[p]
            if len(state) == 0:
                for name, init in inits:
                    state[name] = init(self, p, group)
            states.append(state)
        lists = [[state[name] for state in states] if on is None or on(group) else []
                 for name, on in plan[1]]
        if sparse_name is None:
            return params, grads, lists, {"has_sparse_grad": has_sparse_grad,
                                          "has_complex": has_complex}
        return params, grads, lists, {"has_complex": has_complex}

    def _options(self, group):
        """The functional form's keyword arguments: the group's values of the ``defaults``."""
        keys = tuple(self.defaults)
        plan = _OPTION_PLANS.get((type(self), keys))
        if plan is None:
            renamed = self._renamed_options
            plan = ([k for k in keys if k not in renamed and k not in self._skipped_options],
                    [(k, renamed[k]) for k in keys if k in renamed])
            _OPTION_PLANS[type(self), keys] = plan
        options = {key: group[key] for key in plan[0]}
        for key, (first, second) in plan[1]:
            options[first], options[second] = group[key]
        return options

    def step(self, closure=None):
        """Perform a single optimization step; ``closure`` re-evaluates the loss.

        Subclasses either describe their algorithm (``_functional``, ``_state_init``, ...) or
        override ``step``.
        """
        if self._functional is None:
            raise NotImplementedError
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params, grads, lists, flags = self._init_group(group)
            self._functional(params, grads, *lists, **self._options(group), **flags)
        return loss

    # ---- state dict -------------------------------------------------------------------------
    def state_dict(self):
        """The optimizer's state as ``{"state": {id: {...}}, "param_groups": [...]}``.

        Parameters are replaced by integer ids (their position across all groups); the state
        tensors are returned by reference, as torch does.
        """
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)
        mapping = {}
        start = 0
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                if id(p) not in mapping:
                    mapping[id(p)] = i
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        packed_state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v
                        for k, v in self.state.items()}
        state_dict = {"state": packed_state, "param_groups": groups}
        for post_hook in self._optimizer_state_dict_post_hooks.values():
            result = post_hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _process_value_according_to_param_policy(param, value, param_id, param_groups,
                                                 key=None):
        fused = capturable = False
        for pg in param_groups:
            if param_id in pg["params"]:
                fused = pg.get("fused", False)
                capturable = pg.get("capturable", False)
                break
        if key == "step":
            if capturable or fused:
                return value.to(dtype=_dtype.float32)
            return value
        if param.is_floating_point():
            return value.to(dtype=param.dtype)
        return value

    def load_state_dict(self, state_dict):
        """Load a state dict produced by ``state_dict()`` (groups must match in number/size).

        Floating-point state tensors are cast to their parameter's dtype (``step`` is kept).
        """
        state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def _cast(param, value, param_id=None, key=None):
            if isinstance(value, Tensor):
                return Optimizer._process_value_according_to_param_policy(
                    param, value, param_id, state_dict["param_groups"], key)
            if isinstance(value, dict):
                return {k: _cast(param, v, param_id, k) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(_cast(param, v, param_id) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = _cast(param, v, k)
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    # ---- gradients and groups ---------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized tensors (to None, or to zeros in place)."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g._rg = False
                    g._data.fill(0)
                    g._version[0] += 1

    def add_param_group(self, param_group):
        """Add a parameter group (a dict with ``"params"`` and optional options) to the optimizer.

        Options missing from the group are filled from ``defaults``.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list "
                "instead.")
        else:
            param_group["params"] = list(params)
        tensors = []
        names = []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
            param_group["param_names"] = names
        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(param))
            if not self.defaults.get("differentiable", None) and not (
                    param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        if len(tensors) != len({id(p) for p in tensors}):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                txt = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {txt} to the optimizer")
        if any(id(p) in seen for p in tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)
