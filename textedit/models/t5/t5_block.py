"""`T5Block`: one pre-norm encoder or decoder block of T5.

    x = x + dropout(self_attention(self_attention_norm(x)))        HF block.{i}.layer.0
    x = x + dropout(cross_attention(cross_attention_norm(x), enc))  HF block.{i}.layer.1 (decoder)
    x = x + dropout(feed_forward(feed_forward_norm(x)))             HF block.{i}.layer.{1|2}

Each `*_norm` is an `RMSNorm` (HF `layer.{j}.layer_norm`); the attentions are HF `SelfAttention`
and `EncDecAttention`, the feed-forward HF `DenseReluDense`.
"""

from __future__ import annotations

import keras

from textedit.models.t5.dropout import Dropout
from textedit.models.t5.rms_norm import RMSNorm
from textedit.models.t5.t5_attention import T5Attention
from textedit.models.t5.t5_config import T5Config
from textedit.models.t5.t5_feed_forward import T5FeedForward


class T5Block(keras.layers.Layer):
    """Call: x [b, t, d_model], bias [1, num_heads, t, t], attention_mask bool [b or 1, 1, t, t]
    and, for a decoder block, encoder_hidden [b, s, d_model] with encoder_attention_mask bool
    [b, 1, 1, s] -> [b, t, d_model].
    """

    def __init__(self, config: T5Config, is_decoder: bool, **kwargs):
        super().__init__(**kwargs)
        self.config = config
        self.is_decoder = is_decoder

    def build(self, input_shape):
        c, policy = self.config, self.dtype_policy
        self.self_attention_norm = RMSNorm(c.layer_norm_epsilon, name="self_attention_norm",
                                           dtype=policy)
        self.self_attention = T5Attention(c.num_heads, c.d_kv, c.dropout_rate,
                                          name="self_attention", dtype=policy)
        sublayers = [self.self_attention_norm, self.self_attention]
        if self.is_decoder:
            self.cross_attention_norm = RMSNorm(c.layer_norm_epsilon, name="cross_attention_norm",
                                                dtype=policy)
            self.cross_attention = T5Attention(c.num_heads, c.d_kv, c.dropout_rate,
                                               name="cross_attention", dtype=policy)
            sublayers += [self.cross_attention_norm, self.cross_attention]
        self.feed_forward_norm = RMSNorm(c.layer_norm_epsilon, name="feed_forward_norm",
                                         dtype=policy)
        self.feed_forward = T5FeedForward(c.d_ff, c.feed_forward_proj, c.dropout_rate,
                                          name="feed_forward", dtype=policy)
        sublayers += [self.feed_forward_norm, self.feed_forward]
        for layer in sublayers:
            layer.build((None, None, c.d_model))
        self.dropout = Dropout(c.dropout_rate, dtype=policy)

    def _cross_and_feed_forward(self, x, cross_keys, cross_values, encoder_attention_mask,
                                training):
        if self.is_decoder:
            attended = self.cross_attention.attend(self.cross_attention_norm(x), cross_keys,
                                                   cross_values, None, encoder_attention_mask,
                                                   training)
            x = x + self.dropout(attended, training=training)
        forwarded = self.feed_forward(self.feed_forward_norm(x), training=training)
        return x + self.dropout(forwarded, training=training)

    def call(self, x, bias, attention_mask, encoder_hidden=None, encoder_attention_mask=None,
             training=False):
        attended = self.self_attention(self.self_attention_norm(x), bias=bias,
                                       attention_mask=attention_mask, training=training)
        x = x + self.dropout(attended, training=training)
        cross_keys = cross_values = None
        if self.is_decoder:
            cross_keys, cross_values = self.cross_attention.project_key_value(encoder_hidden)
        return self._cross_and_feed_forward(x, cross_keys, cross_values, encoder_attention_mask,
                                           training)

    def cached_step(self, x, key_cache, value_cache, cross_keys, cross_values, index, bias,
                    attention_mask, encoder_attention_mask, training=False):
        """One decoding step of a decoder block.

        Args:
          x: [b, 1, d_model] at position `index` (scalar int tensor).
          key_cache, value_cache: this block's self-attention cache [b, heads, max_length, d_kv].
          cross_keys, cross_values: this block's encoder keys/values [b, heads, s, d_kv].
          bias: [1, heads, 1, max_length]; attention_mask: bool [1, 1, 1, max_length] (keys at
            positions <= index); encoder_attention_mask: bool [b, 1, 1, s].

        Returns:
          (x [b, 1, d_model], key_cache, value_cache).
        """
        attended, key_cache, value_cache = self.self_attention.cached_self_attention(
            self.self_attention_norm(x), key_cache, value_cache, index, bias, attention_mask,
            training)
        x = x + self.dropout(attended, training=training)
        x = self._cross_and_feed_forward(x, cross_keys, cross_values, encoder_attention_mask,
                                         training)
        return x, key_cache, value_cache
