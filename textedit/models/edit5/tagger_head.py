"""EdiT5's tagger (KEEP/DELETE per source position) and the tag-conditioned states
(docs/algorithms.md#edit5-model).

    tag_logits = TaggerHead(config)(h, token_mask)      # one T5 block + linear, [b, L, 2]
    h_t = TagFusion(config, tag_dim)(h, tags)           # FF([h ; TagEmbedding(tags)]), [b, L, d]

Class 0 is DELETE and class 1 is KEEP, as in the features (`textedit.edits.KEEP`).
"""

from __future__ import annotations

import dataclasses

import keras
from keras import ops

from textedit.models.t5.dropout import Dropout
from textedit.models.t5.t5_config import T5Config
from textedit.models.t5.t5_encoder import T5Encoder

NUM_TAGS = 2  # DELETE = 0, KEEP = 1


def single_layer_encoder(config: T5Config, name: str, dtype=None) -> T5Encoder:
    """One T5 encoder block with its own relative position bias and final RMSNorm: the "one
    Transformer layer" of the EdiT5 heads. Built, ready for [b, L, d_model] inputs.

    Never with `absolute_positions`: the heads read states that already carry the input
    positions, and the re-order layer's states must carry the new order's positions (its
    re-order embedding), not the source positions a second time."""
    layer = T5Encoder(dataclasses.replace(config, num_encoder_layers=1, absolute_positions=False),
                      name=name, dtype=dtype)
    layer.build((None, None, config.d_model))
    return layer


class TaggerHead(keras.layers.Layer):
    """One Transformer layer over the encoder output, then a linear KEEP/DELETE classifier.

    Sub-layers: `layer` (a 1-block `T5Encoder`), `classifier` (Dense d_model -> 2, with bias).

    Call: hidden [b, L, d_model], token_mask bool [b, L] -> logits float32 [b, L, 2].
    """

    def __init__(self, config: T5Config, **kwargs):
        super().__init__(**kwargs)
        self.config = config

    def build(self, input_shape=None):
        self.layer = single_layer_encoder(self.config, "layer", self.dtype_policy)
        self.classifier = keras.layers.Dense(NUM_TAGS, name="classifier", dtype=self.dtype_policy)
        self.classifier.build((None, None, self.config.d_model))

    def call(self, hidden, token_mask, training=False):
        states = self.layer(hidden, token_mask, training=training)
        return ops.cast(self.classifier(states), "float32")


class TagFusion(keras.layers.Layer):
    """h^t = FF([h ; TagEmbedding(tag)]) with FF = Dense(d_ff, GELU) -> Dense(d_model).

    The paper writes FF without details; a two-layer feed-forward of T5's widths (tanh GELU, as
    T5 v1.1) lets the tag gate what the pointer and the decoder read from each state.

    Sub-layers: `tag_embedding` [2, tag_dim], `wi` [d_model + tag_dim, d_ff], `wo` [d_ff, d_model].

    Call: hidden [b, L, d_model], tags int [b, L] (0 DELETE / 1 KEEP) -> [b, L, d_model].
    """

    def __init__(self, config: T5Config, tag_dim: int, **kwargs):
        super().__init__(**kwargs)
        self.config = config
        self.tag_dim = tag_dim

    def build(self, input_shape=None):
        c, policy = self.config, self.dtype_policy
        self.tag_embedding = keras.layers.Embedding(
            NUM_TAGS, self.tag_dim, name="tag_embedding", dtype=policy,
            embeddings_initializer=keras.initializers.RandomNormal(stddev=1.0))
        self.tag_embedding.build((None, None))
        self.wi = keras.layers.Dense(
            c.d_ff, use_bias=False, name="wi", dtype=policy,
            kernel_initializer=keras.initializers.RandomNormal(
                stddev=(c.d_model + self.tag_dim) ** -0.5))
        self.wi.build((None, None, c.d_model + self.tag_dim))
        self.wo = keras.layers.Dense(
            c.d_model, use_bias=False, name="wo", dtype=policy,
            kernel_initializer=keras.initializers.RandomNormal(stddev=c.d_ff**-0.5))
        self.wo.build((None, None, c.d_ff))
        self.dropout = Dropout(c.dropout_rate, dtype=policy)

    def call(self, hidden, tags, training=False):
        tag_states = ops.cast(self.tag_embedding(ops.cast(tags, "int32")), hidden.dtype)
        fused = ops.gelu(self.wi(ops.concatenate([hidden, tag_states], axis=-1)),
                         approximate=True)
        return self.wo(self.dropout(fused, training=training))
