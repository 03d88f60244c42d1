"""Learning-rate schedules: linear warm-up, then constant, inverse-square-root, linear or cosine
decay.

    schedule = WarmupDecay(peak=1e-3, warmup_steps=1000, decay="cosine", decay_steps=100_000)
    schedule(step)   # float32 [], step = the optimizer's iteration count (0-based)

    step:   0 ........ warmup_steps ................................ decay_steps ....
    lr:     peak/warmup  ramps to peak, then decays to final_fraction * peak and stays there

Decays (s = step + 1, w = warmup_steps, d = decay_steps, f = final_fraction):
    constant  peak
    rsqrt     peak * sqrt(w / s)                   (T5; needs no decay_steps, ignores f)
    linear    peak * (1 - (1 - f) * p),            p = (s - w) / (d - w) clipped to [0, 1]
    cosine    peak * (f + (1 - f) * (1 + cos(pi p)) / 2)
"""

from __future__ import annotations

import math

import keras
from keras import ops

DECAYS = ("constant", "rsqrt", "linear", "cosine")


class WarmupDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Linear warm-up to `peak` over `warmup_steps`, then the chosen decay (module docstring)."""

    def __init__(self, peak: float, warmup_steps: int = 0, decay: str = "constant",
                 decay_steps: int | None = None, final_fraction: float = 0.0):
        if decay not in DECAYS:
            raise ValueError(f"decay={decay!r}: expected one of {DECAYS}")
        if decay in ("linear", "cosine") and (decay_steps is None or decay_steps <= warmup_steps):
            raise ValueError(f"decay={decay!r} needs decay_steps > warmup_steps "
                             f"(got decay_steps={decay_steps}, warmup_steps={warmup_steps})")
        if decay == "rsqrt" and warmup_steps < 1:
            raise ValueError("decay='rsqrt' needs warmup_steps >= 1 (it scales by sqrt(warmup))")
        self.peak = float(peak)
        self.warmup_steps = int(warmup_steps)
        self.decay = decay
        self.decay_steps = decay_steps
        self.final_fraction = float(final_fraction)

    def __call__(self, step):
        s = ops.cast(step, "float32") + 1.0
        w = float(max(self.warmup_steps, 1))
        warm = ops.minimum(s / w, 1.0) if self.warmup_steps > 0 else ops.ones_like(s)
        if self.decay == "constant":
            decayed = ops.ones_like(s)
        elif self.decay == "rsqrt":
            decayed = ops.sqrt(w / ops.maximum(s, w))
        else:
            span = float(self.decay_steps - self.warmup_steps)
            progress = ops.clip((s - self.warmup_steps) / span, 0.0, 1.0)
            f = self.final_fraction
            if self.decay == "linear":
                decayed = 1.0 - (1.0 - f) * progress
            else:
                decayed = f + (1.0 - f) * 0.5 * (1.0 + ops.cos(math.pi * progress))
        return self.peak * warm * decayed

    def get_config(self) -> dict:
        return {"peak": self.peak, "warmup_steps": self.warmup_steps, "decay": self.decay,
                "decay_steps": self.decay_steps, "final_fraction": self.final_fraction}
