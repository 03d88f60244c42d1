"""`Dropout`: keras.layers.Dropout that draws its mask with the Philox generator on TensorFlow.

Keras's TensorFlow backend draws dropout masks with `tf.nn.experimental.stateless_dropout` and
the default ("auto-select") generator. Compiled by XLA for CPU, that generator is about 100x
slower than Philox: 270 ms against 2.4 ms for the uniform numbers of a [1280, 512] mask on one
core, where a multiply of that size takes 0.6 ms (`textedit benchmark random`;
docs/algorithms.md#random-numbers-on-cpu). ThreeFry (1.6 ms) has no kernel outside XLA, and
models also run eagerly. On a mini model, where each matmul is small,
the masks dominated the step: an EdiT5 mini run on OCR data trained about 5x slower with
dropout 0.1 than with 0.0.

Same layer otherwise: the same `rate`, `seed` and seed-generator state (so the
same weights and checkpoint keys), inverted scaling, identity when not training or at rate 0.
Masks are a deterministic function of the seed state, as before, but not the same bits as
Keras's generator draws. Other backends, and a `noise_shape`, use Keras's own dropout.
"""

from __future__ import annotations

import keras

# int32 seeds for XLA, as Keras's backend casts them (tf.random stateless ops want int32 there).
_INT32_MAX = 2**31 - 1


@keras.saving.register_keras_serializable(package="textedit")
class Dropout(keras.layers.Dropout):
    """keras.layers.Dropout with Philox masks on TensorFlow (module docstring)."""

    def call(self, inputs, training=False):
        # A noise_shape (never set by this project's models) keeps Keras's own path.
        if (not training or self.rate <= 0 or self.noise_shape is not None
                or keras.backend.backend() != "tensorflow"):
            return super().call(inputs, training=training)
        import tensorflow as tf

        seed = tf.cast(tf.math.floormod(self.seed_generator.next(), _INT32_MAX - 1), tf.int32)
        return tf.nn.experimental.stateless_dropout(inputs, rate=self.rate, seed=seed,
                                                    rng_alg="philox")
