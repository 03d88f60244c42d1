"""`Gemma2Block`: one decoder block of Gemma 2, norms before and after each sub-layer, and its
GeGLU MLP.

    x = x + dropout(post_attention_layernorm(self_attn(input_layernorm(x))))
    x = x + dropout(post_feedforward_layernorm(mlp(pre_feedforward_layernorm(x))))
    mlp(x) = down_proj(gelu_tanh(gate_proj(x)) * up_proj(x))

Keras names are HF's (`model.layers.{i}.<name>`), so the import is a loop over names.
"""

from __future__ import annotations

import keras
from keras import ops

from textedit.models.gemma2.gemma2_attention import Gemma2Attention
from textedit.models.gemma2.gemma2_config import Gemma2Config
from textedit.models.gemma2.gemma_rms_norm import GemmaRMSNorm
from textedit.models.t5.dropout import Dropout

NORMS = ("input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
         "post_feedforward_layernorm")
MLP_PROJECTIONS = ("gate_proj", "up_proj", "down_proj")


class Gemma2Block(keras.layers.Layer):
    """Call: x [b, t, d_model], (cos, sin) [1 or b, 1, t, head_dim], mask bool [.., 1, 1, t, t]
    -> (x [b, t, d_model], keys, values [b, kv_heads, t, head_dim] of this block)."""

    def __init__(self, config: Gemma2Config, **kwargs):
        super().__init__(**kwargs)
        self.config = config

    def build(self, input_shape):
        c, policy = self.config, self.dtype_policy
        for name in NORMS:
            norm = GemmaRMSNorm(c.rms_norm_eps, name=name, dtype=policy)
            norm.build((None, None, c.d_model))
            setattr(self, name, norm)
        self.self_attn = Gemma2Attention(c, name="self_attn", dtype=policy)
        self.self_attn.build((None, None, c.d_model))
        for name, units, fan_in in (("gate_proj", c.d_ff, c.d_model),
                                    ("up_proj", c.d_ff, c.d_model),
                                    ("down_proj", c.d_model, c.d_ff)):
            dense = keras.layers.Dense(
                units, use_bias=False, name=name, dtype=policy,
                kernel_initializer=keras.initializers.RandomNormal(stddev=fan_in**-0.5))
            dense.build((None, None, fan_in))
            setattr(self, name, dense)
        self.dropout = Dropout(c.dropout_rate, dtype=policy)

    def mlp(self, x):
        """GeGLU with the tanh-approximated GELU (HF "gelu_pytorch_tanh")."""
        return self.down_proj(ops.gelu(self.gate_proj(x), approximate=True) * self.up_proj(x))

    def _feed_forward(self, x, training):
        forwarded = self.post_feedforward_layernorm(self.mlp(self.pre_feedforward_layernorm(x)))
        return x + self.dropout(forwarded, training=training)

    def call(self, x, cos, sin, mask, training=False):
        attended, keys, values = self.self_attn(self.input_layernorm(x), cos, sin, mask)
        x = x + self.dropout(self.post_attention_layernorm(attended), training=training)
        return self._feed_forward(x, training), keys, values

    def cached_step(self, x, cos, sin, prefix_keys, prefix_values, prefix_mask, key_cache,
                    value_cache, slot, cache_mask):
        """One decoding step (arguments: `Gemma2Attention.cached_step`) -> (x [b, 1, d_model],
        key_cache, value_cache)."""
        attended, key_cache, value_cache = self.self_attn.cached_step(
            self.input_layernorm(x), cos, sin, prefix_keys, prefix_values, prefix_mask,
            key_cache, value_cache, slot, cache_mask)
        x = x + self.post_attention_layernorm(attended)
        return self._feed_forward(x, False), key_cache, value_cache

    def get_config(self):
        return {**super().get_config(), "config": self.config.to_dict()}
