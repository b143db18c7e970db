"""nn.MultiheadAttention, nn.Transformer* and F.multi_head_attention_forward against torch.

Every case of the table builds the same module in both libraries (after the same manual_seed:
the initial weights must be bit-identical), then loads torch's state_dict into numtorch and
compares outputs, grad_fn names and the gradients of every input and parameter, for
batch_first False/True and float32/float64; the same table runs in inference mode (eval +
no_grad, where torch takes its fused fast paths) and, for reprs, once more.
"""
import warnings

import numpy as np
import pytest

import numtorch as nt

from ..conftest import torch, assert_close
from ._common import copy_state, backward_both, compare_grads, tol, assert_close_scaled

E, H, L, S, N = 8, 2, 3, 4, 2


def _seq(r, n, bf, dt, e=E):
    return r.standard_normal((N, n, e) if bf else (n, N, e)).astype(dt)


def _causal(n):
    return np.triu(np.ones((n, n), bool), 1)


def _kpm(n):  # pad the last key of the first sequence (left aligned, no empty row)
    m = np.zeros((N, n), bool)
    m[0, -1] = True
    return m


def _fmask(r, shape, dt):
    return r.standard_normal(shape).astype(dt)


def _mha(**kw):
    return lambda lib, dt, bf: lib.nn.MultiheadAttention(E, H, batch_first=bf, dtype=dt, **kw)


def _enc_layer(**kw):
    def build(lib, dt, bf):
        kw2 = dict(kw)
        if kw2.get("activation") == "tanh_fn":  # a plain callable activation
            kw2["activation"] = lib.tanh
        return lib.nn.TransformerEncoderLayer(E, H, 16, 0.0, batch_first=bf, dtype=dt, **kw2)
    return build


def _dec_layer(**kw):
    return lambda lib, dt, bf: lib.nn.TransformerDecoderLayer(E, H, 16, 0.0, batch_first=bf,
                                                              dtype=dt, **kw)


def _encoder(lib, dt, bf):
    layer = lib.nn.TransformerEncoderLayer(E, H, 16, 0.0, batch_first=bf, dtype=dt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lib.nn.TransformerEncoder(layer, 2, lib.nn.LayerNorm(E, dtype=dt))


def _decoder(lib, dt, bf):
    layer = lib.nn.TransformerDecoderLayer(E, H, 16, 0.0, batch_first=bf, dtype=dt,
                                           norm_first=True)
    return lib.nn.TransformerDecoder(layer, 2)


def _transformer(**kw):
    return lambda lib, dt, bf: lib.nn.Transformer(E, H, 1, 1, 16, 0.0, batch_first=bf,
                                                  dtype=dt, **kw)


# (id, build(lib, dtype, batch_first), inputs(rng, batch_first, dtype) -> dict, call(m, a))
# input names starting with "m" are masks (no grad); the others require grad
CASES = [
    ("mha_self", _mha(), lambda r, bf, dt: {"x": _seq(r, L, bf, dt)},
     lambda m, a: m(a["x"], a["x"], a["x"])),
    ("mha_self_causal_bool_per_head", _mha(),
     lambda r, bf, dt: {"x": _seq(r, L, bf, dt), "m": _causal(L)},
     lambda m, a: m(a["x"], a["x"], a["x"], attn_mask=a["m"], average_attn_weights=False)),
    ("mha_self_float3d_mask", _mha(),
     lambda r, bf, dt: {"x": _seq(r, L, bf, dt), "m": _fmask(r, (N * H, L, L), dt)},
     lambda m, a: m(a["x"], a["x"], a["x"], attn_mask=a["m"])),
    ("mha_self_bool3d_mask_kpm", _mha(),
     lambda r, bf, dt: {"x": _seq(r, L, bf, dt), "m": np.broadcast_to(_causal(L), (N * H, L, L)).copy(),
                        "mk": _kpm(L)},
     lambda m, a: m(a["x"], a["x"], a["x"], attn_mask=a["m"], key_padding_mask=a["mk"])),
    ("mha_cross_kpm_bool", _mha(),
     lambda r, bf, dt: {"q": _seq(r, L, bf, dt), "kv": _seq(r, S, bf, dt), "mk": _kpm(S)},
     lambda m, a: m(a["q"], a["kv"], a["kv"], key_padding_mask=a["mk"])),
    ("mha_cross_float_masks", _mha(),
     lambda r, bf, dt: {"q": _seq(r, L, bf, dt), "kv": _seq(r, S, bf, dt),
                        "mk": _fmask(r, (N, S), dt), "m": _fmask(r, (L, S), dt)},
     lambda m, a: m(a["q"], a["kv"], a["kv"], key_padding_mask=a["mk"], attn_mask=a["m"])),
    ("mha_kdim_vdim", _mha(kdim=5, vdim=6),
     lambda r, bf, dt: {"q": _seq(r, L, bf, dt), "k": _seq(r, S, bf, dt, 5),
                        "v": _seq(r, S, bf, dt, 6), "mk": _kpm(S)},
     lambda m, a: m(a["q"], a["k"], a["v"], key_padding_mask=a["mk"])),
    ("mha_qkv_distinct", _mha(),
     lambda r, bf, dt: {"q": _seq(r, L, bf, dt), "k": _seq(r, S, bf, dt),
                        "v": _seq(r, S, bf, dt)},
     lambda m, a: m(a["q"], a["k"], a["v"])),
    ("mha_bias_kv_zero_attn", _mha(add_bias_kv=True, add_zero_attn=True),
     lambda r, bf, dt: {"q": _seq(r, L, bf, dt), "kv": _seq(r, S, bf, dt), "mk": _kpm(S),
                        "m": np.zeros((L, S), bool) | (np.arange(S) == 1)},
     lambda m, a: m(a["q"], a["kv"], a["kv"], key_padding_mask=a["mk"], attn_mask=a["m"])),
    ("mha_no_bias", _mha(bias=False), lambda r, bf, dt: {"x": _seq(r, L, bf, dt)},
     lambda m, a: m(a["x"], a["x"], a["x"])),
    ("mha_no_weights_masks", _mha(),
     lambda r, bf, dt: {"x": _seq(r, L, bf, dt), "m": _causal(L), "mk": _kpm(L)},
     lambda m, a: m(a["x"], a["x"], a["x"], attn_mask=a["m"], key_padding_mask=a["mk"],
                    need_weights=False)),
    ("mha_no_weights_is_causal", _mha(),
     lambda r, bf, dt: {"x": _seq(r, L, bf, dt), "m": _causal(L)},
     lambda m, a: m(a["x"], a["x"], a["x"], attn_mask=a["m"], need_weights=False,
                    is_causal=True)),
    ("mha_unbatched", _mha(),
     lambda r, bf, dt: {"q": r.standard_normal((L, E)).astype(dt),
                        "kv": r.standard_normal((S, E)).astype(dt),
                        "mk": np.arange(S) == S - 1},
     lambda m, a: m(a["q"], a["kv"], a["kv"], key_padding_mask=a["mk"])),
    ("enc_layer", _enc_layer(), lambda r, bf, dt: {"x": _seq(r, L, bf, dt)},
     lambda m, a: m(a["x"])),
    ("enc_layer_masks", _enc_layer(),
     lambda r, bf, dt: {"x": _seq(r, L, bf, dt), "m": _causal(L), "mk": _kpm(L)},
     lambda m, a: m(a["x"], src_mask=a["m"], src_key_padding_mask=a["mk"])),
    ("enc_layer_norm_first_gelu_float_mask", _enc_layer(norm_first=True, activation="gelu"),
     lambda r, bf, dt: {"x": _seq(r, L, bf, dt), "m": _fmask(r, (L, L), dt)},
     lambda m, a: m(a["x"], src_mask=a["m"])),
    ("enc_layer_callable_no_bias_causal", _enc_layer(activation="tanh_fn", bias=False),
     lambda r, bf, dt: {"x": _seq(r, L, bf, dt), "m": _causal(L)},
     lambda m, a: m(a["x"], src_mask=a["m"], is_causal=True)),
    ("dec_layer", _dec_layer(),
     lambda r, bf, dt: {"t": _seq(r, L, bf, dt), "mem": _seq(r, S, bf, dt)},
     lambda m, a: m(a["t"], a["mem"])),
    ("dec_layer_masks_norm_first", _dec_layer(norm_first=True, activation="gelu"),
     lambda r, bf, dt: {"t": _seq(r, L, bf, dt), "mem": _seq(r, S, bf, dt), "m": _causal(L),
                        "mk": _kpm(L), "mmk": _kpm(S), "mm": _fmask(r, (L, S), dt)},
     lambda m, a: m(a["t"], a["mem"], tgt_mask=a["m"], tgt_key_padding_mask=a["mk"],
                    memory_key_padding_mask=a["mmk"], memory_mask=a["mm"])),
    ("encoder_causal_detect", _encoder,
     lambda r, bf, dt: {"x": _seq(r, L, bf, dt),
                        "m": np.where(_causal(L), -np.inf, 0.0).astype(dt)},
     lambda m, a: m(a["x"], mask=a["m"])),
    ("encoder_kpm", _encoder,
     lambda r, bf, dt: {"x": _seq(r, L, bf, dt), "mk": _kpm(L)},
     lambda m, a: m(a["x"], src_key_padding_mask=a["mk"])),
    ("decoder", _decoder,
     lambda r, bf, dt: {"t": _seq(r, L, bf, dt), "mem": _seq(r, S, bf, dt), "m": _causal(L)},
     lambda m, a: m(a["t"], a["mem"], tgt_mask=a["m"], tgt_is_causal=True)),
    ("transformer", _transformer(),
     lambda r, bf, dt: {"s": _seq(r, S, bf, dt), "t": _seq(r, L, bf, dt), "mk": _kpm(S),
                        "mmk": _kpm(S),
                        "m": np.where(_causal(L), -np.inf, 0.0).astype(dt)},
     lambda m, a: m(a["s"], a["t"], tgt_mask=a["m"], src_key_padding_mask=a["mk"],
                    memory_key_padding_mask=a["mmk"])),
    ("transformer_norm_first_unbatched", _transformer(norm_first=True),
     lambda r, bf, dt: {"s": r.standard_normal((S, E)).astype(dt),
                        "t": r.standard_normal((L, E)).astype(dt)},
     lambda m, a: m(a["s"], a["t"])),
]
IDS = [c[0] for c in CASES]
DTYPES = {"f32": (np.float32, "float32"), "f64": (np.float64, "float64")}


def _build_pair(case, dt_name, bf):
    np_dt, name = DTYPES[dt_name]
    torch.manual_seed(0)
    tm = case[1](torch, getattr(torch, name), bf)
    nt.manual_seed(0)
    nm = case[1](nt, getattr(nt, name), bf)
    return tm, nm, np_dt


def _inputs(case, bf, np_dt, grad):
    arrays = case[2](np.random.default_rng(0), bf, np_dt)
    ta, na = {}, {}
    for k, v in arrays.items():
        rg = grad and not k.startswith("m")
        ta[k] = torch.from_numpy(np.array(v)).requires_grad_(rg)
        na[k] = nt.from_numpy(np.array(v)).requires_grad_(rg)
    return ta, na


def _outs(out):
    outs = list(out) if isinstance(out, tuple) else [out]
    return [o for o in outs if o is not None]


@pytest.mark.parametrize("dt_name", ["f32", "f64"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_init_bit_identical_after_manual_seed(case, dt_name):
    tm, nm, np_dt = _build_pair(case, dt_name, True)
    tsd, nsd = tm.state_dict(), nm.state_dict()
    assert list(tsd) == list(nsd)
    for k in tsd:
        a, b = nsd[k].numpy(), tsd[k].numpy()
        assert a.dtype == b.dtype == np_dt and a.shape == b.shape, k
        assert np.array_equal(a, b), k


@pytest.mark.parametrize("bf", [False, True], ids=["seq_first", "batch_first"])
@pytest.mark.parametrize("dt_name", ["f32", "f64"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_forward_backward_matches_torch(case, dt_name, bf):
    tm, nm, np_dt = _build_pair(case, dt_name, bf)
    copy_state(tm, nm)
    ta, na = _inputs(case, bf, np_dt, grad=True)
    t_outs, n_outs = _outs(case[3](tm, ta)), _outs(case[3](nm, na))
    rtol, atol = tol(np_dt)
    assert len(t_outs) == len(n_outs)
    for to, no in zip(t_outs, n_outs):
        assert_close(no, to, rtol=rtol, atol=atol)
        assert no.grad_fn.name() == to.grad_fn.name()
    assert backward_both(t_outs, n_outs, np.random.default_rng(1))
    for k in ta:
        if ta[k].requires_grad:
            assert_close_scaled(na[k].grad, ta[k].grad, rtol, atol)
    compare_grads(list(tm.named_parameters()), list(nm.named_parameters()), rtol, atol)


# torch's fused encoder-layer kernel reads a float src_mask as "nonzero = masked", so an
# arbitrary additive mask masks every key and torch returns NaN (its training path does not)
EVAL_TORCH_NAN = {"enc_layer_norm_first_gelu_float_mask":
                  "torch's inference fast path returns NaN for a general float src_mask"}


@pytest.mark.parametrize("bf", [False, True], ids=["seq_first", "batch_first"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_eval_inference_matches_torch_fast_path(case, bf):
    """eval() + no_grad: torch runs its fused kernels (and nested tensors for padded
    encoder input, which zero the padded positions); the values must agree."""
    if bf and case[0] in EVAL_TORCH_NAN:
        pytest.skip(EVAL_TORCH_NAN[case[0]])
    tm, nm, np_dt = _build_pair(case, "f32", bf)
    copy_state(tm, nm)
    tm.eval()
    nm.eval()
    ta, na = _inputs(case, bf, np_dt, grad=False)
    with torch.no_grad(), nt.no_grad():
        t_outs, n_outs = _outs(case[3](tm, ta)), _outs(case[3](nm, na))
    assert len(t_outs) == len(n_outs)
    for to, no in zip(t_outs, n_outs):
        assert_close(no, to, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_repr_matches_torch(case):
    tm, nm, _ = _build_pair(case, "f32", False)
    assert repr(nm) == repr(tm)


# ---- dropout > 0: same seed, same masks ------------------------------------------------------
DROPOUT_CASES = [
    ("mha_weights", lambda lib: lib.nn.MultiheadAttention(E, H, dropout=0.3),
     lambda m, x: m(x, x, x)),
    ("mha_sdpa", lambda lib: lib.nn.MultiheadAttention(E, H, dropout=0.3, batch_first=True),
     lambda m, x: m(x, x, x, need_weights=False)),
    ("enc_layer", lambda lib: lib.nn.TransformerEncoderLayer(E, H, 16, 0.25),
     lambda m, x: m(x)),
    ("dec_layer", lambda lib: lib.nn.TransformerDecoderLayer(E, H, 16, 0.25, batch_first=True),
     lambda m, x: m(x, x.flip(1))),
]


@pytest.mark.parametrize("case", DROPOUT_CASES, ids=[c[0] for c in DROPOUT_CASES])
def test_train_dropout_bit_identical_after_seed(case):
    _, build, call = case
    x = np.random.default_rng(0).standard_normal((N, L, E)).astype(np.float32)
    torch.manual_seed(3)
    tm = build(torch)
    t_outs = _outs(call(tm, torch.from_numpy(x.copy())))
    nt.manual_seed(3)
    nm = build(nt)
    n_outs = _outs(call(nm, nt.from_numpy(x.copy())))
    for to, no in zip(t_outs, n_outs):
        assert_close(no, to, rtol=1e-5, atol=1e-6)
        assert np.array_equal(no.detach().numpy() == 0, to.detach().numpy() == 0)
    backward_both(t_outs, n_outs, np.random.default_rng(1))
    compare_grads(list(tm.named_parameters()), list(nm.named_parameters()), 1e-5, 1e-6)


# ---- F.multi_head_attention_forward: gradcheck in float64 --------------------------------------
@pytest.mark.parametrize("need_weights", [True, False])
def test_multi_head_attention_forward_gradcheck(need_weights):
    r = np.random.default_rng(0)
    e, h, l, s, n = 4, 2, 2, 3, 2

    def t(*shape):
        return nt.from_numpy(r.standard_normal(shape)).requires_grad_(True)

    q, k, v = t(l, n, e), t(s, n, e), t(s, n, e)
    w_in, b_in, w_out, b_out, bk, bv = t(3 * e, e), t(3 * e), t(e, e), t(e), t(1, 1, e), t(1, 1, e)
    attn_mask = nt.from_numpy(r.standard_normal((l, s)))
    kpm = nt.from_numpy(np.array([[False, False, True], [False] * 3]))

    def f(q, k, v, w_in, b_in, w_out, b_out, bk, bv):
        out, w = nt.nn.functional.multi_head_attention_forward(
            q, k, v, e, h, w_in, b_in, bk, bv, False, 0.0, w_out, b_out, training=True,
            key_padding_mask=kpm, need_weights=need_weights, attn_mask=attn_mask,
            average_attn_weights=False)
        return (out, w) if need_weights else out

    assert nt.autograd.gradcheck(f, (q, k, v, w_in, b_in, w_out, b_out, bk, bv))


def test_functional_matches_torch_with_static_kv():
    r = np.random.default_rng(0)
    arrs = [r.standard_normal(s).astype(np.float32) for s in
            [(L, N, E), (S, N, E), (S, N, E), (3 * E, E), (3 * E,), (E, E), (E,),
             (N * H, S, E // H), (N * H, S, E // H)]]
    outs = []
    for lib in (torch, nt):
        ts = [lib.from_numpy(a.copy()).requires_grad_(True) for a in arrs]
        q, k, v, wi, bi, wo, bo, sk, sv = ts
        out, w = lib.nn.functional.multi_head_attention_forward(
            q, k, v, E, H, wi, bi, None, None, True, 0.0, wo, bo, static_k=sk, static_v=sv)
        (out.sum() + (w * w).sum()).backward()
        outs.append([out, w] + [x.grad for x in ts])
    for a, b in zip(outs[1], outs[0]):
        if b is None:
            assert a is None
        else:
            assert_close_scaled(a, b, 1e-5, 1e-6)


# ---- helpers and errors ----------------------------------------------------------------------
@pytest.mark.parametrize("dt_name", [None, "float64"])
def test_generate_square_subsequent_mask(dt_name):
    tm = torch.nn.Transformer.generate_square_subsequent_mask(
        4, dtype=getattr(torch, dt_name) if dt_name else None)
    nm = nt.nn.Transformer.generate_square_subsequent_mask(
        4, dtype=getattr(nt, dt_name) if dt_name else None)
    assert_close(nm, tm, rtol=0, atol=0)


def test_nested_tensor_warning_matches_torch():
    msgs = []
    for lib in (torch, nt):
        layer = lib.nn.TransformerEncoderLayer(E, H, 16)
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            enc = lib.nn.TransformerEncoder(layer, 1)
        msgs.append([str(w.message) for w in rec])
        assert enc.use_nested_tensor is False
    assert msgs[0] == msgs[1] and len(msgs[0]) == 1


def _x(lib, *shape, dtype=None):
    return lib.zeros(*shape, dtype=dtype)


ERRORS = [  # (id, fn(lib))
    ("heads_divide", lambda lib: lib.nn.MultiheadAttention(10, 3)),
    ("embed_dim_zero", lambda lib: lib.nn.MultiheadAttention(0, 2)),
    ("query_4d", lambda lib: lib.nn.MultiheadAttention(E, H)(*[_x(lib, 1, L, N, E)] * 3)),
    ("key_rank", lambda lib: lib.nn.MultiheadAttention(E, H)(
        _x(lib, L, N, E), _x(lib, S, E), _x(lib, S, E))),
    ("mask_2d_shape", lambda lib: lib.nn.MultiheadAttention(E, H)(
        *[_x(lib, L, N, E)] * 3, attn_mask=_x(lib, L, L + 1))),
    ("mask_3d_shape", lambda lib: lib.nn.MultiheadAttention(E, H)(
        *[_x(lib, L, N, E)] * 3, attn_mask=_x(lib, N, L, L))),
    ("mask_4d", lambda lib: lib.nn.MultiheadAttention(E, H)(
        *[_x(lib, L, N, E)] * 3, attn_mask=_x(lib, 1, N, L, L))),
    ("kpm_shape", lambda lib: lib.nn.MultiheadAttention(E, H)(
        *[_x(lib, L, N, E)] * 3, key_padding_mask=_x(lib, N, L + 1, dtype=lib.bool))),
    ("kpm_int", lambda lib: lib.nn.MultiheadAttention(E, H)(
        *[_x(lib, L, N, E)] * 3, key_padding_mask=_x(lib, N, L, dtype=lib.int64))),
    ("key_value_shape", lambda lib: lib.nn.MultiheadAttention(E, H)(
        _x(lib, L, N, E), _x(lib, S, N, E), _x(lib, S + 1, N, E))),
    ("embed_dim_mismatch", lambda lib: lib.nn.MultiheadAttention(E, H)(
        *[_x(lib, L, N, E + 2)] * 3)),
    ("is_causal_no_mask", lambda lib: lib.nn.MultiheadAttention(E, H)(
        *[_x(lib, L, N, E)] * 3, is_causal=True)),
    ("bad_activation", lambda lib: lib.nn.TransformerEncoderLayer(E, H, activation="tanh")),
    ("batch_mismatch", lambda lib: lib.nn.Transformer(E, H, 1, 1, 16)(
        _x(lib, S, N, E), _x(lib, L, N + 1, E))),
    ("feature_mismatch", lambda lib: lib.nn.Transformer(E, H, 1, 1, 16)(
        _x(lib, S, N, E), _x(lib, L, N, E + 1))),
]


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_bad_arguments_raise_like_torch(case):
    with pytest.raises(Exception) as te:
        case[1](torch)
    with pytest.raises(Exception) as ne:
        case[1](nt)
    assert type(ne.value) is type(te.value)
    assert str(ne.value).replace("numtorch.", "torch.") == str(te.value)
