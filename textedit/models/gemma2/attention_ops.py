"""The tensor pieces of Gemma 2 attention: soft-capping, the local (sliding-window) mask, rotary
position embeddings and grouped-query attention, as functions of tensors (tested one by one).

    soft_cap(x, 50.0)                                 cap * tanh(x / cap)
    attention_mask(q_pos, k_pos, window)              bool [.., q, k]: causal, and q - k < window
    rotate(x, positions, theta)                       RoPE on [b, heads, t, head_dim]
    grouped_attention(q, k, v, mask, scale, cap)      GQA: [b, H, q, hd] x [b, KV, k, hd]

Grouped-query attention never copies keys: query head h belongs to group h // (H / KV), i.e. the
queries are viewed as [b, KV, H / KV, q, hd] and each group attends to its one key/value head
(HF's `repeat_kv` repeats kv head j for heads j*G .. j*G+G-1: the same assignment).
"""

from __future__ import annotations

from keras import ops

MASKED_LOGIT = -1e9


def soft_cap(x, cap: float | None):
    """cap * tanh(x / cap): a smooth clip to (-cap, cap) that keeps small logits unchanged
    (slope 1 at 0). cap None or 0 returns x."""
    if not cap:
        return x
    return ops.tanh(x / cap) * cap


def attention_mask(query_positions, key_positions, window: int | None = None):
    """Which keys each query may see: causal (key <= query) and, for a local layer, within the
    window (query - key < window, HF's sliding-window overlay).

    Args:
      query_positions: int [..., q]; key_positions: int [..., k] (broadcastable leading dims).
      window: the sliding window, or None for a global layer.

    Returns:
      bool [..., q, k].
    """
    difference = query_positions[..., :, None] - key_positions[..., None, :]
    allowed = difference >= 0
    if window is not None:
        allowed = ops.logical_and(allowed, difference < window)
    return allowed


def rotary_angles(positions, head_dim: int, theta: float):
    """(cos, sin), each float32 [..., head_dim], for integer positions [...]: angle i is
    position * theta**(-2i / head_dim), the half-width vector repeated twice (HF layout)."""
    exponents = ops.arange(0, head_dim, 2, dtype="float32") / head_dim
    inverse_frequency = 1.0 / ops.power(theta, exponents)  # [head_dim / 2]
    angles = ops.cast(positions, "float32")[..., None] * inverse_frequency
    angles = ops.concatenate([angles, angles], axis=-1)
    return ops.cos(angles), ops.sin(angles)


def rotate(x, cos, sin):
    """RoPE: x [b, heads, t, head_dim] rotated by angles cos / sin [b or 1, 1, t, head_dim]
    (the rotate-half form: pairs (i, i + head_dim / 2))."""
    half = x.shape[-1] // 2
    rotated_half = ops.concatenate([-x[..., half:], x[..., :half]], axis=-1)
    return x * ops.cast(cos, x.dtype) + rotated_half * ops.cast(sin, x.dtype)


def grouped_logits(queries, keys, scale: float, cap: float | None):
    """Scaled, soft-capped attention logits of grouped-query attention, float32.

    Args:
      queries: [b, num_heads, q, head_dim]; keys: [b, num_kv_heads, k, head_dim].

    Returns:
      float32 [b, num_kv_heads, groups, q, k]; head h is [:, h // groups, h % groups].
    """
    batch, heads, length, width = ops.shape(queries)  # heads and width are static
    kv_heads = keys.shape[1]
    grouped = ops.reshape(queries, (batch, kv_heads, heads // kv_heads, length, width))
    logits = ops.cast(ops.einsum("bjgqd,bjkd->bjgqk", grouped, keys), "float32") * scale
    return soft_cap(logits, cap)


def masked_softmax(logits, mask):
    """Softmax over the last axis of float32 logits with excluded entries (mask False) at -1e9;
    written out because ops.softmax warns on a length-1 axis."""
    logits = ops.where(mask, logits, MASKED_LOGIT)
    weights = ops.exp(logits - ops.max(logits, axis=-1, keepdims=True))
    return weights / ops.sum(weights, axis=-1, keepdims=True)


def grouped_context(weights, values):
    """weights [b, KV, G, q, k] x values [b, KV, k, head_dim] -> [b, q, KV * G * head_dim]."""
    context = ops.einsum("bjgqk,bjkd->bqjgd", ops.cast(weights, values.dtype), values)
    shape = ops.shape(context)
    return ops.reshape(context, (shape[0], shape[1], -1))


def grouped_attention(queries, keys, values, mask, scale: float, cap: float | None):
    """Grouped-query attention: queries [b, H, q, hd], keys / values [b, KV, k, hd], mask bool
    broadcastable to [b, 1, 1, q, k] -> context [b, q, H * hd] (before the output projection)."""
    weights = masked_softmax(grouped_logits(queries, keys, scale, cap), mask)
    return grouped_context(weights, values)
