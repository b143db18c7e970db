"""``multi_head_attention_forward`` and its helpers (torch.nn.functional's attention part).

Everything is composed from ordinary ops (linear, matmul, softmax, dropout, views), so no
gradient formula lives here. Heads are kept as a separate axis, ``(batch, heads, seq, head_dim)``,
instead of torch's merged ``batch * heads`` axis: the values are the same (a per-head matmul
either way) and the packed q/k/v projections stay views of one array instead of being copied.
The arguments, checks, exception types/messages, mask handling and random draws (dropout on
the attention weights) follow torch, so outputs, gradients and dropout masks match it.
"""
import math
import warnings

from .. import _creation
from .. import _dtype
from ..ops import shape as _S
from ..ops.activation import softmax

__all__ = ["multi_head_attention_forward"]


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A bool mask becomes an additive float mask (0 keep, -inf drop); float masks pass."""
    if mask is None:
        return None
    is_float = mask.is_floating_point()
    if mask.dtype != _dtype.bool_ and not is_float:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. "
                      "Use same type for both instead.", stacklevel=3)
    if not is_float:
        mask = _creation.zeros_like(mask, dtype=target_type).masked_fill_(mask, float("-inf"))
    return mask


def _none_or_dtype(input):
    if input is None:
        return None
    if hasattr(input, "dtype") and hasattr(input, "_data"):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Check the ranks of the inputs and masks; return whether the input is batched."""
    qd = query.dim()
    if qd not in (2, 3):
        raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                             f"{qd}-D query tensor")
    batched = qd == 3
    kind = "batched (3-D)" if batched else "unbatched (2-D)"
    if key.dim() != qd or value.dim() != qd:
        raise AssertionError(f"For {kind} `query`, expected `key` and `value` to be {qd}-D but "
                             f"found {key.dim()}-D and {value.dim()}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.dim() != qd - 1:
        raise AssertionError(f"For {kind} `query`, expected `key_padding_mask` to be `None` or "
                             f"{qd - 1}-D but found {key_padding_mask.dim()}-D tensor instead")
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise AssertionError(f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or "
                                 f"3-D but found {attn_mask.dim()}-D tensor instead")
        if not batched and attn_mask.dim() == 3:
            expected = (num_heads, query.shape[0], key.shape[0])
            if tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                     f"{attn_mask.shape}")
    return batched


def _split_heads(x, num_heads):
    """(seq, batch, embed) -> (batch, heads, seq, head_dim), a view."""
    s, b, e = x.shape
    return x.view(s, b, num_heads, e // num_heads).permute(1, 2, 0, 3)


def _in_projection(query, key, value, E, in_proj_weight, in_proj_bias, separate):
    """q, k, v projections, each (seq, batch, E). ``separate`` = (w_q, w_k, w_v) or None."""
    from .functional import linear
    if separate is not None:
        w_q, w_k, w_v = separate
        Eq, Ek, Ev = query.size(-1), key.size(-1), value.size(-1)
        for name, w, shp in (("query", w_q, (Eq, Eq)), ("key", w_k, (Eq, Ek)),
                             ("value", w_v, (Eq, Ev))):
            if tuple(w.shape) != shp:
                raise AssertionError(f"expecting {name} weights shape of {shp}, but got "
                                     f"{w.shape}")
        b_q = b_k = b_v = None
        if in_proj_bias is not None:
            b_q, b_k, b_v = in_proj_bias.chunk(3)
            for name, b in (("query", b_q), ("key", b_k), ("value", b_v)):
                if tuple(b.shape) != (Eq,):
                    raise AssertionError(f"expecting {name} bias shape of {(Eq,)}, but got "
                                         f"{b.shape}")
        return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)
    w, b = in_proj_weight, in_proj_bias
    if key is value and query is key:  # self-attention: one matmul, three views
        proj = linear(query, w, b)
        return proj.view(*proj.shape[:-1], 3, E).unbind(-2)
    if key is value:  # encoder-decoder attention: q, then k and v together
        w_q, w_kv = w.split([E, 2 * E])
        b_q, b_kv = (None, None) if b is None else b.split([E, 2 * E])
        kv = linear(key, w_kv, b_kv)
        k, v = kv.view(*kv.shape[:-1], 2, E).unbind(-2)
        return linear(query, w_q, b_q), k, v
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)


def _static_heads(static, name, bsz, num_heads, head_dim):
    if static.size(0) != bsz * num_heads:
        raise AssertionError(f"expecting {name}.size(0) of {bsz * num_heads}, but got "
                             f"{static.size(0)}")
    if static.size(2) != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {static.size(2)}")
    return static.view(bsz, num_heads, static.size(1), head_dim)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn,
                                 dropout_p, out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True, is_causal=False):
    """Multi-head attention over (L, N, E) query and (S, N, E_k/E_v) key/value (or unbatched).

    Args:
        query, key, value: (L, N, E), (S, N, kdim), (S, N, vdim), or 2-D without N.
        embed_dim_to_check, num_heads: E and the number of heads (E % num_heads == 0).
        in_proj_weight, in_proj_bias: packed (3E, E) / (3E,) q, k, v projections.
        bias_k, bias_v: (1, 1, E) rows appended to the keys / values, or None.
        add_zero_attn: append a zero key/value row.
        dropout_p: dropout on the attention weights (only when ``training``).
        out_proj_weight, out_proj_bias: the output projection.
        key_padding_mask: (N, S) bool (True = ignore) or float (added) mask.
        need_weights: also return the attention weights.
        attn_mask: (L, S) or (N * num_heads, L, S), bool or float.
        use_separate_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight: unpacked
            projections (needed when kdim / vdim differ from E).
        static_k, static_v: precomputed (N * num_heads, S, E / num_heads) keys / values.
        average_attn_weights: average the returned weights over heads.
        is_causal: hint that ``attn_mask`` is the causal mask.

    Returns:
        (attn_output (L, N, E), attn_weights (N, L, S) or (N, num_heads, L, S) or None).

    Example::

        >>> q = numtorch.randn(3, 2, 4)
        >>> w = numtorch.randn(12, 4); wo = numtorch.randn(4, 4)
        >>> out, att = F.multi_head_attention_forward(q, q, q, 4, 2, w, None, None, None,
        ...                                           False, 0.0, wo, None)
        >>> out.shape, att.shape
        (numtorch.Size([3, 2, 4]), numtorch.Size([2, 3, 3]))
    """
    from .functional import linear, pad, dropout, scaled_dot_product_attention
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       _none_or_dtype(attn_mask), "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the scaled_dot_product_attention causal path builds it
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype,
                                    check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                                 f"value's {value.shape[:2]}")
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight "
                                     "is None")
        separate = (q_proj_weight, k_proj_weight, v_proj_weight)
    else:
        if tuple(key.shape) != tuple(value.shape):
            raise AssertionError(f"key shape {key.shape} does not match value shape "
                                 f"{value.shape}")
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        separate = None
    q, k, v = _in_projection(query, key, value, embed_dim, in_proj_weight, in_proj_bias,
                             separate)

    if attn_mask is not None:  # to 3-D (1 or N*H, L, S)
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but "
                                   f"should be {(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but "
                                   f"should be {(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")

    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = _S.cat([k, bias_k.repeat(1, bsz, 1)])
        v = _S.cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")

    q = _split_heads(q, num_heads)
    k = _split_heads(k, num_heads) if static_k is None else _static_heads(
        static_k, "static_k", bsz, num_heads, head_dim)
    v = _split_heads(v, num_heads) if static_v is None else _static_heads(
        static_v, "static_v", bsz, num_heads, head_dim)
    if add_zero_attn:
        zeros = _creation.zeros((bsz, num_heads, 1, head_dim), dtype=k.dtype)
        k = _S.cat([k, zeros], dim=2)
        v = _S.cat([v, _creation.zeros((bsz, num_heads, 1, head_dim), dtype=v.dtype)], dim=2)
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    src_len = k.size(2)

    if attn_mask is not None:  # (1 | N*H, L, S) -> (1 | N, 1 | H, L, S)
        lead = (1, 1) if attn_mask.size(0) == 1 else (bsz, num_heads)
        attn_mask = attn_mask.view(*lead, tgt_len, src_len)
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                                 f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        key_padding_mask = key_padding_mask.view(bsz, 1, 1, src_len)
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    if not training:
        dropout_p = 0.0

    if need_weights:
        if is_causal and attn_mask is None:
            raise AssertionError("FIXME: is_causal not implemented for need_weights")
        scores = (q * math.sqrt(1.0 / float(head_dim))) @ k.transpose(-2, -1)
        if attn_mask is not None:
            scores = attn_mask + scores
        weights = softmax(scores, dim=-1)
        if dropout_p > 0.0:
            weights = dropout(weights, p=dropout_p)
        out = weights @ v
    else:
        out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
        weights = None
    out = out.permute(2, 0, 1, 3).reshape(tgt_len * bsz, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias)
    out = out.view(tgt_len, bsz, out.size(1))
    if weights is not None:
        weights = weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not batched:
            weights = weights.squeeze(0)
    if not batched:
        out = out.squeeze(1)
    return out, weights
