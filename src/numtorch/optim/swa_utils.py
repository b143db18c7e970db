"""Stochastic Weight Averaging: AveragedModel (SWA/EMA of a model's weights), SWALR and update_bn.
"""
import itertools
import math
import warnings
from copy import deepcopy

from .. import _dtype
from .._creation import tensor as _tensor
from .._tensor import Tensor
from ..autograd import grad_mode as _gm
from ..nn.modules.module import Module
from ._fused import lerp_
from .lr_scheduler import LRScheduler, _format_param

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn",
           "get_swa_multi_avg_fn", "get_ema_avg_fn", "get_swa_avg_fn"]


def _no_grad(fn):
    def wrapper(*args, **kwargs):
        prev = _gm._enabled[0]
        _gm._enabled[0] = False
        try:
            return fn(*args, **kwargs)
        finally:
            _gm._enabled[0] = prev

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


def _lerp_tensors_(targets, sources, weight):
    for t, s in zip(targets, sources):
        lerp_(t._data, s._data.astype(t._data.dtype, copy=False), weight)
        t._version[0] += 1


def _check_decay(decay):
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] "
                         "range.")


def get_ema_multi_avg_fn(decay=0.999):
    """In-place EMA over lists of tensors: ``ema = decay * ema + (1 - decay) * current``."""
    _check_decay(decay)

    @_no_grad
    def ema_update(ema_param_list, current_param_list, _):
        if ema_param_list[0].is_floating_point() or ema_param_list[0].is_complex():
            _lerp_tensors_(ema_param_list, current_param_list, 1 - decay)
        else:
            for p_ema, p_model in zip(ema_param_list, current_param_list):
                p_ema.copy_(p_ema * decay + p_model * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn():
    """In-place running mean over lists of tensors (``num_averaged`` models averaged so far)."""

    @_no_grad
    def swa_update(averaged_param_list, current_param_list, num_averaged):
        if averaged_param_list[0].is_floating_point() or averaged_param_list[0].is_complex():
            _lerp_tensors_(averaged_param_list, current_param_list,
                           float(1 / (num_averaged + 1)))
        elif isinstance(num_averaged, Tensor):
            raise RuntimeError(
                "Integer division with addcdiv is no longer supported, and in a future  release "
                "addcdiv will perform a true division of tensor1 and tensor2. The historic "
                "addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / "
                "tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / "
                "tensor2) for float inputs. The future addcdiv behavior is just the latter "
                "implementation: (input + value * tensor1 / tensor2), for all dtypes.")
        else:
            raise RuntimeError("For integral input tensors, argument alpha must not be a "
                               "floating point number.")

    return swa_update


def get_ema_avg_fn(decay=0.999):
    """EMA of one tensor: returns ``decay * ema + (1 - decay) * current``."""
    _check_decay(decay)

    @_no_grad
    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn():
    """Running mean of one tensor: ``avg + (current - avg) / (num_averaged + 1)``."""

    @_no_grad
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(Module):
    r"""A copy of ``model`` whose parameters are an average (SWA) or EMA of ``model``'s.

    Args:
        model (Module): the model to average (deep-copied).
        device (str or device, optional): where to keep the averaged model.
        avg_fn (callable, optional): ``avg_fn(averaged, current, num_averaged) -> new``, per
            parameter (default: running mean).
        multi_avg_fn (callable, optional): in-place update over lists of parameters.
        use_buffers (bool): average buffers too, instead of copying them (default: False).

    Example::

        >>> model = numtorch.nn.Linear(2, 1)
        >>> swa = numtorch.optim.swa_utils.AveragedModel(model)
        >>> swa.update_parameters(model)
        >>> int(swa.n_averaged)
        1
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", _tensor(0, dtype=_dtype.int64))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    @_no_grad
    def update_parameters(self, model):
        """Fold ``model``'s current parameters (and buffers if ``use_buffers``) into the average."""
        if self.use_buffers:
            self_param = itertools.chain(self.module.parameters(), self.module.buffers())
            model_param = itertools.chain(model.parameters(), model.buffers())
        else:
            self_param = self.parameters()
            model_param = model.parameters()
        self_detached = []
        model_detached = []
        copy_param = bool(self.n_averaged == 0)
        for p_avg, p_model in zip(self_param, model_param):
            p_model_ = p_model.detach()
            self_detached.append(p_avg.detach())
            model_detached.append(p_model_)
            if copy_param:
                p_avg.detach().copy_(p_model_)
        if self.n_averaged > 0:
            if self.multi_avg_fn is not None or self.avg_fn is None:
                for group in _group_by_dtype(self_detached, model_detached):
                    if self.multi_avg_fn:
                        self.multi_avg_fn(group[0], group[1], self.n_averaged)
                    else:
                        # on the CPU torch averages parameter by parameter with get_swa_avg_fn
                        avg_fn = get_swa_avg_fn()
                        for p_avg, p_model in zip(*group):
                            p_avg.copy_(avg_fn(p_avg, p_model, self.n_averaged))
            else:
                for p_avg, p_model in zip(self_detached, model_detached):
                    p_avg.detach().copy_(self.avg_fn(p_avg.detach(), p_model, self.n_averaged))
        if not self.use_buffers:
            for b_swa, b_model in zip(self.module.buffers(), model.buffers()):
                b_swa.detach().copy_(b_model.detach())
        self.n_averaged += 1


def _group_by_dtype(avg, cur):
    groups = {}
    for a, c in zip(avg, cur):
        pair = groups.setdefault(a.dtype, ([], []))
        pair[0].append(a)
        pair[1].append(c)
    return list(groups.values())


@_no_grad
def update_bn(loader, model, device=None):
    """Recompute BatchNorm running statistics with one pass over ``loader``.

    Args:
        loader: iterable of batches (a batch that is a list/tuple uses its first element).
        model (Module): the model whose BatchNorm layers are updated.
        device: where to move each input (optional).
    """
    from ..nn.modules.normalization import _BatchNorm
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    for input in loader:
        if isinstance(input, (list, tuple)):
            input = input[0]
        if device is not None:
            input = input.to(device)
        model(input)
    for bn_module in momenta:
        bn_module.momentum = momenta[bn_module]
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's lr to a fixed ``swa_lr`` over ``anneal_epochs`` epochs, then hold it.

    Args:
        optimizer (Optimizer): wrapped optimizer.
        swa_lr (float or list): the SWA learning rate (per group).
        anneal_epochs (int): epochs of annealing (default: 10).
        anneal_strategy (str): ``"cos"`` or ``"linear"`` (default: ``"cos"``).
        last_epoch (int): index of the last epoch (default: -1).
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos",
                 last_epoch=-1):
        swa_lrs = _format_param("swa_lr", optimizer, swa_lr)
        for lr, group in zip(swa_lrs, optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self):
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use "
                          "`get_last_lr()`.", UserWarning, stacklevel=2)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        prev_lrs = [self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha)
                    for group in self.optimizer.param_groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [group["swa_lr"] * alpha + lr * (1 - alpha)
                for group, lr in zip(self.optimizer.param_groups, prev_lrs)]

    def _set_anneal_func(self, anneal_strategy):
        self._anneal_strategy = anneal_strategy
        if anneal_strategy == "cos":
            self.anneal_func = self._cosine_anneal
        else:
            self.anneal_func = self._linear_anneal

    def state_dict(self):
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
