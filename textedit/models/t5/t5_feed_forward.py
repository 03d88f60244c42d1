"""`T5FeedForward`: T5's bias-free feed-forward layer, gated-GELU (v1.1) or ReLU (v1.0).

    "gated-gelu"  wo(dropout(gelu_tanh(wi_0(x)) * wi_1(x)))    HF T5DenseGatedActDense
    "relu"        wo(dropout(relu(wi(x))))                      HF T5DenseActDense

The GELU of T5 v1.1 is the tanh approximation (HF maps "gated-gelu" to "gelu_new"), not the exact
erf form. HF names: `layer.{1|2}.DenseReluDense.{wi_0,wi_1,wo}` or `{wi,wo}`; each HF `weight`
[out, in] is the transpose of the Keras kernel [in, out].
"""

from __future__ import annotations

import keras
from keras import ops

from textedit.models.t5.dropout import Dropout


class T5FeedForward(keras.layers.Layer):
    """Call: x [b, t, d_model] -> [b, t, d_model]."""

    def __init__(self, d_ff: int, feed_forward_proj: str = "gated-gelu",
                 dropout_rate: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        if feed_forward_proj not in ("gated-gelu", "relu"):
            raise ValueError(f"feed_forward_proj={feed_forward_proj!r}: expected 'gated-gelu' or "
                             "'relu'")
        self.d_ff = d_ff
        self.feed_forward_proj = feed_forward_proj
        self.dropout_rate = dropout_rate

    def build(self, input_shape):
        d_model = input_shape[-1]

        def dense(name, units, stddev, fan_in):
            layer = keras.layers.Dense(
                units, use_bias=False, name=name, dtype=self.dtype_policy,
                kernel_initializer=keras.initializers.RandomNormal(stddev=stddev))
            layer.build((None, None, fan_in))
            return layer

        if self.feed_forward_proj == "gated-gelu":
            self.wi_0 = dense("wi_0", self.d_ff, d_model**-0.5, d_model)
            self.wi_1 = dense("wi_1", self.d_ff, d_model**-0.5, d_model)
        else:
            self.wi = dense("wi", self.d_ff, d_model**-0.5, d_model)
        self.wo = dense("wo", d_model, self.d_ff**-0.5, self.d_ff)
        self.dropout = Dropout(self.dropout_rate, dtype=self.dtype_policy)

    def call(self, x, training=False):
        if self.feed_forward_proj == "gated-gelu":
            hidden = ops.gelu(self.wi_0(x), approximate=True) * self.wi_1(x)
        else:
            hidden = ops.relu(self.wi(x))
        return self.wo(self.dropout(hidden, training=training))

    def get_config(self):
        return {**super().get_config(), "d_ff": self.d_ff,
                "feed_forward_proj": self.feed_forward_proj, "dropout_rate": self.dropout_rate}
