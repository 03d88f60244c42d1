"""Optimisers for the trainer: AdamW and Adafactor from Keras, on a `WarmupDecay` schedule.

    optimizer = make_optimizer("adamw", WarmupDecay(1e-3, 1000, "cosine", 100_000),
                               weight_decay=0.01)

Gradient clipping is not set here: the train step clips by the global norm of the gradient of the
whole (all-replica) batch (textedit/training/train_step.py), which Keras's per-replica
`global_clipnorm` would not.
"""

from __future__ import annotations

import keras

OPTIMIZERS = ("adamw", "adafactor")

# Variables not weight-decayed: biases and norm scales (Keras matches these patterns against each
# variable's own name, e.g. RMSNorm's "scale", not against its path).
NO_DECAY_NAMES = ("bias", "scale")


def make_optimizer(name: str, learning_rate, weight_decay: float = 0.0, beta_1: float = 0.9,
                   beta_2: float = 0.999, epsilon: float = 1e-8,
                   no_decay_names: tuple[str, ...] = NO_DECAY_NAMES) -> keras.optimizers.Optimizer:
    """A Keras optimiser by name.

    Args:
      name: "adamw" or "adafactor" (Keras's: factored second moments, update clipping at 1.0,
        no momentum, relative step: the rate is min(schedule, 1 / sqrt(step)); beta_1, beta_2
        and epsilon are AdamW's only).
      learning_rate: a float or a schedule (e.g. `WarmupDecay`).
      weight_decay: decoupled weight decay (both optimisers), not applied to `no_decay_names`.
      beta_1, beta_2, epsilon: AdamW's moment decays and epsilon.
    """
    if name == "adamw":
        optimizer = keras.optimizers.AdamW(
            learning_rate=learning_rate, weight_decay=weight_decay, beta_1=beta_1, beta_2=beta_2,
            epsilon=epsilon)
        if weight_decay:
            optimizer.exclude_from_weight_decay(var_names=list(no_decay_names))
        return optimizer
    if name == "adafactor":
        optimizer = keras.optimizers.Adafactor(
            learning_rate=learning_rate, weight_decay=weight_decay or None)
        if weight_decay:
            optimizer.exclude_from_weight_decay(var_names=list(no_decay_names))
        return optimizer
    raise ValueError(f"optimizer {name!r}: expected one of {OPTIMIZERS}")
