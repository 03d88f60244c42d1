"""T5's bucketed relative position bias: a learnt scalar per (bucket, head) added to the logits.

T5 has no absolute position embeddings. Each attention logit gets a bias that depends on the
relative position `key_position - query_position`, mapped to one of `num_buckets` buckets: half of
them (per direction) count exact distances, the rest cover distances up to `max_distance`
logarithmically, and everything further away shares the last bucket. The encoder's bias is
bidirectional (separate buckets for keys before and after the query); the decoder's is
unidirectional (keys after the query cannot be attended to, so they share bucket 0). Only the first
block of each stack owns the table; every block of the stack reuses its bias (HF:
`{encoder,decoder}.block.0.layer.0.SelfAttention.relative_attention_bias.weight`, shape
[num_buckets, num_heads]). Cross-attention has no position bias.
"""

from __future__ import annotations

import math

import keras
from keras import ops


def relative_position_bucket(relative_position, bidirectional: bool, num_buckets: int = 32,
                             max_distance: int = 128):
    """Bucket ids of relative positions, exactly as Mesh TensorFlow and HF T5 compute them.

    Args:
      relative_position: int tensor of `key_position - query_position`, any shape.
      bidirectional: True for the encoder; False for the decoder, where positive relative
        positions (future keys) all map to bucket 0.
      num_buckets: total buckets (split in two halves by direction when bidirectional).
      max_distance: distances >= this share the last bucket of their direction.

    Returns:
      int32 tensor of the same shape, values in [0, num_buckets).

    The logarithmic part is computed in float32 and truncated towards zero, as in HF (checked
    equal to HF's buckets for |relative_position| <= 3000 in the tests).
    """
    relative_position = ops.cast(relative_position, "int32")
    buckets = ops.zeros_like(relative_position)
    if bidirectional:
        num_buckets //= 2
        buckets = buckets + ops.cast(relative_position > 0, "int32") * num_buckets
        distance = ops.abs(relative_position)
    else:
        distance = ops.maximum(-relative_position, 0)
    max_exact = num_buckets // 2
    is_small = distance < max_exact
    # log(0) is avoided with maximum(., 1); those positions take the `is_small` branch anyway.
    scaled = (ops.log(ops.cast(ops.maximum(distance, 1), "float32") / max_exact)
              / math.log(max_distance / max_exact) * (num_buckets - max_exact))
    large = ops.minimum(max_exact + ops.cast(scaled, "int32"), num_buckets - 1)
    return buckets + ops.where(is_small, distance, large)


class RelativePositionBias(keras.layers.Layer):
    """The bias table of one stack and its lookup.

    Call: query_positions int [q], key_positions int [k] -> bias [1, num_heads, q, k] (float, the
    compute dtype), to be added to attention logits of shape [batch, num_heads, q, k]. Positions
    are tensors so the cached decoder can pass its dynamic step index as the single query
    position.
    """

    def __init__(self, num_heads: int, num_buckets: int = 32, max_distance: int = 128,
                 bidirectional: bool = True, embeddings_stddev: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.num_heads = num_heads
        self.num_buckets = num_buckets
        self.max_distance = max_distance
        self.bidirectional = bidirectional
        self.embeddings_stddev = embeddings_stddev

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(
            name="embeddings", shape=(self.num_buckets, self.num_heads),
            initializer=keras.initializers.RandomNormal(stddev=self.embeddings_stddev))

    def call(self, query_positions, key_positions):
        relative = key_positions[None, :] - query_positions[:, None]  # [q, k]
        buckets = relative_position_bucket(relative, self.bidirectional, self.num_buckets,
                                           self.max_distance)
        values = ops.take(ops.cast(self.embeddings, self.compute_dtype), buckets, axis=0)
        return ops.expand_dims(ops.transpose(values, (2, 0, 1)), 0)  # [1, heads, q, k]

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads,
                "num_buckets": self.num_buckets, "max_distance": self.max_distance,
                "bidirectional": self.bidirectional, "embeddings_stddev": self.embeddings_stddev}
