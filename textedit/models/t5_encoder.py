"""`T5Encoder`: the encoder stack of T5 over already-embedded tokens."""

from __future__ import annotations

import keras
from keras import ops

from textedit.models.relative_position_bias import RelativePositionBias
from textedit.models.rms_norm import RMSNorm
from textedit.models.t5_block import T5Block
from textedit.models.t5_config import T5Config


class T5Encoder(keras.layers.Layer):
    """dropout(embeddings) -> blocks with a bidirectional relative position bias, masked on
    padding keys -> final RMSNorm -> dropout (HF `T5Stack` with is_decoder=False).

    Sub-layers and their HF names: `relative_attention_bias` (HF
    `encoder.block.0.layer.0.SelfAttention.relative_attention_bias`), `block_{i}`
    (`encoder.block.{i}`), `final_layer_norm` (`encoder.final_layer_norm`).

    Call: embeddings [b, s, d_model], token_mask bool [b, s] (True on real tokens)
    -> [b, s, d_model].
    """

    def __init__(self, config: T5Config, **kwargs):
        super().__init__(**kwargs)
        self.config = config

    def build(self, input_shape=None):
        c, policy = self.config, self.dtype_policy
        self.relative_attention_bias = RelativePositionBias(
            c.num_heads, c.relative_attention_num_buckets, c.relative_attention_max_distance,
            bidirectional=True, embeddings_stddev=c.d_model**-0.5,
            name="relative_attention_bias", dtype=policy)
        self.relative_attention_bias.build()
        self.blocks = []
        for i in range(c.num_encoder_layers):
            block = T5Block(c, is_decoder=False, name=f"block_{i}", dtype=policy)
            block.build((None, None, c.d_model))
            self.blocks.append(block)
        self.final_layer_norm = RMSNorm(c.layer_norm_epsilon, name="final_layer_norm",
                                        dtype=policy)
        self.final_layer_norm.build((None, None, c.d_model))
        self.dropout = keras.layers.Dropout(c.dropout_rate, dtype=policy)

    def call(self, embeddings, token_mask, training=False):
        x = self.dropout(embeddings, training=training)
        positions = ops.arange(ops.shape(embeddings)[1], dtype="int32")
        bias = self.relative_attention_bias(positions, positions)  # [1, heads, s, s]
        attention_mask = token_mask[:, None, None, :]  # padding keys are never attended to
        for block in self.blocks:
            x = block(x, bias, attention_mask, training=training)
        return self.dropout(self.final_layer_norm(x), training=training)
