"""Losses against torch: values, input gradients, grad_fn names, float64 gradcheck, errors.

Every case is a row of ``CASES``: the F.* function, a builder of its arguments (NumPy arrays
for tensors; ``G`` marks the ones that require grad) and keyword options. Each row runs for
each reduction it supports, in numtorch and in torch, and compares everything.
"""
import math
import warnings

import numpy as np
import pytest

import numtorch as nt
import numtorch.nn.functional as NF
from ..conftest import torch, assert_close

TF = torch.nn.functional


class G:
    """An argument that requires grad."""

    def __init__(self, a):
        self.a = a


def rnd(*shape, lo=-2.0, hi=2.0, seed=None):
    return np.random.uniform(lo, hi, shape).astype(np.float32)


def prob(*shape):
    return np.random.uniform(0.02, 0.98, shape).astype(np.float32)


def softmax(*shape, axis=1):
    e = np.exp(np.random.randn(*shape))
    return (e / e.sum(axis=axis, keepdims=True)).astype(np.float32)


def idx(high, *shape, low=0):
    return np.random.randint(low, high, shape).astype(np.int64)


def sign(*shape):
    return np.where(np.random.rand(*shape) < 0.5, -1.0, 1.0).astype(np.float32)


def lengths(*vals):
    return np.array(vals, dtype=np.int64)


def _log_softmax(x, axis):
    m = x.max(axis=axis, keepdims=True)
    return (x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))).astype(x.dtype)


def _mlm_target(n, c):
    t = np.full((n, c), -1, dtype=np.int64)
    for i in range(n):
        k = np.random.randint(1, c)
        t[i, :k] = np.random.choice(c, k, replace=False)
        t[i, k:] = np.random.randint(-1, c, c - k)   # values after the first -1 are ignored
    return t


def _ctc_args(T, N, C, S, padded=True, il=None, tl=None):
    lp = _log_softmax(np.random.randn(T, N, C).astype(np.float32), 2)
    tl = np.random.randint(1, S + 1, N) if tl is None else np.asarray(tl)
    il = np.full(N, T) if il is None else np.asarray(il)
    tg = np.random.randint(1, C, (N, S)).astype(np.int64)
    tg[:, 1] = tg[:, 0]                                   # a repeated label (no skip)
    if not padded:
        tg = np.concatenate([tg[i, :tl[i]] for i in range(N)])
    return [G(lp), tg, il.astype(np.int64), tl.astype(np.int64)]


R3 = ("none", "mean", "sum")

# name, F function name, builder -> (args, kwargs), reductions
CASES = [
    ("l1", "l1_loss", lambda: ([G(rnd(3, 5)), rnd(3, 5)], {}), R3),
    ("l1_bs1", "l1_loss", lambda: ([G(rnd(1, 4)), G(rnd(1, 4))], {}), R3),
    ("l1_weight", "l1_loss", lambda: ([G(rnd(3, 4)), rnd(3, 4)], {"weight": prob(3, 4)}), R3),
    ("mse", "mse_loss", lambda: ([G(rnd(3, 5)), G(rnd(3, 5))], {}), R3),
    ("mse_4d", "mse_loss", lambda: ([G(rnd(2, 3, 2, 2)), rnd(2, 3, 2, 2)], {}), R3),
    ("mse_weight", "mse_loss", lambda: ([G(rnd(3, 4)), rnd(3, 4)], {"weight": prob(3, 4)}), R3),
    ("mse_scalar", "mse_loss", lambda: ([G(rnd()), rnd()], {}), R3),
    ("mse_long_target", "mse_loss", lambda: ([G(rnd(3, 4)), idx(3, 3, 4)], {}), R3),
    ("mse_f64_target", "mse_loss", lambda: ([G(rnd(3, 4)), rnd(3, 4).astype(np.float64)], {}),
     R3),
    ("l1_f64_target", "l1_loss", lambda: ([G(rnd(3, 4)), rnd(3, 4).astype(np.float64)], {}),
     R3),
    # (forward only: torch's own huber backward rejects the mixed dtypes)
    ("huber_f64_target", "huber_loss",
     lambda: ([rnd(3, 4), rnd(3, 4).astype(np.float64)], {}), R3),
    ("smooth_l1_long_target", "smooth_l1_loss", lambda: ([G(rnd(3, 4)), idx(3, 3, 4)], {}), R3),
    ("huber", "huber_loss", lambda: ([G(rnd(4, 5)), G(rnd(4, 5))], {"delta": 0.7}), R3),
    ("huber_weight", "huber_loss",
     lambda: ([G(rnd(4, 5)), rnd(4, 5)], {"weight": prob(4, 5)}), R3),
    ("smooth_l1", "smooth_l1_loss", lambda: ([G(rnd(4, 5)), G(rnd(4, 5))], {}), R3),
    ("smooth_l1_beta", "smooth_l1_loss", lambda: ([G(rnd(4, 5)), rnd(4, 5)], {"beta": 0.3}), R3),
    ("smooth_l1_beta0", "smooth_l1_loss", lambda: ([G(rnd(4, 5)), rnd(4, 5)], {"beta": 0.0}),
     R3),
    ("soft_margin", "soft_margin_loss", lambda: ([G(rnd(3, 4)), sign(3, 4)], {}), R3),
    ("soft_margin_bcast", "soft_margin_loss", lambda: ([G(rnd(3, 4)), sign(4)], {}), R3),
    ("poisson", "poisson_nll_loss", lambda: ([G(rnd(5, 2)), rnd(5, 2, lo=0, hi=3)], {}), R3),
    ("poisson_full", "poisson_nll_loss",
     lambda: ([G(rnd(5, 3)), rnd(5, 3, lo=0, hi=4)], {"full": True}), R3),
    ("poisson_nolog", "poisson_nll_loss",
     lambda: ([G(prob(5, 3) * 3), rnd(5, 3, lo=0, hi=4)],
              {"log_input": False, "full": True, "eps": 1e-4}), R3),
    ("gaussian", "gaussian_nll_loss", lambda: ([G(rnd(4, 3)), G(rnd(4, 3)), G(prob(4, 3))], {}),
     R3),
    ("gaussian_homo", "gaussian_nll_loss",
     lambda: ([G(rnd(4, 3)), rnd(4, 3), G(prob(4))], {"full": True}), R3),
    ("gaussian_bcast1", "gaussian_nll_loss",
     lambda: ([G(rnd(4, 3)), rnd(4, 3), G(prob(4, 1))], {"eps": 0.1}), R3),
    ("gaussian_float", "gaussian_nll_loss", lambda: ([G(rnd(4, 3)), rnd(4, 3), 0.5], {}), R3),
    ("kl", "kl_div", lambda: ([G(np.log(softmax(3, 4))), G(softmax(3, 4))], {}),
     R3 + ("batchmean",)),
    ("kl_zero_target", "kl_div",
     lambda: ([G(np.log(softmax(3, 4))), np.array([[0, .5, .5, 0]] * 3, np.float32)], {}),
     R3 + ("batchmean",)),
    ("kl_log_target", "kl_div",
     lambda: ([G(np.log(softmax(3, 4))), G(np.log(softmax(3, 4)))], {"log_target": True}),
     R3 + ("batchmean",)),
    ("bce", "binary_cross_entropy", lambda: ([G(prob(3, 4)), G(prob(3, 4))], {}), R3),
    ("bce_weight", "binary_cross_entropy",
     lambda: ([G(prob(3, 4)), prob(3, 4).round()], {"weight": prob(4)}), R3),
    ("bce_01", "binary_cross_entropy",
     lambda: ([G(np.array([0., 1., 0.5, 1e-30, 1.], np.float32)),
               np.array([1., 0., 1., 1., 1.], np.float32)], {}), R3),
    ("bce_logits", "binary_cross_entropy_with_logits",
     lambda: ([G(rnd(3, 4, lo=-5, hi=5)), G(prob(3, 4))], {}), R3),
    ("bce_logits_w_pw", "binary_cross_entropy_with_logits",
     lambda: ([G(rnd(3, 4, lo=-5, hi=5)), G(prob(3, 4))],
              {"weight": prob(3, 4), "pos_weight": prob(4) * 3}), R3),
    ("bce_logits_extreme", "binary_cross_entropy_with_logits",
     lambda: ([G(np.array([1e4, -1e4, 80., -80., 0.], np.float32)),
               np.array([0., 1., 1., 0., 1.], np.float32)], {"pos_weight": np.full(5, 2.,
                                                                            np.float32)}), R3),
    ("nll", "nll_loss", lambda: ([G(rnd(4, 5)), idx(5, 4)], {}), R3),
    ("nll_bs1", "nll_loss", lambda: ([G(rnd(1, 5)), idx(5, 1)], {}), R3),
    ("nll_1d", "nll_loss", lambda: ([G(rnd(5)), np.array(3)], {}), R3),
    ("nll_weight_ignore", "nll_loss",
     lambda: ([G(rnd(6, 5)), np.array([0, 1, 4, 2, 1, 3])],
              {"weight": prob(5), "ignore_index": 1}), R3),
    ("nll_all_ignored", "nll_loss",
     lambda: ([G(rnd(3, 5)), np.array([-100, -100, -100])], {}), R3),
    ("nll_3d", "nll_loss", lambda: ([G(rnd(2, 4, 3)), idx(4, 2, 3)], {"weight": prob(4)}), R3),
    ("nll_4d", "nll_loss",
     lambda: ([G(rnd(2, 3, 2, 2)), idx(3, 2, 2, 2)], {"ignore_index": 0}), R3),
    ("nll_5d", "nll_loss", lambda: ([G(rnd(2, 3, 2, 1, 2)), idx(3, 2, 2, 1, 2)], {}), R3),
    ("ce", "cross_entropy", lambda: ([G(rnd(4, 5)), idx(5, 4)], {}), R3),
    ("ce_bs1", "cross_entropy", lambda: ([G(rnd(1, 3)), idx(3, 1)], {}), R3),
    ("ce_1d", "cross_entropy", lambda: ([G(rnd(5)), np.array(2)], {}), R3),
    ("ce_extreme", "cross_entropy",
     lambda: ([G(np.array([[1e4, -1e4, 0.], [-1e4, 1e4, 1e4]], np.float32)),
               np.array([1, 0])], {}), R3),
    ("ce_weight_ignore", "cross_entropy",
     lambda: ([G(rnd(6, 5)), np.array([0, 1, 4, 2, -100, 3])], {"weight": prob(5)}), R3),
    ("ce_4d", "cross_entropy", lambda: ([G(rnd(2, 3, 2, 2)), idx(3, 2, 2, 2)], {}), R3),
    ("ce_3d_weight", "cross_entropy",
     lambda: ([G(rnd(2, 4, 3)), idx(4, 2, 3)], {"weight": prob(4)}), R3),
    ("ce_smoothing", "cross_entropy",
     lambda: ([G(rnd(4, 5)), idx(5, 4)], {"label_smoothing": 0.2}), R3),
    ("ce_smoothing_w_ign", "cross_entropy",
     lambda: ([G(rnd(5, 4)), np.array([0, 3, 2, 3, 1])],
              {"label_smoothing": 0.3, "weight": prob(4), "ignore_index": 3}), R3),
    ("ce_smoothing_4d", "cross_entropy",
     lambda: ([G(rnd(2, 3, 2, 2)), idx(3, 2, 2, 2)], {"label_smoothing": 0.1}), R3),
    ("ce_smoothing_1d", "cross_entropy",
     lambda: ([G(rnd(5)), np.array(2)], {"label_smoothing": 0.1}), R3),
    ("ce_prob", "cross_entropy", lambda: ([G(rnd(4, 5)), G(softmax(4, 5))], {}), R3),
    ("ce_prob_1d", "cross_entropy", lambda: ([G(rnd(5)), softmax(5, axis=0)], {}), R3),
    ("ce_prob_w_ls", "cross_entropy",
     lambda: ([G(rnd(4, 5)), softmax(4, 5)], {"weight": prob(5), "label_smoothing": 0.25}), R3),
    ("ce_prob_3d", "cross_entropy",
     lambda: ([G(rnd(2, 4, 3)), softmax(2, 4, 3)], {"weight": prob(4)}), R3),
    ("margin_ranking", "margin_ranking_loss",
     lambda: ([G(rnd(5)), G(rnd(5)), sign(5)], {"margin": 0.3}), R3),
    ("hinge_embedding", "hinge_embedding_loss", lambda: ([G(rnd(3, 4)), sign(3, 4)], {}), R3),
    ("hinge_embedding_m", "hinge_embedding_loss",
     lambda: ([G(rnd(6)), sign(6)], {"margin": 0.5}), R3),
    ("multilabel_margin", "multilabel_margin_loss",
     lambda: ([G(rnd(4, 5)), _mlm_target(4, 5)], {}), R3),
    ("multilabel_margin_1d", "multilabel_margin_loss",
     lambda: ([G(rnd(4)), np.array([3, 0, -1, 1])], {}), R3),
    ("multilabel_soft_margin", "multilabel_soft_margin_loss",
     lambda: ([G(rnd(3, 4)), prob(3, 4).round()], {}), R3),
    ("multilabel_soft_margin_w", "multilabel_soft_margin_loss",
     lambda: ([G(rnd(3, 4)), G(prob(3, 4))], {"weight": prob(4)}), R3),
    ("cosine_embedding", "cosine_embedding_loss",
     lambda: ([G(rnd(4, 3)), G(rnd(4, 3)), sign(4)], {"margin": 0.1}), R3),
    ("cosine_embedding_1d", "cosine_embedding_loss",
     lambda: ([G(rnd(3)), G(rnd(3)), np.array(-1., np.float32)], {}), R3),
    ("multi_margin", "multi_margin_loss", lambda: ([G(rnd(4, 5)), idx(5, 4)], {}), R3),
    ("multi_margin_p2_w", "multi_margin_loss",
     lambda: ([G(rnd(4, 5)), idx(5, 4)], {"p": 2, "margin": 0.5, "weight": prob(5)}), R3),
    ("multi_margin_1d", "multi_margin_loss", lambda: ([G(rnd(5)), np.array(1)], {}), R3),
    ("multi_margin_1d_t1", "multi_margin_loss", lambda: ([G(rnd(5)), np.array([1])], {}), R3),
    ("triplet", "triplet_margin_loss", lambda: ([G(rnd(4, 6)), G(rnd(4, 6)), G(rnd(4, 6))], {}),
     R3),
    ("triplet_p1_swap", "triplet_margin_loss",
     lambda: ([G(rnd(4, 6)), G(rnd(4, 6)), G(rnd(4, 6))],
              {"p": 1, "swap": True, "margin": 0.5, "eps": 1e-3}), R3),
    ("triplet_1d", "triplet_margin_loss", lambda: ([G(rnd(6)), G(rnd(6)), G(rnd(6))], {}), R3),
    ("triplet_dist", "triplet_margin_with_distance_loss",
     lambda: ([G(rnd(4, 6)), G(rnd(4, 6)), G(rnd(4, 6))], {"swap": True}), R3),
    ("triplet_dist_fn", "triplet_margin_with_distance_loss",
     lambda: ([G(rnd(4, 6)), G(rnd(4, 6)), G(rnd(4, 6))],
              {"distance_function": "l1", "margin": 0.5}), R3),
    ("ctc", "ctc_loss", lambda: (_ctc_args(12, 3, 5, 4), {}), R3),
    ("ctc_concat_lengths", "ctc_loss",
     lambda: (_ctc_args(10, 3, 6, 4, padded=False, il=[10, 7, 9], tl=[4, 2, 3]), {}), R3),
    ("ctc_blank_last", "ctc_loss",
     lambda: ([G(_log_softmax(rnd(8, 2, 4), 2)), np.array([[0, 1, 1], [2, 0, 0]]),
               lengths(8, 6), lengths(3, 1)], {"blank": 3}), R3),
    ("ctc_bs1_target0", "ctc_loss",
     lambda: (_ctc_args(6, 1, 3, 2, tl=[0]), {}), R3),
    ("ctc_impossible", "ctc_loss",
     lambda: (_ctc_args(4, 2, 5, 4, tl=[4, 1], il=[4, 3]), {"zero_infinity": True}), R3),
    ("ctc_unnormalised", "ctc_loss",
     lambda: ([G(rnd(7, 2, 4, lo=-30, hi=5)), np.array([[1, 2], [3, 3]]), lengths(7, 7),
               lengths(2, 2)], {}), R3),
    ("ctc_unbatched", "ctc_loss",
     lambda: ([G(_log_softmax(rnd(9, 4), 1)), np.array([1, 2, 2]), np.array(9), np.array(3)],
              {}), R3),
]

BIG = np.array([[1e4, -1e4, 3e3], [-2.5e3, 0.0, 1e-6]], np.float32)

# Extreme values and batch size 1.
CASES += [
    ("mse_big", "mse_loss", lambda: ([G(BIG), BIG[::-1].copy()], {}), R3),
    ("huber_big", "huber_loss", lambda: ([G(BIG), BIG * 0.5], {"delta": 2.0}), R3),
    ("smooth_l1_big", "smooth_l1_loss", lambda: ([G(BIG), -BIG], {"beta": 0.5}), R3),
    ("l1_big", "l1_loss", lambda: ([G(BIG), BIG[::-1].copy()], {}), R3),
    ("soft_margin_big", "soft_margin_loss",
     lambda: ([G(np.array([40., -40., 15., 0.], np.float32)), np.array([1., 1., -1., 1.],
                                                                        np.float32)], {}), R3),
    ("bce_logits_big_bs1", "binary_cross_entropy_with_logits",
     lambda: ([G(np.array([[90., -90., 1e3]], np.float32)), np.array([[1., 1., 0.]],
                                                                       np.float32)], {}), R3),
    ("kl_tiny_probs", "kl_div",
     lambda: ([G(np.log(np.array([[1e-30, 1 - 1e-7, 1e-7]], np.float32))),
               np.array([[1e-20, 0.5, 0.5]], np.float32)], {}), R3 + ("batchmean",)),
    ("poisson_big", "poisson_nll_loss",
     lambda: ([G(np.array([20., -30., 0.], np.float32)), np.array([3., 0., 1e4], np.float32)],
              {"full": True}), R3),
    ("nll_big", "nll_loss", lambda: ([G(BIG), np.array([0, 2])], {"weight": prob(3)}), R3),
    ("ce_big_4d", "cross_entropy",
     lambda: ([G(BIG.reshape(1, 3, 2, 1)), np.array([[[0], [2]]])], {}), R3),
    ("ce_smoothing_big", "cross_entropy",
     lambda: ([G(BIG), np.array([1, 0])], {"label_smoothing": 0.1}), R3),
    ("ce_prob_big", "cross_entropy", lambda: ([G(BIG), softmax(2, 3)], {}), R3),
    ("multi_margin_big_bs1", "multi_margin_loss",
     lambda: ([G(BIG[:1]), np.array([1])], {"p": 2}), R3),
    ("multilabel_margin_bs1", "multilabel_margin_loss",
     lambda: ([G(BIG[:1]), np.array([[2, 2, 0]])], {}), R3),
    ("margin_ranking_bs1", "margin_ranking_loss",
     lambda: ([G(rnd(1)), G(rnd(1)), sign(1)], {}), R3),
    ("cosine_zero_vector", "cosine_embedding_loss",
     lambda: ([G(np.array([[0., 0., 0.], [1., 2., 3.]], np.float32)), G(rnd(2, 3)),
               np.array([1., -1.], np.float32)], {}), R3),
    ("triplet_bs1_identical", "triplet_margin_loss",
     lambda: ([G(np.ones((1, 4), np.float32)), G(np.ones((1, 4), np.float32)),
               G(rnd(1, 4))], {}), R3),
    ("bce_bs1", "binary_cross_entropy", lambda: ([G(prob(1, 1)), np.ones((1, 1), np.float32)],
                                                 {}), R3),
    ("ctc_long_T", "ctc_loss", lambda: (_ctc_args(60, 2, 4, 3), {}), R3),
]

_DIST = {"l1": lambda lib: (lambda a, b: (a - b).abs().sum(-1))}


def _to(lib, a, grad, dtype=None):
    arr = np.array(a, copy=True)
    if dtype is not None and arr.dtype.kind == "f":
        arr = arr.astype(dtype)
    if lib is torch:
        t = torch.from_numpy(arr)
    else:
        t = nt.from_numpy(arr)
    return t.requires_grad_() if grad else t


def _build(lib, args, kwargs, dtype=None):
    targs = []
    for i, a in enumerate(args):
        if isinstance(a, G):
            targs.append(_to(lib, a.a, True, dtype))
        elif isinstance(a, np.ndarray):
            targs.append(_to(lib, a, False, dtype))
        else:
            targs.append(a)
    tkw = {}
    for k, v in kwargs.items():
        if isinstance(v, np.ndarray):
            tkw[k] = _to(lib, v, False, dtype)
        elif k == "distance_function":
            tkw[k] = _DIST[v](lib)
        else:
            tkw[k] = v
    return targs, tkw


def _run(lib, fname, args, kwargs, reduction, upstream, dtype=None):
    F = TF if lib is torch else NF
    targs, tkw = _build(lib, args, kwargs, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = getattr(F, fname)(*targs, reduction=reduction, **tkw)
    grads = []
    if out.requires_grad:
        g = _to(lib, upstream(tuple(out.shape)), False, dtype)
        out.backward(g)
        grads = [t.grad for t in targs if hasattr(t, "requires_grad") and t.requires_grad]
    return out, grads


def _upstream_fn():
    cache = {}

    def up(shape):
        if shape not in cache:
            cache[shape] = np.random.uniform(0.5, 1.5, shape).astype(np.float32)
        return cache[shape]
    return up


def _params(cases):
    return [pytest.param(fname, build, red, id=f"{name}-{red}")
            for name, fname, build, reds in cases for red in reds]


def _tol(fname):
    # CTC sums exp() of float32 log-space recursions over time: torch and numtorch round
    # differently along the way (torch's own float32 result differs from float64 by as much).
    return dict(rtol=1e-4, atol=1e-5) if fname == "ctc_loss" else dict(rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fname,build,reduction", _params(CASES))
def test_loss_matches_torch(fname, build, reduction):
    args, kwargs = build()
    up = _upstream_fn()
    t_out, t_grads = _run(torch, fname, args, kwargs, reduction, up)
    n_out, n_grads = _run(nt, fname, args, kwargs, reduction, up)
    assert_close(n_out, t_out, **_tol(fname))
    assert n_out.requires_grad == t_out.requires_grad
    if t_out.grad_fn is not None:
        assert n_out.grad_fn.name() == type(t_out.grad_fn).__name__
    assert len(n_grads) == len(t_grads)
    for gn, gt in zip(n_grads, t_grads):
        assert_close(gn, gt, **_tol(fname))


# float64 gradcheck of every fused op and composite (one reduction each keeps this fast).
# Not gradchecked: inf/nan results or gradients (ctc_impossible, nll_all_ignored), inputs at
# the edge of the domain (bce_01: probabilities 0 and 1, a finite-difference step leaves
# [0, 1]), a 1e-6 norm under a 1e-6 step (cosine_zero_vector), and the long CTC row (slow;
# its values and gradients are still compared with torch above).
_GRADCHECK_SKIP = {"cosine_zero_vector", "ctc_long_T", "ctc_impossible", "nll_all_ignored",
                   "bce_01"}


@pytest.mark.parametrize("fname,build,reduction", _params(
    [(n, f, b, ("sum",)) for n, f, b, _ in CASES if n not in _GRADCHECK_SKIP]))
def test_loss_gradcheck_float64(fname, build, reduction):
    args, kwargs = build()
    targs, tkw = _build(nt, args, kwargs, dtype=np.float64)
    grad_idx = [i for i, a in enumerate(targs) if isinstance(a, nt.Tensor) and a.requires_grad]
    F = getattr(NF, fname)

    def fn(*gargs):
        full = list(targs)
        for i, a in zip(grad_idx, gargs):
            full[i] = a
        if fname == "ctc_loss":
            # torch's CTC gradient is the one for log_probs that come out of a log_softmax
            # (it is exp(log_probs) - occupancy); check it through one, as torch's tests do.
            full[0] = NF.log_softmax(full[0], full[0].ndim - 1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return F(*full, reduction=reduction, **tkw)
    assert nt.autograd.gradcheck(fn, tuple(targs[i] for i in grad_idx), eps=1e-6, atol=1e-5)


def test_loss_float64_stays_float64():
    x = nt.randn(3, 4, dtype=nt.float64, requires_grad=True)
    t = nt.tensor([0, 1, 3])
    for out in (NF.cross_entropy(x, t), NF.mse_loss(x, x.detach() * 2),
                NF.binary_cross_entropy_with_logits(x, x.detach().sigmoid()),
                NF.multi_margin_loss(x, t), NF.smooth_l1_loss(x, x.detach() + 1)):
        assert out.dtype == nt.float64
        out.backward()
        assert x.grad.dtype == nt.float64


def test_ce_large_logits_no_overflow():
    x = nt.tensor([[1e4, 0.0, -1e4]], requires_grad=True)
    out = NF.cross_entropy(x, nt.tensor([2]))
    out.backward()
    assert math.isfinite(out.item()) and out.item() == pytest.approx(2e4)
    assert np.isfinite(x.grad._data).all()


def test_ctc_tuple_lengths_match_tensor_lengths():
    lp, tg, il, tl = _ctc_args(9, 3, 5, 3)
    a = NF.ctc_loss(nt.from_numpy(lp.a), nt.from_numpy(tg), tuple(il.tolist()),
                    tuple(tl.tolist()), reduction="none")
    b = TF.ctc_loss(torch.from_numpy(lp.a), torch.from_numpy(tg), torch.from_numpy(il),
                    torch.from_numpy(tl), reduction="none")
    assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_ctc_vectorised_over_batch(monkeypatch):
    """One array op per time step for the whole batch: the number of recursion steps does
    not grow with the batch size (no Python loop over samples)."""
    from numtorch.ops import loss as ops_loss
    calls = []
    orig = ops_loss._Lse3.__call__

    def counting(self, out, *rest):
        calls.append(out.shape[0])
        return orig(self, out, *rest)
    monkeypatch.setattr(ops_loss._Lse3, "__call__", counting)
    for n in (2, 64):
        calls.clear()
        args = _ctc_args(30, n, 8, 6)
        lp = nt.from_numpy(args[0].a).requires_grad_()
        tg, il, tl = (nt.from_numpy(a) for a in args[1:])
        NF.ctc_loss(lp, tg, il, tl).backward()
        assert calls == [n] * (2 * (30 - 1))


# ---- errors: same exception type as torch (and the same message where it is torch's own) -----
def _t(lib, a, dtype=None):
    arr = np.array(a, dtype=dtype)
    if arr.dtype == np.float64 and dtype is None:
        arr = arr.astype(np.float32)
    return torch.from_numpy(arr) if lib is torch else nt.from_numpy(arr)


X35 = np.linspace(-1, 1, 15, dtype=np.float32).reshape(3, 5)
LP = _log_softmax(np.sin(np.arange(48, dtype=np.float32)).reshape(6, 2, 4), 2)
TG = np.array([[1, 2], [1, 2]])

ERRORS = [
    ("nll_out_of_bounds", lambda L, F: F.nll_loss(_t(L, X35), _t(L, [0, 5, 1]))),
    ("nll_negative_target", lambda L, F: F.nll_loss(_t(L, X35), _t(L, [0, -1, 1]))),
    ("nll_float_target", lambda L, F: F.nll_loss(_t(L, X35), _t(L, [0., 1., 1.]))),
    ("nll_int32_target", lambda L, F: F.nll_loss(_t(L, X35), _t(L, [0, 1, 1], np.int32))),
    ("nll_batch_mismatch", lambda L, F: F.nll_loss(_t(L, X35), _t(L, [0, 1]))),
    ("nll_0d_input", lambda L, F: F.nll_loss(_t(L, 1.), _t(L, 0))),
    ("nll_1d_input_long_target", lambda L, F: F.nll_loss(_t(L, X35[0]), _t(L, [1, 2]))),
    ("nll_2d_target", lambda L, F: F.nll_loss(_t(L, X35), _t(L, [[0, 1, 1]] * 3))),
    ("nll_weight_size", lambda L, F: F.nll_loss(_t(L, X35), _t(L, [0, 1, 1]),
                                                weight=_t(L, np.ones(4)))),
    ("nll_weight_dtype", lambda L, F: F.nll_loss(_t(L, X35), _t(L, [0, 1, 1]),
                                                 weight=_t(L, np.ones(5), np.float64))),
    ("nll_3d_target_shape", lambda L, F: F.nll_loss(_t(L, np.zeros((2, 3, 4))),
                                                    _t(L, np.zeros((2, 5), np.int64)))),
    ("nll_4d_target_shape", lambda L, F: F.nll_loss(_t(L, np.zeros((2, 3, 4, 4))),
                                                    _t(L, np.zeros((2, 4, 5), np.int64)))),
    ("nll_4d_target_dim", lambda L, F: F.nll_loss(_t(L, np.zeros((2, 3, 4, 4))),
                                                  _t(L, np.zeros((2, 16), np.int64)))),
    ("nll_4d_out_of_bounds", lambda L, F: F.nll_loss(_t(L, np.zeros((2, 3, 2, 2))),
                                                     _t(L, np.full((2, 2, 2), 3)))),
    ("nll_bad_reduction", lambda L, F: F.nll_loss(_t(L, X35), _t(L, [0, 1, 1]),
                                                  reduction="avg")),
    ("ce_out_of_bounds", lambda L, F: F.cross_entropy(_t(L, X35), _t(L, [0, 5, 1]))),
    ("ce_float_class_target", lambda L, F: F.cross_entropy(_t(L, X35), _t(L, [0., 1., 1.]))),
    ("ce_int_prob_target", lambda L, F: F.cross_entropy(_t(L, X35),
                                                        _t(L, np.zeros((3, 5), np.int64)))),
    ("ce_prob_ignore_index", lambda L, F: F.cross_entropy(_t(L, X35), _t(L, X35),
                                                          ignore_index=1)),
    ("ce_smoothing_too_big", lambda L, F: F.cross_entropy(_t(L, X35), _t(L, [0, 1, 1]),
                                                          label_smoothing=1.5)),
    ("ce_prob_weight_size", lambda L, F: F.cross_entropy(_t(L, X35), _t(L, X35),
                                                         weight=_t(L, np.ones(4)))),
    ("ce_smoothing_weight_size", lambda L, F: F.cross_entropy(
        _t(L, X35), _t(L, [0, 1, 1]), weight=_t(L, np.ones(4)), label_smoothing=0.1)),
    ("ce_int_input", lambda L, F: F.cross_entropy(_t(L, np.ones((3, 5), np.int64)),
                                                  _t(L, [0, 1, 1]))),
    ("ce_0d", lambda L, F: F.cross_entropy(_t(L, 1.), _t(L, 0))),
    ("ce_bad_reduction", lambda L, F: F.cross_entropy(_t(L, X35), _t(L, [0, 1, 1]),
                                                      reduction="batchmean")),
    ("bce_out_of_range", lambda L, F: F.binary_cross_entropy(_t(L, [1.5]), _t(L, [1.]))),
    ("bce_size", lambda L, F: F.binary_cross_entropy(_t(L, [.5] * 3), _t(L, [[1.]] * 3))),
    ("bce_long_target", lambda L, F: F.binary_cross_entropy(_t(L, [.5] * 3), _t(L, [1, 0, 1]))),
    ("bce_weight_shape", lambda L, F: F.binary_cross_entropy(_t(L, [.5] * 3), _t(L, [1.] * 3),
                                                             weight=_t(L, [1., 2.]))),
    ("bce_logits_size", lambda L, F: F.binary_cross_entropy_with_logits(_t(L, [.5] * 3),
                                                                        _t(L, [[1.]] * 3))),
    ("bce_logits_long_target", lambda L, F: F.binary_cross_entropy_with_logits(
        _t(L, [.5] * 3), _t(L, [1, 0, 1]))),
    ("bce_logits_pos_weight", lambda L, F: F.binary_cross_entropy_with_logits(
        _t(L, X35), _t(L, X35), pos_weight=_t(L, [1., 2., 3.]))),
    ("mse_shape", lambda L, F: F.mse_loss(_t(L, [1., 2., 3.]), _t(L, [1., 2., 3., 4.]))),
    ("mse_long", lambda L, F: F.mse_loss(_t(L, [1, 2]), _t(L, [1, 2]))),
    ("mse_weight_shape", lambda L, F: F.mse_loss(_t(L, [1., 2.]), _t(L, [1., 2.]),
                                                 weight=_t(L, [1.]))),
    ("l1_shape", lambda L, F: F.l1_loss(_t(L, [1., 2., 3.]), _t(L, [1., 2.]))),
    ("l1_bad_reduction", lambda L, F: F.l1_loss(_t(L, [1.]), _t(L, [1.]), reduction="foo")),
    ("smooth_l1_negative_beta", lambda L, F: F.smooth_l1_loss(_t(L, [1.]), _t(L, [1.]),
                                                              beta=-1.)),
    ("huber_zero_delta", lambda L, F: F.huber_loss(_t(L, [1.]), _t(L, [1.]), delta=0.)),
    ("huber_weight_shape", lambda L, F: F.huber_loss(_t(L, [1., 2.]), _t(L, [1., 2.]),
                                                     weight=_t(L, [1.]))),
    ("soft_margin_shape", lambda L, F: F.soft_margin_loss(_t(L, [1., 2.]), _t(L, [1., 2., 3]))),
    ("soft_margin_grows", lambda L, F: F.soft_margin_loss(_t(L, [1., 2.]),
                                                          _t(L, [[1., 2.]] * 2))),
    ("multi_margin_p3", lambda L, F: F.multi_margin_loss(_t(L, X35), _t(L, [0, 1, 1]), p=3)),
    ("multi_margin_out_of_range", lambda L, F: F.multi_margin_loss(_t(L, X35),
                                                                   _t(L, [0, 5, 1]))),
    ("multi_margin_target_size", lambda L, F: F.multi_margin_loss(_t(L, X35), _t(L, [0, 1]))),
    ("multi_margin_3d", lambda L, F: F.multi_margin_loss(_t(L, np.zeros((2, 3, 4))),
                                                         _t(L, [0, 1]))),
    ("multi_margin_weight_dim", lambda L, F: F.multi_margin_loss(
        _t(L, X35), _t(L, [0, 1, 1]), weight=_t(L, np.ones((1, 5))))),
    ("multi_margin_weight_size", lambda L, F: F.multi_margin_loss(
        _t(L, X35), _t(L, [0, 1, 1]), weight=_t(L, np.ones(4)))),
    ("multi_margin_float_target", lambda L, F: F.multi_margin_loss(_t(L, X35),
                                                                   _t(L, [0., 1., 1.]))),
    ("multilabel_margin_out_of_range", lambda L, F: F.multilabel_margin_loss(
        _t(L, X35), _t(L, np.full((3, 5), 5)))),
    ("multilabel_margin_after_stop", lambda L, F: F.multilabel_margin_loss(
        _t(L, X35[0]), _t(L, [1, 3, -1, 9, 0]))),
    ("multilabel_margin_size", lambda L, F: F.multilabel_margin_loss(
        _t(L, X35), _t(L, np.ones((3, 4), np.int64)))),
    ("multilabel_margin_float", lambda L, F: F.multilabel_margin_loss(_t(L, X35), _t(L, X35))),
    ("multilabel_margin_3d", lambda L, F: F.multilabel_margin_loss(
        _t(L, np.zeros((2, 2, 5))), _t(L, np.zeros((2, 2, 5), np.int64)))),
    ("margin_ranking_dims", lambda L, F: F.margin_ranking_loss(_t(L, [1.]), _t(L, [1.]),
                                                               _t(L, [[1.]]))),
    ("margin_ranking_shape", lambda L, F: F.margin_ranking_loss(_t(L, [1., 2.]),
                                                                _t(L, [1., 2., 3.]),
                                                                _t(L, [1., 1.]))),
    ("hinge_shape", lambda L, F: F.hinge_embedding_loss(_t(L, [1., 2.]), _t(L, [1., 1., 1.]))),
    ("cosine_target_2d", lambda L, F: F.cosine_embedding_loss(_t(L, X35), _t(L, X35),
                                                              _t(L, [[1.]] * 3))),
    ("cosine_input_3d", lambda L, F: F.cosine_embedding_loss(
        _t(L, np.ones((3, 4, 2))), _t(L, np.ones((3, 4, 2))), _t(L, [1.] * 3))),
    ("cosine_0d_target_2d_input", lambda L, F: F.cosine_embedding_loss(_t(L, X35), _t(L, X35),
                                                                       _t(L, 1.))),
    ("triplet_margin_zero", lambda L, F: F.triplet_margin_loss(_t(L, X35), _t(L, X35),
                                                               _t(L, X35), margin=0)),
    ("triplet_dims", lambda L, F: F.triplet_margin_loss(_t(L, X35), _t(L, X35), _t(L, X35[0]))),
    ("triplet_dist_dims", lambda L, F: F.triplet_margin_with_distance_loss(
        _t(L, X35), _t(L, X35), _t(L, X35[0]))),
    ("triplet_dist_reduction", lambda L, F: F.triplet_margin_with_distance_loss(
        _t(L, X35), _t(L, X35), _t(L, X35), reduction="foo")),
    ("kl_shape", lambda L, F: F.kl_div(_t(L, [1., 2.]), _t(L, [1., 2., 3.]), reduction="sum")),
    ("kl_bad_reduction", lambda L, F: F.kl_div(_t(L, [1.]), _t(L, [1.]), reduction="foo")),
    ("poisson_bad_reduction", lambda L, F: F.poisson_nll_loss(_t(L, [1.]), _t(L, [1.]),
                                                              reduction="foo")),
    ("gaussian_negative_var", lambda L, F: F.gaussian_nll_loss(_t(L, [1., 2.]), _t(L, [1., 2.]),
                                                               _t(L, [1., -1.]))),
    ("gaussian_negative_float", lambda L, F: F.gaussian_nll_loss(_t(L, [1.]), _t(L, [1.]),
                                                                 -0.5)),
    ("gaussian_var_size", lambda L, F: F.gaussian_nll_loss(_t(L, X35), _t(L, X35),
                                                           _t(L, [1.] * 4))),
    ("gaussian_bad_reduction", lambda L, F: F.gaussian_nll_loss(_t(L, X35), _t(L, X35),
                                                                _t(L, X35 ** 2),
                                                                reduction="foo")),
    ("multilabel_soft_bad_reduction", lambda L, F: F.multilabel_soft_margin_loss(
        _t(L, X35), _t(L, X35), reduction="foo")),
    ("ctc_negative_target_length", lambda L, F: F.ctc_loss(_t(L, LP), _t(L, TG), [6, 6],
                                                           [-1, 2])),
    ("ctc_negative_input_length", lambda L, F: F.ctc_loss(_t(L, LP), _t(L, TG), [-1, 6],
                                                          [1, 2])),
    ("ctc_input_length_too_big", lambda L, F: F.ctc_loss(_t(L, LP), _t(L, TG), [7, 6], [1, 2])),
    ("ctc_input_lengths_size", lambda L, F: F.ctc_loss(_t(L, LP), _t(L, TG), [6], [1, 2])),
    ("ctc_target_lengths_size", lambda L, F: F.ctc_loss(_t(L, LP), _t(L, TG), [6, 6],
                                                        [1, 2, 3])),
    ("ctc_targets_too_short", lambda L, F: F.ctc_loss(_t(L, LP), _t(L, TG), [6, 6], [3, 2])),
    ("ctc_targets_rows", lambda L, F: F.ctc_loss(_t(L, LP), _t(L, TG[:1]), [6, 6], [1, 2])),
    ("ctc_concat_size", lambda L, F: F.ctc_loss(_t(L, LP), _t(L, [1, 2, 1]), [6, 6], [1, 1])),
    ("ctc_blank_range", lambda L, F: F.ctc_loss(_t(L, LP), _t(L, TG), [6, 6], [1, 2],
                                                blank=4)),
    ("ctc_float_lengths", lambda L, F: F.ctc_loss(_t(L, LP), _t(L, TG), _t(L, [6., 6.]),
                                                  _t(L, [1, 2]))),
    ("ctc_mixed_lengths", lambda L, F: F.ctc_loss(_t(L, LP), _t(L, TG), _t(L, [6, 6]),
                                                  (1, 2))),
    ("ctc_int_lengths", lambda L, F: F.ctc_loss(_t(L, LP[:, 0]), _t(L, [1, 2]), 6, 2)),
    ("ctc_log_probs_4d", lambda L, F: F.ctc_loss(_t(L, LP[..., None]), _t(L, TG), [6, 6],
                                                 [1, 2])),
    ("ctc_targets_3d", lambda L, F: F.ctc_loss(_t(L, LP), _t(L, TG[None]), [6, 6], [1, 2])),
    ("ctc_unbatched_targets_size", lambda L, F: F.ctc_loss(
        _t(L, LP[:, 0]), _t(L, [1, 2, 3]), _t(L, 6), _t(L, 2))),
    ("ctc_long_log_probs", lambda L, F: F.ctc_loss(_t(L, LP.astype(np.int64)), _t(L, TG),
                                                   [6, 6], [1, 2])),
    ("ctc_bad_reduction", lambda L, F: F.ctc_loss(_t(L, LP), _t(L, TG), [6, 6], [1, 2],
                                                  reduction="foo")),
    ("ctc_empty", lambda L, F: F.ctc_loss(_t(L, np.zeros((5, 0, 3))), _t(L, np.zeros((0, 2),
                                          np.int64)), _t(L, [], np.int64),
                                          _t(L, [], np.int64))),
    ("soft_margin_target_grad", lambda L, F: F.soft_margin_loss(
        _t(L, [.5, .2]), _t(L, [1., -1.]).requires_grad_())),
    ("bce_weight_grad", lambda L, F: F.binary_cross_entropy(
        _t(L, [.5, .2]), _t(L, [1., 0.]), weight=_t(L, [1., 2.]).requires_grad_())),
    ("bce_logits_weight_grad", lambda L, F: F.binary_cross_entropy_with_logits(
        _t(L, [.5, .2]), _t(L, [1., 0.]), weight=_t(L, [1., 2.]).requires_grad_())),
    ("bce_logits_pos_weight_grad", lambda L, F: F.binary_cross_entropy_with_logits(
        _t(L, [.5, .2]), _t(L, [1., 0.]), pos_weight=_t(L, [1., 2.]).requires_grad_())),
    ("bce_logits_weight_grows", lambda L, F: F.binary_cross_entropy_with_logits(
        _t(L, [.5, .2]), _t(L, [1., 0.]), weight=_t(L, np.ones((3, 2))))),
    ("nll_weight_grad", lambda L, F: F.nll_loss(_t(L, X35), _t(L, [0, 1, 1]),
                                                weight=_t(L, np.ones(5)).requires_grad_())),
    ("ce_weight_grad", lambda L, F: F.cross_entropy(_t(L, X35), _t(L, [0, 1, 1]),
                                                    weight=_t(L, np.ones(5)).requires_grad_())),
    ("multi_margin_weight_grad", lambda L, F: F.multi_margin_loss(
        _t(L, X35), _t(L, [0, 1, 1]), weight=_t(L, np.ones(5)).requires_grad_())),
]

# Cases where numtorch's message is its own (torch's is an argument-parser dump).
_OWN_MESSAGE = {"ctc_mixed_lengths", "ctc_int_lengths", "bce_weight_shape"}


@pytest.mark.parametrize("name,call", ERRORS, ids=[e[0] for e in ERRORS])
def test_loss_errors_match_torch(name, call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as t_err:
            call(torch, TF)
        with pytest.raises(Exception) as n_err:
            call(nt, NF)
    assert type(n_err.value) is type(t_err.value), (n_err.value, t_err.value)
    if name not in _OWN_MESSAGE:
        assert str(n_err.value).replace("numtorch", "torch") == str(t_err.value)


def test_ctc_target_longer_than_input_is_inf_like_torch():
    lp = nt.from_numpy(LP).requires_grad_()
    tg = nt.tensor([[1, 1, 1, 1], [1, 2, 0, 0]])
    out = NF.ctc_loss(lp, tg, [6, 6], [4, 2], reduction="none")
    ref = TF.ctc_loss(torch.from_numpy(LP), torch.from_numpy(tg._data), [6, 6], [4, 2],
                      reduction="none")
    assert_close(out, ref, rtol=1e-4, atol=1e-5)
    assert math.isinf(out[0].item())
    zi = NF.ctc_loss(lp, tg, [6, 6], [4, 2], reduction="sum", zero_infinity=True)
    zi.backward()
    assert np.isfinite(lp.grad._data).all() and (lp.grad._data[:, 0] == 0).all()


# ---- modules ------------------------------------------------------------------------------
MODULES = [
    ("L1Loss", {}, lambda: [G(rnd(3, 4)), rnd(3, 4)]),
    ("MSELoss", {"reduction": "sum"}, lambda: [G(rnd(3, 4)), rnd(3, 4)]),
    ("CrossEntropyLoss", {"weight": prob(5), "ignore_index": 2, "label_smoothing": 0.1},
     lambda: [G(rnd(4, 5)), idx(5, 4)]),
    ("NLLLoss", {"weight": prob(5), "reduction": "none"}, lambda: [G(rnd(4, 5)), idx(5, 4)]),
    ("PoissonNLLLoss", {"log_input": False, "full": True, "eps": 1e-3},
     lambda: [G(prob(3, 4)), rnd(3, 4, lo=0, hi=3)]),
    ("GaussianNLLLoss", {"full": True, "eps": 1e-3},
     lambda: [G(rnd(3, 4)), rnd(3, 4), G(prob(3, 4))]),
    ("KLDivLoss", {"reduction": "batchmean", "log_target": True},
     lambda: [G(np.log(softmax(3, 4))), np.log(softmax(3, 4))]),
    ("BCELoss", {"weight": prob(4)}, lambda: [G(prob(3, 4)), prob(3, 4)]),
    ("BCEWithLogitsLoss", {"weight": prob(4), "pos_weight": prob(4)},
     lambda: [G(rnd(3, 4)), prob(3, 4)]),
    ("MarginRankingLoss", {"margin": 0.2}, lambda: [G(rnd(4)), G(rnd(4)), sign(4)]),
    ("HingeEmbeddingLoss", {"margin": 2.0}, lambda: [G(rnd(4)), sign(4)]),
    ("MultiLabelMarginLoss", {}, lambda: [G(rnd(3, 4)), _mlm_target(3, 4)]),
    ("HuberLoss", {"delta": 0.5}, lambda: [G(rnd(3, 4)), rnd(3, 4)]),
    ("SmoothL1Loss", {"beta": 0.5}, lambda: [G(rnd(3, 4)), rnd(3, 4)]),
    ("SoftMarginLoss", {}, lambda: [G(rnd(3, 4)), sign(3, 4)]),
    ("MultiLabelSoftMarginLoss", {"weight": prob(4)}, lambda: [G(rnd(3, 4)), prob(3, 4)]),
    ("CosineEmbeddingLoss", {"margin": 0.3}, lambda: [G(rnd(3, 4)), G(rnd(3, 4)), sign(3)]),
    ("MultiMarginLoss", {"p": 2, "margin": 0.7, "weight": prob(4)},
     lambda: [G(rnd(3, 4)), idx(4, 3)]),
    ("TripletMarginLoss", {"margin": 0.5, "p": 1.0, "swap": True},
     lambda: [G(rnd(3, 4)), G(rnd(3, 4)), G(rnd(3, 4))]),
    ("TripletMarginWithDistanceLoss", {"margin": 0.5, "swap": True},
     lambda: [G(rnd(3, 4)), G(rnd(3, 4)), G(rnd(3, 4))]),
    ("CTCLoss", {"blank": 1, "zero_infinity": True},
     lambda: [G(_log_softmax(rnd(6, 2, 4), 2)), np.array([[2, 3], [3, 0]]), lengths(6, 5),
              lengths(2, 1)]),
]


@pytest.mark.parametrize("cls,kwargs,build", MODULES, ids=[m[0] for m in MODULES])
def test_loss_module_matches_torch(cls, kwargs, build):
    args = build()
    outs = []
    for lib in (torch, nt):
        targs, tkw = _build(lib, args, kwargs)
        mod = getattr(lib.nn, cls)(**tkw)
        out = mod(*targs)
        out.sum().backward()
        outs.append((mod, out, [t.grad for t in targs if getattr(t, "requires_grad", False)]))
    (tm, tout, tg), (nm, nout, ng) = outs
    assert_close(nout, tout, **_tol("ctc_loss" if cls == "CTCLoss" else ""))
    for a, b in zip(ng, tg):
        assert_close(a, b, **_tol("ctc_loss" if cls == "CTCLoss" else ""))
    if cls != "TripletMarginWithDistanceLoss" or hasattr(nt.nn, "PairwiseDistance"):
        assert repr(nm) == repr(tm)
    assert nm.reduction == tm.reduction
    assert sorted(nm.state_dict()) == sorted(tm.state_dict())
    for k in ("ignore_index", "label_smoothing", "margin", "p", "eps", "swap", "blank",
              "zero_infinity", "log_input", "full", "log_target", "beta", "delta"):
        assert getattr(nm, k, None) == getattr(tm, k, None), k


LEGACY = [(None, None), (True, None), (False, None), (None, True), (None, False),
          (True, True), (False, True), (True, False), (False, False)]


@pytest.mark.parametrize("size_average,reduce", LEGACY)
def test_legacy_size_average_reduce(size_average, reduce):
    x = rnd(3, 4)
    t = idx(4, 3)
    for cls, args in (("NLLLoss", (x, t)), ("MSELoss", (x, x * 0.5)), ("L1Loss", (x, x * 0.5)),
                      ("BCEWithLogitsLoss", (x, prob(3, 4)))):
        with warnings.catch_warnings(record=True) as wn:
            warnings.simplefilter("always")
            nm = getattr(nt.nn, cls)(size_average=size_average, reduce=reduce)
        with warnings.catch_warnings(record=True) as wt:
            warnings.simplefilter("always")
            tm = getattr(torch.nn, cls)(size_average=size_average, reduce=reduce)
        assert nm.reduction == tm.reduction
        assert [str(w.message) for w in wn] == [str(w.message) for w in wt]
        assert_close(nm(*[nt.from_numpy(a) for a in args]),
                     tm(*[torch.from_numpy(a) for a in args]))
    fn_args = dict(size_average=size_average, reduce=reduce)
    if size_average is not None or reduce is not None:
        for name, args in (("cross_entropy", (x, t)), ("kl_div", (x, prob(3, 4))),
                           ("soft_margin_loss", (x, sign(3, 4))),
                           ("multi_margin_loss", (x, t)), ("smooth_l1_loss", (x, x * 2))):
            with warnings.catch_warnings(record=True) as wn:
                warnings.simplefilter("always")
                a = getattr(NF, name)(*[nt.from_numpy(v) for v in args], **fn_args)
            assert any("size_average and reduce args will be deprecated" in str(w.message)
                       for w in wn)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                b = getattr(TF, name)(*[torch.from_numpy(v) for v in args], **fn_args)
            assert_close(a, b)


def test_kl_div_mean_warns_like_torch():
    x, t = nt.from_numpy(rnd(2, 3)), nt.from_numpy(prob(2, 3))
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        NF.kl_div(x, t)


def test_size_mismatch_warns_like_torch():
    with pytest.warns(UserWarning, match=r"Using a target size \((num)?torch.Size\(\[1, 3\]\)\)"):
        NF.mse_loss(nt.zeros(3), nt.zeros(1, 3))


def test_reduction_helpers_match_torch():
    import numtorch.nn._reduction as NR
    import torch.nn._reduction as TR
    for r in ("none", "mean", "sum"):
        assert NR.get_enum(r) == TR.get_enum(r)
    for sa, rd in LEGACY:
        assert NR.legacy_get_string(sa, rd, emit_warning=False) == \
            TR.legacy_get_string(sa, rd, emit_warning=False)
        assert NR.legacy_get_enum(sa, rd, emit_warning=False) == \
            TR.legacy_get_enum(sa, rd, emit_warning=False)
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        NR.get_enum("avg")


def test_multilabel_margin_in_blocks(monkeypatch):
    """Rows processed in several blocks give torch's values and gradients."""
    from numtorch.ops import loss as ops_loss
    monkeypatch.setattr(ops_loss.MultilabelMarginLoss, "_BLOCK", 10)
    x, t = rnd(7, 5), _mlm_target(7, 5)
    for red in R3:
        a = nt.from_numpy(x).requires_grad_()
        b = torch.from_numpy(x).requires_grad_()
        oa = NF.multilabel_margin_loss(a, nt.from_numpy(t), reduction=red)
        ob = TF.multilabel_margin_loss(b, torch.from_numpy(t), reduction=red)
        oa.sum().backward()
        ob.sum().backward()
        assert_close(oa, ob)
        assert_close(a.grad, b.grad)


def test_docstring_examples():
    import doctest
    import numtorch.nn._functional_loss as FL
    import numtorch.nn.modules.loss as ML
    for mod in (FL, ML):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = doctest.testmod(mod, extraglobs={"torch": nt, "nn": nt.nn, "F": NF},
                                  optionflags=doctest.NORMALIZE_WHITESPACE)
        assert res.attempted > 20 and res.failed == 0
