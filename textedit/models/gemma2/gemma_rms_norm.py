"""`GemmaRMSNorm`: RMSNorm with a zero-centred scale, `x / rms(x) * (1 + w)` (HF Gemma2RMSNorm)."""

from __future__ import annotations

import keras
from keras import ops


class GemmaRMSNorm(keras.layers.Layer):
    """y = x / sqrt(mean(x**2, axis=-1) + epsilon) * (1 + scale), scale initialised to 0.

    Unlike T5's RMSNorm (`textedit.models.t5.rms_norm`) the learnt scale is an offset from 1, so
    weight decay pulls a norm towards the identity rather than towards 0. As HF computes it, the
    whole product runs in float32 and is cast back afterwards (Gemma's `(x * w).to(dtype)`).

    Call: x [..., d] -> [..., d] in the compute dtype. HF name of `scale`: `...layernorm.weight`.
    """

    def __init__(self, epsilon: float = 1e-6, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = epsilon

    def build(self, input_shape):
        self.scale = self.add_weight(name="scale", shape=(input_shape[-1],), initializer="zeros")

    def call(self, x):
        x32 = ops.cast(x, "float32")
        variance = ops.mean(ops.square(x32), axis=-1, keepdims=True)
        normed = x32 * ops.rsqrt(variance + self.epsilon) * (1.0 + ops.cast(self.scale, "float32"))
        return ops.cast(normed, self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}
