"""Loss functions of ``numtorch.nn.functional`` (torch.nn.functional's losses).

Each function normalises its arguments (the legacy ``size_average``/``reduce`` pair, the
``reduction`` string), validates shapes and dtypes with torch's exception types and messages,
then either calls one fused op of ``numtorch.ops.loss`` (where torch has a dedicated kernel) or
composes ordinary ops exactly as torch does (so that values, gradients and ``grad_fn`` names
match). No gradient formulas live here.
"""
import math
import warnings

import numpy as np

from .._tensor import Tensor
from .. import _dtype
from ..autograd.graph import apply
from ..autograd.grad_mode import no_grad
from ..autograd import grad_mode as _gm
from .._creation import zeros_like, ones_like, tensor as _tensor
from ..ops import loss as _L
from ..ops import elementwise as _E
from ..ops import reduction as _R
from ..ops.activation import log_softmax, logsigmoid
from ..ops._utils import shape_str as _shape_str
from . import _reduction as _reduction_mod

__all__ = ["l1_loss", "mse_loss", "cross_entropy", "nll_loss", "poisson_nll_loss",
           "gaussian_nll_loss", "kl_div", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "margin_ranking_loss", "hinge_embedding_loss",
           "multilabel_margin_loss", "huber_loss", "smooth_l1_loss", "soft_margin_loss",
           "multilabel_soft_margin_loss", "cosine_embedding_loss", "multi_margin_loss",
           "triplet_margin_loss", "triplet_margin_with_distance_loss", "ctc_loss"]


# ---- reduction arguments (torch.nn._reduction) -----------------------------------------
def _legacy_get_string(size_average, reduce, emit_warning=True):
    """The reduction string meant by the deprecated ``size_average``/``reduce`` pair."""
    return _reduction_mod.legacy_get_string(size_average, reduce, emit_warning)


def _get_enum(reduction):
    """Validate ``reduction`` ('none' | 'mean' | 'sum'; 'elementwise_mean' is deprecated)."""
    if reduction in ("none", "mean", "sum"):
        return reduction
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' "
                      "instead.", stacklevel=3)
        return "mean"
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduction(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        return _legacy_get_string(size_average, reduce)
    return _get_enum(reduction)


def _named(t, name):
    """Label ``t``'s grad_fn as torch's C++ composite would (e.g. tensor / int there is
    ``div(Tensor, Scalar)``: DivBackward1)."""
    if t.grad_fn is not None:
        t.grad_fn._name = name
    return t


def _apply_reduction(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


# ---- argument checks --------------------------------------------------------------------
def _check_tensor(x, fn, name, pos):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


def _type_name(x):
    return {
        "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
        "bool": "Bool", "float16": "Half", "float32": "Float", "float64": "Double",
        "bfloat16": "BFloat16"}.get(str(x._data.dtype), str(x._data.dtype))


def _is_float(x):
    return x._data.dtype.kind == "f"


def _check_long(target):
    if target._data.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {_type_name(target)}")


def _check_same_dtype(expected, found):
    if expected._data.dtype != found._data.dtype:
        raise RuntimeError(f"expected scalar type {_type_name(expected)} but found "
                           f"{_type_name(found)}")


def _not_differentiable(fn, arg, t):
    """torch refuses a gradient-requiring tensor where its kernel has no derivative."""
    if t is not None and t.requires_grad and _gm._enabled[0]:
        raise RuntimeError(f"The function '{fn}' is not differentiable with respect to argument "
                           f"'{arg}'. This input cannot have requires_grad True.")


def _check_float_input(x, kernel):
    if not _is_float(x):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_type_name(x)}\'')


def _size_warning(input, target):
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.", stacklevel=3)


def _broadcast_shape(a, b):
    """Broadcast shape of two shapes, or torch's RuntimeError naming the mismatching sizes."""
    n = max(len(a), len(b))
    out = []
    for i in range(1, n + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                               f"({y}) at non-singleton dimension {n - i}")
        out.append(y if x == 1 else x)
    return tuple(reversed(out))


# ---- regression losses ------------------------------------------------------------------
def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    r"""Mean absolute error: :math:`\ell_n = |x_n - y_n|`, then 'mean' / 'sum' / 'none'.

    Example::

        >>> F.l1_loss(torch.tensor([1., 2.]), torch.tensor([0., 4.]))
        tensor(1.5000)
    """
    _check_tensor(input, "l1_loss", "input", 1)
    _check_tensor(target, "l1_loss", "target", 2)
    _size_warning(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    err = (input - target).abs()
    if weight is not None:
        if weight.shape != input.shape:
            raise ValueError("Weights and input must have the same size.")
        err = err * weight
        if reduction == "mean":
            return err.sum() / weight.sum()
    return _apply_reduction(err, reduction)


def _weighted_pointwise(op, input, target, reduction, weight, *params):
    """A pointwise fused loss with an elementwise ``weight`` (torch's Python fallback)."""
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = apply(op, input, target, *params, reduction="none") * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / weight.sum() if op is not _L.HuberLoss else loss.mean()


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    r"""Mean squared error: :math:`\ell_n = (x_n - y_n)^2`, then 'mean' / 'sum' / 'none'.

    Example::

        >>> F.mse_loss(torch.tensor([1., 2.]), torch.tensor([0., 4.]))
        tensor(2.5000)
    """
    _check_tensor(input, "mse_loss", "input", 1)
    _check_tensor(target, "mse_loss", "target", 2)
    _size_warning(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if not (_is_float(input) or _is_float(target)):
        raise NotImplementedError(f"\"mse_cpu\" not implemented for '{_type_name(input)}'")
    if weight is not None:
        if weight.shape != input.shape:
            raise ValueError("Weights and input must have the same size.")
        loss = (input - target).pow(2) * weight
        if reduction == "mean":
            return loss.sum() / weight.sum()
        return _apply_reduction(loss, reduction)
    return apply(_L.MseLoss, input, target, reduction=reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    r"""Huber loss: :math:`0.5 d^2` where :math:`|d| < \delta`, else
    :math:`\delta (|d| - 0.5 \delta)`, with :math:`d = x - y`.

    Example::

        >>> F.huber_loss(torch.tensor([0.5, 3.]), torch.tensor([0., 0.]))
        tensor(1.3125)
    """
    _check_tensor(input, "huber_loss", "input", 1)
    _check_tensor(target, "huber_loss", "target", 2)
    _size_warning(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is None:
        return apply(_L.HuberLoss, input, target, reduction=_get_enum(reduction), delta=delta)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = apply(_L.HuberLoss, input, target, reduction="none", delta=delta) * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', "
                     "'sum'.")


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    r"""Smooth L1: :math:`0.5 d^2 / \beta` where :math:`|d| < \beta`, else
    :math:`|d| - 0.5 \beta`; ``beta=0`` is the L1 loss.

    Example::

        >>> F.smooth_l1_loss(torch.tensor([0.5, 3.]), torch.tensor([0., 0.]))
        tensor(1.3125)
    """
    _check_tensor(input, "smooth_l1_loss", "input", 1)
    _check_tensor(target, "smooth_l1_loss", "target", 2)
    _size_warning(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return _apply_reduction((input - target).abs(), reduction)
    return apply(_L.SmoothL1Loss, input, target, reduction=reduction, beta=beta)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    r"""Two-class logistic loss :math:`\log(1 + \exp(-y_n x_n))`, targets in {1, -1}.

    Example::

        >>> F.soft_margin_loss(torch.tensor([0.3, 0.7]), torch.tensor([-1., 1.]))
        tensor(0.6288)
    """
    _check_tensor(input, "soft_margin_loss", "input", 1)
    _check_tensor(target, "soft_margin_loss", "target", 2)
    reduction = _reduction(size_average, reduce, reduction)
    shape = _broadcast_shape(tuple(input.shape), tuple(target.shape))
    if shape != tuple(input.shape):
        raise RuntimeError(f"output with shape {_shape_str(input.shape)} doesn't match the "
                           f"broadcast shape {_shape_str(shape)}")
    _not_differentiable("soft_margin_loss", "target", target)
    return apply(_L.SoftMarginLoss, input, target, reduction=reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    r"""Poisson negative log likelihood: :math:`e^{x} - y x` (``log_input``) or
    :math:`x - y \log(x + \epsilon)`; ``full`` adds Stirling's term for :math:`y > 1`.

    Example::

        >>> F.poisson_nll_loss(torch.tensor([0., 1.]), torch.tensor([1., 2.]))
        tensor(0.8591)
    """
    _check_tensor(input, "poisson_nll_loss", "input", 1)
    _check_tensor(target, "poisson_nll_loss", "target", 2)
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not a valid value for reduction")
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        with np.errstate(divide="ignore", invalid="ignore"):
            stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _apply_reduction(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    r"""Gaussian negative log likelihood :math:`0.5 (\log v + (x - y)^2 / v)` with the
    variance ``var`` clamped below at ``eps`` (without affecting its gradient), plus
    :math:`0.5 \log 2\pi` when ``full``.

    Example::

        >>> F.gaussian_nll_loss(torch.tensor([1.]), torch.tensor([0.]), torch.tensor([1.]))
        tensor(0.5000)
    """
    _check_tensor(input, "gaussian_nll_loss", "input", 1)
    _check_tensor(target, "gaussian_nll_loss", "target", 2)
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * ones_like(input)
    elif not isinstance(var, Tensor):
        raise TypeError(f"gaussian_nll_loss(): var must be a Tensor or a float, but got "
                        f"{type(var).__name__}")
    elif bool((var._data < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.ndim == var.ndim and sum(
                y for x, y in zip(input.shape, var.shape) if x != y) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _apply_reduction(loss, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    r"""Kullback-Leibler divergence of ``target`` from ``input`` (log-probabilities):
    :math:`y (\log y - x)`, or :math:`e^{y} (y - x)` when ``log_target``; 'batchmean'
    divides the sum by the batch size.

    Example::

        >>> F.kl_div(torch.tensor([-1., -1.]), torch.tensor([0.5, 0.5]), reduction='sum')
        tensor(0.3069)
    """
    _check_tensor(input, "kl_div", "input", 1)
    _check_tensor(target, "kl_div", "target", 2)
    if size_average is not None or reduce is not None:
        red = _legacy_get_string(size_average, reduce)
    else:
        if reduction == "mean":
            warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the "
                "support size.'batchmean' divides only by the batch size, and aligns with the KL "
                "div math definition.'mean' will be changed to behave the same as 'batchmean' "
                "in the next major release.", stacklevel=2)
        red = "sum" if reduction == "batchmean" else _get_enum(reduction)
    if log_target:
        out = target.exp() * (target - input)
    else:
        out = apply(_L.Xlogy, target, target) - target * input
    out = _apply_reduction(out, red)
    if reduction == "batchmean" and input.dim() != 0:
        out = out / input.size(0)
    return out


# ---- classification losses --------------------------------------------------------------
def _check_nll_target(target):
    if target._data.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{_type_name(target)}")


def _check_class_weight(weight, n_classes, input, prefix=""):
    if weight.ndim != 1 or weight.numel() != n_classes:
        raise RuntimeError(f"{prefix}weight tensor should be defined either for all {n_classes} "
                           f"classes or no classes but got weight tensor of shape: "
                           f"{_shape_str(weight.shape)}")
    _check_same_dtype(input, weight)


def _nll_loss_nd(input, target, weight, reduction, ignore_index, op=_L.NllLoss):
    """torch's nll_loss_nd: (C,), (N, C) and (N, C, d1, ..., dK) inputs.

    ``op`` is NllLoss, or CrossEntropy (log_softmax fused in) for cross_entropy.
    """
    shape = input._data.shape
    tshape = target._data.shape
    d = len(shape)
    if d < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {d})")
    if d != 1 and shape[0] != (tshape[0] if tshape else 0):
        raise ValueError(f"Expected input batch_size ({shape[0]}) to match target "
                         f"batch_size ({tshape[0] if tshape else 0}).")
    _check_nll_target(target)
    n_classes = shape[0 if d == 1 else 1]
    if weight is not None:
        _check_class_weight(weight, n_classes, input)
        _not_differentiable("nll_loss_forward", "weight", weight)
    if d <= 2:
        if len(tshape) > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if d == 1 and len(tshape) == 1:
            if tshape[0] != 1:
                raise ValueError("For 1D input, 1D target must have size 1, but got target "
                                 f"size: {tshape[0]}")
            target = target.reshape(())
        return apply(op, input, target, weight, reduction=reduction, ignore_index=ignore_index)
    if d == 4:
        if len(tshape) != 3:
            raise RuntimeError("only batches of spatial targets supported (3D tensors) but got "
                               f"targets of dimension: {len(tshape)}")
        if tshape != (shape[0],) + shape[2:]:
            raise RuntimeError(f"size mismatch (got input: {_shape_str(shape)} , target: "
                               f"{_shape_str(tshape)}")
        return apply(op, input, target, weight, reduction=reduction, ignore_index=ignore_index)
    out_size = (shape[0],) + shape[2:]
    if tshape[1:] != shape[2:]:
        raise RuntimeError(f"Expected target size {_shape_str(out_size)}, got "
                           f"{_shape_str(tshape)}")
    n, c = shape[0], shape[1]
    if n > 0 and math.prod(out_size) > 0:
        input = input.reshape(n, c, 1, -1)
        target = target.reshape(n, 1, -1)
    out = apply(op, input, target, weight, reduction=reduction, ignore_index=ignore_index)
    if reduction == "none":
        out = out.view(*out_size)
    return out


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    r"""Negative log likelihood of class indices: :math:`\ell_n = -w_{y_n} x_{n, y_n}`;
    'mean' divides by :math:`\sum_n w_{y_n}` over targets other than ``ignore_index``.

    Shape: input (C), (N, C) or (N, C, d1, ..., dK); target (), (N) or (N, d1, ..., dK).

    Example::

        >>> F.nll_loss(torch.tensor([[-1., -2.]]), torch.tensor([1]))
        tensor(2.)
    """
    _check_tensor(input, "nll_loss", "input", 1)
    _check_tensor(target, "nll_loss", "target", 2)
    reduction = _reduction(size_average, reduce, reduction)
    return _nll_loss_nd(input, target, weight, reduction, ignore_index)


def _class_weight_view(weight, input, class_dim):
    if input.ndim > 1:
        shape = [1] * input.ndim
        shape[class_dim] = weight.shape[0]
        return weight.view(*shape)
    return weight


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    r"""Cross entropy of logits ``input`` against class indices or class probabilities.

    :math:`\ell_n = -\sum_c w_c\, y_{n,c} \log \mathrm{softmax}(x_n)_c`, computed through a
    fused, stable log_softmax. ``label_smoothing`` mixes the target with the uniform
    distribution.

    Shape: input (C), (N, C) or (N, C, d1, ..., dK); target of class indices (), (N) or
    (N, d1, ..., dK), or of probabilities with the shape of input.

    Example::

        >>> F.cross_entropy(torch.tensor([[0., 0.]]), torch.tensor([1]))
        tensor(0.6931)
    """
    _check_tensor(input, "cross_entropy_loss", "input", 1)
    _check_tensor(target, "cross_entropy_loss", "target", 2)
    reduction = _reduction(size_average, reduce, reduction)
    if input._data.shape == target._data.shape:
        if not _is_float(target):
            raise RuntimeError("Expected floating point type for target with class "
                               f"probabilities, got {_type_name(target)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _cross_entropy_prob(input, target, weight, reduction, label_smoothing)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError("label_smoothing must be between 0.0 and 1.0. Got: "
                               f"{label_smoothing}")
        return _cross_entropy_smoothing(input, target, weight, reduction, ignore_index,
                                        label_smoothing)
    _check_float_input(input, "log_softmax_lastdim_kernel_impl")
    return _nll_loss_nd(input, target, weight, reduction, ignore_index, op=_L.CrossEntropy)


def _cross_entropy_prob(input, target, weight, reduction, label_smoothing):
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim]
    if weight is not None and (weight.ndim != 1 or weight.numel() != n_classes):
        raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all "
                           f"{n_classes} classes or no classes but got weight tensor of shape: "
                           f"{_shape_str(weight.shape)}")
    _check_float_input(input, "log_softmax_lastdim_kernel_impl")
    logp = log_softmax(input, class_dim)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError("label_smoothing must be between 0.0 and 1.0. Got: "
                               f"{label_smoothing}")
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    prod = logp * target
    if weight is not None:
        prod = prod * _class_weight_view(weight, logp, class_dim)
    if reduction == "mean":
        if input.numel() == 0:
            return -(prod.sum() * float("nan"))
        return _named(-prod.sum() / (input.numel() // n_classes), "DivBackward1")
    if reduction == "sum":
        return -prod.sum()
    return -prod.sum(class_dim)


def _cross_entropy_smoothing(input, target, weight, reduction, ignore_index, label_smoothing):
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim]
    _check_float_input(input, "log_softmax_lastdim_kernel_impl")
    logp = log_softmax(input, class_dim)
    nll = _nll_loss_nd(logp, target, weight, reduction, ignore_index)
    ignore_mask = target == ignore_index
    if weight is not None:
        smooth = -(logp * _class_weight_view(weight, logp, class_dim)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    smooth = smooth.masked_fill(ignore_mask, 0.0)
    if reduction == "mean":
        if weight is not None:
            kept = target._data[~ignore_mask._data].reshape(-1)
            denom = weight.gather(0, _tensor(kept, dtype=_dtype.int64)).sum()
            ret = smooth.sum() / denom
        else:
            ret = smooth.sum() / (~ignore_mask).sum()
    elif reduction == "sum":
        ret = smooth.sum()
    else:
        ret = smooth
    return (1 - label_smoothing) * nll + ret * (label_smoothing / n_classes)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    r"""Binary cross entropy of probabilities:
    :math:`-w_n (y_n \log x_n + (1 - y_n) \log(1 - x_n))`, each log clamped at -100.

    Example::

        >>> F.binary_cross_entropy(torch.tensor([0.5]), torch.tensor([1.]))
        tensor(0.6931)
    """
    _check_tensor(input, "binary_cross_entropy", "input", 1)
    _check_tensor(target, "binary_cross_entropy", "target", 2)
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input "
                         f"size ({input.size()}) is deprecated. Please ensure they have the same "
                         "size.")
    if weight is not None:
        _not_differentiable("binary_cross_entropy", "weight", weight)
        try:
            new_size = np.broadcast_shapes(tuple(target.shape), tuple(weight.shape))
        except ValueError:
            raise RuntimeError(
                f"Attempting to broadcast a dimension of length {weight.shape[-1]} at -1! "
                f"Mismatching argument at index 1 had {weight.size()}; but expected shape "
                f"should be broadcastable to {_shape_str(target.shape)}") from None
        weight = weight.expand(*new_size)
    _check_float_input(input, "binary_cross_entropy")
    if target._data.dtype != input._data.dtype:
        raise RuntimeError(f"Found dtype {_type_name(target)} but expected {_type_name(input)}")
    return apply(_L.BinaryCrossEntropy, input, target, weight, reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    r"""Sigmoid plus binary cross entropy in one stable (log-sum-exp) expression:
    :math:`-w_n (p\, y_n \log\sigma(x_n) + (1 - y_n) \log(1 - \sigma(x_n)))`.

    Example::

        >>> F.binary_cross_entropy_with_logits(torch.tensor([0.]), torch.tensor([1.]))
        tensor(0.6931)
    """
    _check_tensor(input, "binary_cross_entropy_with_logits", "input", 1)
    _check_tensor(target, "binary_cross_entropy_with_logits", "target", 2)
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size "
                         f"({input.size()})")
    if not _is_float(target) and _is_float(input):
        raise RuntimeError(f"result type {_type_name(input)} can't be cast to the desired output "
                           f"type {_type_name(target)}")
    for name, extra in (("weight", weight), ("pos_weight", pos_weight)):
        if extra is None:
            continue
        _not_differentiable("binary_cross_entropy_with_logits", name, extra)
        a, b = tuple(input.shape), tuple(extra.shape)
        shape = _broadcast_shape(*((b, a) if name == "pos_weight" else (a, b)))
        if shape != tuple(input.shape):
            raise RuntimeError(f"output with shape {_shape_str(input.shape)} doesn't match the "
                               f"broadcast shape {_shape_str(shape)}")
    return apply(_L.BinaryCrossEntropyWithLogits, input, target, weight, pos_weight,
                 reduction=reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    r"""Multi-class hinge loss: :math:`\frac{1}{C}\sum_{j \ne y} w_y
    \max(0, \mathrm{margin} - x_y + x_j)^p`, ``p`` in {1, 2}.

    Example::

        >>> F.multi_margin_loss(torch.tensor([[0.3, 0.7]]), torch.tensor([0]))
        tensor(0.7000)
    """
    _check_tensor(input, "multi_margin_loss", "input", 1)
    _check_tensor(target, "multi_margin_loss", "target", 2)
    reduction = _reduction(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    d = input.ndim
    if not ((d == 2 and input.shape[1] != 0) or (d == 1 and input.shape[0] != 0) or d == 0):
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch size, "
                           f"but got: {_shape_str(input.shape)}")
    nframe = input.shape[0] if d == 2 else 1
    dim = input.shape[-1] if d else 1
    if target.ndim > 1 or target.numel() != nframe:
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{nframe}], but got "
            f"{_shape_str(target.shape)}. Input has shape {_shape_str(input.shape)}.")
    _check_long(target)
    if weight is not None and weight.numel() != dim:
        raise RuntimeError(f"inconsistent weight size, expected {dim} but got "
                           f"{_shape_str(weight.shape)}")
    _not_differentiable("multi_margin_loss", "weight", weight)
    return apply(_L.MultiMarginLoss, input, target, weight, p=p, margin=margin,
                 reduction=reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    r"""Multi-label hinge loss: :math:`\sum_{j \in y} \sum_{i \notin y}
    \max(0, 1 - (x_j - x_i)) / C`; each target row lists class indices up to the first -1.

    Example::

        >>> F.multilabel_margin_loss(torch.tensor([[0.1, 0.2, 0.4, 0.8]]),
        ...                          torch.tensor([[3, 0, -1, 1]]))
        tensor(0.8500)
    """
    _check_tensor(input, "multilabel_margin_loss", "input", 1)
    _check_tensor(target, "multilabel_margin_loss", "target", 2)
    reduction = _reduction(size_average, reduce, reduction)
    d = input.ndim
    if not ((d == 2 and input.shape[1] != 0) or (d == 1 and input.shape[0] != 0) or d == 0):
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch size, "
                           f"but got: {_shape_str(input.shape)}")
    if d <= 1:
        ok = target.ndim <= 1 and target.numel() == (input.shape[0] if d else 1)
    else:
        ok = target.ndim == 2 and tuple(target.shape) == tuple(input.shape)
    if not ok:
        raise RuntimeError(f"inconsistent target size: {_shape_str(target.shape)} for input of "
                           f"size: {_shape_str(input.shape)}")
    _check_long(target)
    return apply(_L.MultilabelMarginLoss, input, target, reduction=reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    r"""One-vs-all logistic loss averaged over classes:
    :math:`-\frac{1}{C}\sum_c w_c (y_c \log\sigma(x_c) + (1 - y_c) \log\sigma(-x_c))`.

    Example::

        >>> F.multilabel_soft_margin_loss(torch.tensor([[0., 0.]]), torch.tensor([[1., 0.]]))
        tensor(0.6931)
    """
    _check_tensor(input, "multilabel_soft_margin_loss", "input", 1)
    _check_tensor(target, "multilabel_soft_margin_loss", "target", 2)
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    C = input.size(class_dim)
    loss = loss.sum(dim=class_dim) / C
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    return _apply_reduction(loss, reduction)


# ---- ranking and embedding losses -------------------------------------------------------
def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    r"""Ranking hinge :math:`\max(0, -y (x_1 - x_2) + \mathrm{margin})`, targets in {1, -1}.

    Example::

        >>> F.margin_ranking_loss(torch.tensor([0.3]), torch.tensor([0.5]), torch.tensor([1.]))
        tensor(0.2000)
    """
    _check_tensor(input1, "margin_ranking_loss", "input1", 1)
    _check_tensor(input2, "margin_ranking_loss", "input2", 2)
    _check_tensor(target, "margin_ranking_loss", "target", 3)
    reduction = _reduction(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(
            f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ")
    out = _E.clamp_min(-target * (input1 - input2) + margin, 0)
    return _apply_reduction(out, reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    r""":math:`x_n` where :math:`y_n = 1`, :math:`\max(0, \mathrm{margin} - x_n)` where
    :math:`y_n = -1`.

    Example::

        >>> F.hinge_embedding_loss(torch.tensor([1., 0.8, 0.5]), torch.tensor([1, 1, -1]))
        tensor(0.7667)
    """
    _check_tensor(input, "hinge_embedding_loss", "input", 1)
    _check_tensor(target, "hinge_embedding_loss", "target", 2)
    reduction = _reduction(size_average, reduce, reduction)
    zeros = zeros_like(input)
    margin_clamp = _E.clamp_min(margin - input, 0)
    output_margin = _E.where(target != 1, margin_clamp, zeros)
    output_self = _E.where(target != -1, input, zeros)
    return _apply_reduction(output_margin + output_self, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    r""":math:`1 - \cos(x_1, x_2)` where :math:`y = 1`,
    :math:`\max(0, \cos(x_1, x_2) - \mathrm{margin})` where :math:`y = -1`.

    Example::

        >>> F.cosine_embedding_loss(torch.tensor([[1., 0.]]), torch.tensor([[1., 1.]]),
        ...                         torch.tensor([1.]))
        tensor(0.2929)
    """
    _check_tensor(input1, "cosine_embedding_loss", "input1", 1)
    _check_tensor(input2, "cosine_embedding_loss", "input2", 2)
    _check_tensor(target, "cosine_embedding_loss", "target", 3)
    reduction = _reduction(size_average, reduce, reduction)
    td = target.dim()
    if td not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if td == 1 and not (input1.dim() == 2 and input2.dim() == 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with "
                           f"sizes {_shape_str(input1.shape)} and {_shape_str(input2.shape)}.")
    if td == 0 and not (input1.dim() == 1 and input2.dim() == 1):
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with "
                           f"sizes {_shape_str(input1.shape)} and {_shape_str(input2.shape)}.")
    eps = 1e-12
    prod_sum = (input1 * input2).sum(td)
    mag_square1 = (input1 * input1).sum(td) + eps
    mag_square2 = (input2 * input2).sum(td) + eps
    cos = prod_sum / (mag_square1 * mag_square2).sqrt()
    zeros = zeros_like(cos)
    pos = 1 - cos
    neg = _E.clamp_min(cos - margin, 0)
    out = _E.where(target == 1, pos, zeros) + _E.where(target == -1, neg, zeros)
    return _apply_reduction(out, reduction)


def _pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """torch.pairwise_distance: p-norm of ``x1 - x2 + eps`` over the last dimension."""
    dim = max(x1.ndim, x2.ndim) - 1
    return _R.norm(x1 - x2 + eps, p, dim, keepdim)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    r"""Triplet loss :math:`\max(d(a, p) - d(a, n) + \mathrm{margin}, 0)` with the pairwise
    p-norm distance :math:`d`; ``swap`` uses :math:`\min(d(a, n), d(p, n))`.

    Example::

        >>> a, pos, neg = torch.zeros(1, 2), torch.ones(1, 2), torch.zeros(1, 2)
        >>> F.triplet_margin_loss(a, pos, neg)
        tensor(2.4142)
    """
    _check_tensor(anchor, "triplet_margin_loss", "anchor", 1)
    _check_tensor(positive, "triplet_margin_loss", "positive", 2)
    _check_tensor(negative, "triplet_margin_loss", "negative", 3)
    reduction = _reduction(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _check_triplet_dims(anchor, positive, negative)
    d_pos = _pairwise_distance(anchor, positive, p, eps)
    d_neg = _pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = _E.minimum(d_neg, _pairwise_distance(positive, negative, p, eps))
    return _apply_reduction(_E.clamp_min(margin + d_pos - d_neg, 0), reduction)


def _check_triplet_dims(anchor, positive, negative):
    a, p, n = anchor.ndim, positive.ndim, negative.ndim
    if not (a == p and p == n):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have "
                           f"the same number of dimensions, but got: anchor {a}D, positive {p}D, "
                           f"and negative {n}D inputs")


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    r"""Triplet margin loss with a custom ``distance_function`` (default: pairwise L2).

    Example::

        >>> a, pos, neg = torch.zeros(1, 2), torch.ones(1, 2), torch.zeros(1, 2)
        >>> F.triplet_margin_with_distance_loss(a, pos, neg)
        tensor(2.4142)
    """
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _check_triplet_dims(anchor, positive, negative)
    dist = distance_function if distance_function is not None else _pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = _E.minimum(d_neg, dist(positive, negative))
    loss = _E.clamp_min(margin + d_pos - d_neg, 0)
    return _apply_reduction(loss, reduction)


# ---- sequence loss ----------------------------------------------------------------------
_CTC_WHERE = " (while checking arguments for ctc_loss_allocate_outputs)"


def _lengths(x, name):
    if isinstance(x, Tensor):
        if x._data.dtype.kind not in "iu":
            raise RuntimeError(f"{name} must be integral")
        return x._data.reshape(-1).astype(np.int64)
    return np.asarray([int(v) for v in x], dtype=np.int64)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    r"""Connectionist Temporal Classification loss: :math:`-\log p(y \mid x)` summed over all
    alignments (log-space forward-backward recursion, vectorised over the batch).

    Shape: log_probs (T, N, C) or (T, C); targets (N, S) padded or 1-D concatenated;
    input_lengths and target_lengths (N) as tensors or tuples of ints. 'mean' divides each
    loss by its target length, then averages over the batch.

    Example::

        >>> lp = torch.zeros(2, 1, 2).log_softmax(2)
        >>> F.ctc_loss(lp, torch.tensor([[1]]), (2,), (1,), reduction='sum')
        tensor(0.2877)
    """
    _check_tensor(log_probs, "ctc_loss", "log_probs", 1)
    _check_tensor(targets, "ctc_loss", "targets", 2)
    reduction = _get_enum(reduction)
    len_tensors = (isinstance(input_lengths, Tensor), isinstance(target_lengths, Tensor))
    if len_tensors[0] != len_tensors[1] or not all(
            isinstance(x, (Tensor, tuple, list)) for x in (input_lengths, target_lengths)):
        raise TypeError(
            f"ctc_loss() received an invalid combination of arguments - got (Tensor, Tensor, "
            f"{type(input_lengths).__name__}, {type(target_lengths).__name__}, ...), but "
            "expected input_lengths and target_lengths to be both Tensors or both tuples of ints")
    il = _lengths(input_lengths, "input_lengths")
    tl = _lengths(target_lengths, "target_lengths")
    batched = log_probs.ndim == 3
    lp = log_probs if batched else log_probs.unsqueeze(1)
    if lp.ndim != 3:
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {lp.ndim}-dimensional "
                           f"tensor for argument #1 'log_probs'" + _CTC_WHERE)
    _check_float_input(lp, "ctc_loss_cpu")
    T, N, C = lp.shape
    if lp.numel() == 0:
        raise RuntimeError("log_probs tensor must not be empty")
    if not 0 <= blank < C:
        raise RuntimeError("blank must be in label range")
    if il.shape[0] != N:
        raise RuntimeError("input_lengths must be of size batch_size")
    if tl.shape[0] != N:
        raise RuntimeError("target_lengths must be of size batch_size")
    if targets.ndim not in (1, 2):
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {targets.ndim}-dimensional "
                           f"tensor for argument #2 'targets'" + _CTC_WHERE)
    for v in tl:
        if v < 0:
            raise RuntimeError(f"Expected target_lengths to have value at least 0, but got "
                               f"value {v}" + _CTC_WHERE)
    if targets.ndim == 1:
        total = int(tl.sum())
        if targets.shape[0] != total:
            raise RuntimeError(f"Expected tensor to have size {total} at dimension 0, but got "
                               f"size {targets.shape[0]} for argument #2 'targets'" + _CTC_WHERE)
    else:
        if targets.shape[0] != N:
            raise RuntimeError(f"Expected tensor to have size {N} at dimension 0, but got size "
                               f"{targets.shape[0]} for argument #2 'targets'" + _CTC_WHERE)
        longest = int(tl.max()) if N else 0
        if targets.shape[1] < longest:
            raise RuntimeError(f"Expected tensor to have size at least {longest} at dimension "
                               f"1, but got size {targets.shape[1]} for argument #2 'targets'"
                               + _CTC_WHERE)
    for v in il:
        if v < 0:
            raise RuntimeError(f"Expected input_lengths to have value at least 0, but got value "
                               f"{v}" + _CTC_WHERE)
        if v > T:
            raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value "
                               f"{v}" + _CTC_WHERE)
    tg = _tensor(targets._data.astype(np.int64, copy=False))
    res = apply(_L.CtcLoss, lp, tg, _tensor(il), _tensor(tl), blank=blank,
                zero_infinity=zero_infinity)
    if zero_infinity:
        res = _E.where(res == float("inf"), _tensor(0.0, dtype=res.dtype), res)
    if reduction == "mean":
        tlt = _tensor(np.maximum(tl, 1).astype(res._data.dtype))
        return (res / tlt).mean()
    if reduction == "sum":
        return res.sum()
    return res if batched else _named(res.squeeze(0), "SqueezeBackward1")
