"""`T5Stack`: what the encoder and decoder stacks share (HF `T5Stack`): one relative position
bias table for the whole stack, the blocks, the final RMSNorm and dropout.

Sub-layer names are the same in both stacks, so their variable paths map onto HF's
`{encoder,decoder}.block.{i}` / `final_layer_norm` names (textedit/models/t5/t5_hf_names.py).
"""

from __future__ import annotations

import keras
from keras import ops

from textedit.models.t5.absolute_positions import sinusoidal_positions
from textedit.models.t5.dropout import Dropout
from textedit.models.t5.relative_position_bias import RelativePositionBias
from textedit.models.t5.rms_norm import RMSNorm
from textedit.models.t5.t5_block import T5Block
from textedit.models.t5.t5_config import T5Config


class T5Stack(keras.layers.Layer):
    """Builds `relative_attention_bias`, `block_{i}`, `final_layer_norm` and `dropout`.

    Subclasses set `IS_DECODER` (decoder: unidirectional bias, blocks with cross-attention,
    `num_decoder_layers` blocks; encoder: bidirectional bias, `num_encoder_layers` blocks) and
    define `call`.
    """

    IS_DECODER = False

    def __init__(self, config: T5Config, **kwargs):
        super().__init__(**kwargs)
        self.config = config

    def with_positions(self, embeddings, positions):
        """embeddings [b, t, d_model] plus the absolute encodings of positions int [t] when
        `config.absolute_positions` (else unchanged)."""
        if not self.config.absolute_positions:
            return embeddings
        return embeddings + ops.cast(sinusoidal_positions(positions, self.config.d_model),
                                     embeddings.dtype)

    def build(self, input_shape=None):
        c, policy = self.config, self.dtype_policy
        self.relative_attention_bias = RelativePositionBias(
            c.num_heads, c.relative_attention_num_buckets, c.relative_attention_max_distance,
            bidirectional=not self.IS_DECODER, embeddings_stddev=c.d_model**-0.5,
            name="relative_attention_bias", dtype=policy)
        self.relative_attention_bias.build()
        num_layers = c.num_decoder_layers if self.IS_DECODER else c.num_encoder_layers
        self.blocks = []
        for i in range(num_layers):
            block = T5Block(c, is_decoder=self.IS_DECODER, name=f"block_{i}", dtype=policy)
            block.build((None, None, c.d_model))
            self.blocks.append(block)
        self.final_layer_norm = RMSNorm(c.layer_norm_epsilon, name="final_layer_norm",
                                        dtype=policy)
        self.final_layer_norm.build((None, None, c.d_model))
        self.dropout = Dropout(c.dropout_rate, dtype=policy)
