"""Updates with ``differentiable=True``: the same math on numtorch Tensors, recorded by autograd.

With ``differentiable=True`` torch runs ``step()`` with grad mode on and writes the update with
autograd-tracked (in-place) tensor ops, so that a loss computed after the step can be
differentiated with respect to what went into it (the parameters before the step, the
gradients, hyper-parameter tensors). These functions follow torch's differentiable branches
operation by operation; the NumPy kernels in each algorithm's file stay the fast path.
"""
from .._tensor import Tensor

__all__ = []


def _mul_add_(t, other, value):
    """``t.addcmul_(other, other_or_1, value)`` written with the ops numtorch has."""
    return t.add_(other * value)


def sgd(params, grads, momentum_buffer_list, *, weight_decay, momentum, lr, dampening,
        nesterov, maximize):
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        if momentum != 0:
            buf = momentum_buffer_list[i]
            if buf is None:
                buf = grad.detach().clone()
                momentum_buffer_list[i] = buf
            else:
                buf.mul_(momentum).add_(grad, alpha=1 - dampening)
            grad = grad.add(buf, alpha=momentum) if nesterov else buf
        if isinstance(lr, Tensor) and lr.requires_grad:
            param.add_(grad * lr * -1)
        else:
            param.add_(grad, alpha=-float(lr))


def adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, *, amsgrad,
         beta1, beta2, lr, weight_decay, eps, maximize, decoupled_weight_decay):
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        exp_avg = exp_avgs[i]
        exp_avg_sq = exp_avg_sqs[i]
        step_t = state_steps[i]
        if step_t.requires_grad:
            raise RuntimeError("`requires_grad` is not supported for `step` in differentiable "
                               "mode")
        step_t._data += 1
        if weight_decay != 0:
            if decoupled_weight_decay:
                param.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(param, alpha=weight_decay)
        exp_avg.lerp_(grad, 1 - beta1)
        _mul_add_(exp_avg_sq.mul_(beta2), grad * grad, 1 - beta2)
        step = step_t.detach()
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size_neg = (lr / bias_correction1).neg()
        bias_correction2_sqrt = bias_correction2.sqrt()
        if amsgrad:
            max_exp_avg_sq = max_exp_avg_sqs[i].clone()
            max_exp_avg_sqs[i].copy_(max_exp_avg_sq.maximum(exp_avg_sq))
            num = max_exp_avg_sqs[i].sqrt()
        else:
            num = exp_avg_sq.sqrt()
        denom = (num / (bias_correction2_sqrt * step_size_neg)).add_(eps / step_size_neg)
        param.add_(exp_avg.clone() / denom)


def rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffer_list, state_steps, *, lr,
            alpha, eps, weight_decay, momentum, centered, maximize):
    for i, param in enumerate(params):
        step = state_steps[i]
        grad = grads[i] if not maximize else -grads[i]
        square_avg = square_avgs[i]
        step._data += 1
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        _mul_add_(square_avg.mul_(alpha), grad * grad, 1 - alpha)
        if centered:
            grad_avg = grad_avgs[i]
            grad_avg.lerp_(grad, 1 - alpha)
            avg = (square_avg - grad_avg * grad_avg).sqrt_()
        else:
            avg = square_avg.sqrt()
        avg = avg + eps
        if momentum > 0:
            buf = momentum_buffer_list[i]
            buf.mul_(momentum).add_(grad / avg)
            param.add_(buf, alpha=-lr)
        else:
            param.add_(grad / avg * -lr)


def adagrad(params, grads, state_sums, state_steps, *, lr, weight_decay, lr_decay, eps,
            maximize):
    for param, grad, state_sum, step_t in zip(params, grads, state_sums, state_steps):
        step_t._data += 1
        step = float(step_t._data)
        grad = grad if not maximize else -grad
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        clr = lr / (1 + (step - 1) * lr_decay)
        state_sum.add_(grad * grad)
        std = state_sum.sqrt() + eps
        param.add_(grad * -clr / std)
