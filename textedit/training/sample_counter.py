"""`SampleCounter`: the step index in the stateless sampling seed of objectives that sample in the
train step (online RL, on-policy distillation). A Keras variable, so the run's checkpoint keeps it
(as objective state) and a resumed run draws the samples it would have drawn."""

from __future__ import annotations

import keras
import tensorflow as tf


class SampleCounter:
    """Counts optimiser steps for seeding; `advance()` runs after each update."""

    def __init__(self, seed: int, name: str = "rl_sample_step"):
        self.seed = seed
        self.variable = keras.Variable(0, dtype="int32", trainable=False, name=name)

    def seed_for(self, stream: int):
        """int32 [2]: a stateless seed, distinct per (run seed + stream, step)."""
        return tf.stack([tf.constant(self.seed + stream, tf.int32),
                         tf.cast(self.variable.value, tf.int32)])

    def advance(self) -> None:
        self.variable.assign_add(1)
