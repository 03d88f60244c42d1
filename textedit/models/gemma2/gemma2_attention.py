"""`Gemma2Attention`: grouped-query self-attention with RoPE and soft-capped logits, for teacher
forcing (whole sequences) and for one cached decoding step.

Weights (HF `self_attn.{q,k,v,o}_proj`, bias-free; HF `weight` [out, in] = Keras kernel.T):
q [d_model, heads * head_dim], k and v [d_model, kv_heads * head_dim], o [heads * head_dim,
d_model]. Queries are scaled by `query_pre_attn_scalar**-0.5`; logits are soft-capped before the
mask (as HF). Keys and values are stored after RoPE, heads-major [b, kv_heads, length, head_dim],
so a cache never needs re-rotating.
"""

from __future__ import annotations

import keras
from keras import ops

from textedit.models.gemma2 import attention_ops
from textedit.models.gemma2.gemma2_config import Gemma2Config


class Gemma2Attention(keras.layers.Layer):
    """Call: x [b, t, d_model], (cos, sin) [1 or b, 1, t, head_dim], mask bool broadcastable to
    [b, 1, 1, t, t] -> (output [b, t, d_model], keys, values [b, kv_heads, t, head_dim])."""

    def __init__(self, config: Gemma2Config, **kwargs):
        super().__init__(**kwargs)
        self.config = config

    def build(self, input_shape):
        c = self.config

        def dense(name, units, fan_in):
            layer = keras.layers.Dense(
                units, use_bias=False, name=name, dtype=self.dtype_policy,
                kernel_initializer=keras.initializers.RandomNormal(stddev=fan_in**-0.5))
            layer.build((None, None, fan_in))
            return layer

        self.q_proj = dense("q_proj", c.num_heads * c.head_dim, c.d_model)
        self.k_proj = dense("k_proj", c.num_kv_heads * c.head_dim, c.d_model)
        self.v_proj = dense("v_proj", c.num_kv_heads * c.head_dim, c.d_model)
        self.o_proj = dense("o_proj", c.d_model, c.num_heads * c.head_dim)

    @property
    def scale(self) -> float:
        return float(self.config.query_pre_attn_scalar) ** -0.5

    def _heads(self, x, heads: int):
        """[b, t, heads * head_dim] -> [b, heads, t, head_dim]."""
        batch, length = ops.shape(x)[0], ops.shape(x)[1]
        x = ops.reshape(x, (batch, length, heads, self.config.head_dim))
        return ops.transpose(x, (0, 2, 1, 3))

    def project(self, x, cos, sin):
        """x [b, t, d_model] -> rotated queries [b, heads, t, hd], rotated keys and values
        [b, kv_heads, t, hd]."""
        c = self.config
        queries = attention_ops.rotate(self._heads(self.q_proj(x), c.num_heads), cos, sin)
        keys = attention_ops.rotate(self._heads(self.k_proj(x), c.num_kv_heads), cos, sin)
        return queries, keys, self._heads(self.v_proj(x), c.num_kv_heads)

    def call(self, x, cos, sin, mask):
        queries, keys, values = self.project(x, cos, sin)
        context = attention_ops.grouped_attention(queries, keys, values, mask, self.scale,
                                                  self.config.attn_logit_softcap)
        return self.o_proj(context), keys, values

    def cached_step(self, x, cos, sin, prefix_keys, prefix_values, prefix_mask, key_cache,
                    value_cache, slot, cache_mask):
        """One decoding step over a prompt's keys and the generated tokens' cache.

        Args:
          x: [b, 1, d_model]; cos, sin: [b, 1, 1, head_dim] at each row's position.
          prefix_keys, prefix_values: [b, kv_heads, P, hd], the prompt (computed once).
          prefix_mask: bool [b, 1, 1, 1, P], the prompt keys this step's query may see.
          key_cache, value_cache: [b, kv_heads, R, hd]; slot (int32 []) is where this step's key
            and value are written (a ring of R slots for a local layer).
          cache_mask: bool [1 or b, 1, 1, 1, R], the cache slots this query may see (its own
            slot included).

        Returns:
          (output [b, 1, d_model], key_cache, value_cache).
        """
        queries, keys, values = self.project(x, cos, sin)
        start = (0, 0, slot, 0)
        key_cache = ops.slice_update(key_cache, start, ops.cast(keys, key_cache.dtype))
        value_cache = ops.slice_update(value_cache, start, ops.cast(values, value_cache.dtype))
        cap = self.config.attn_logit_softcap
        # One softmax over prompt and cache together: the logits are concatenated, not the keys
        # (a [b, 1]-query step's logits are small; the caches are not copied).
        logits = ops.concatenate([
            attention_ops.grouped_logits(queries, prefix_keys, self.scale, cap),
            attention_ops.grouped_logits(queries, key_cache, self.scale, cap)], axis=-1)
        batch = ops.shape(x)[0]
        mask = ops.concatenate([
            ops.broadcast_to(prefix_mask, (batch, 1, 1, 1, prefix_keys.shape[2])),
            ops.broadcast_to(cache_mask, (batch, 1, 1, 1, key_cache.shape[2]))], axis=-1)
        weights = attention_ops.masked_softmax(logits, mask)
        prefix_length = prefix_keys.shape[2]
        context = (attention_ops.grouped_context(weights[..., :prefix_length], prefix_values)
                   + attention_ops.grouped_context(weights[..., prefix_length:], value_cache))
        return self.o_proj(context), key_cache, value_cache

    def get_config(self):
        return {**super().get_config(), "config": self.config.to_dict()}
