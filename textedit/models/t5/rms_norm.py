"""`RMSNorm`: T5's layer norm (HF `T5LayerNorm`), a scale without mean subtraction or bias."""

from __future__ import annotations

import keras
from keras import ops


class RMSNorm(keras.layers.Layer):
    """y = x / sqrt(mean(x**2, axis=-1) + epsilon) * scale.

    As in HF `T5LayerNorm`, the mean of squares is computed in float32 whatever the compute dtype
    (so bfloat16/float16 activations normalise accurately) and the result is cast back before the
    scale is applied. T5 uses epsilon = 1e-6. HF name of `scale`: `...layer_norm.weight`.

    Call: x [..., d] -> [..., d] in the compute dtype.
    """

    def __init__(self, epsilon: float = 1e-6, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = epsilon

    def build(self, input_shape):
        self.scale = self.add_weight(name="scale", shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        x32 = ops.cast(x, "float32")
        variance = ops.mean(ops.square(x32), axis=-1, keepdims=True)
        normed = ops.cast(x32 * ops.rsqrt(variance + self.epsilon), self.compute_dtype)
        return normed * ops.cast(self.scale, self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}
