"""Sinusoidal absolute position encodings (Vaswani et al. 2017), an option of the T5 stacks
(`T5Config.absolute_positions`; not in T5, which has only its relative attention bias).

Why: T5's cross-attention carries no position at all, so a decoder can only find "the next
source word to copy" by content (an induction circuit that must be learnt first). Small models
trained from scratch here took thousands of steps to learn to copy, or never did; adding the same
encoding at encoder position p and decoder position t gives cross-attention a position signal
to align with. No weights: checkpoints and Hugging Face imports are the same with it on or off.
"""

from __future__ import annotations

import numpy as np
from keras import ops


def sinusoidal_positions(positions, d_model: int):
    """float32 [..., d_model] for int positions [...]: sin(p / 10000^(2i/d)) on the first half
    of the features and cos on the second (values in [-1, 1], RMS about 0.7, beside T5's N(0, 1)
    token embeddings)."""
    half = d_model // 2
    frequencies = np.exp(-np.log(10000.0) * np.arange(half) / max(half, 1)).astype(np.float32)
    angles = ops.cast(positions, "float32")[..., None] * ops.convert_to_tensor(frequencies)
    encoding = ops.concatenate([ops.sin(angles), ops.cos(angles)], axis=-1)
    if d_model % 2:
        encoding = ops.pad(encoding, [(0, 0)] * (len(encoding.shape) - 1) + [(0, 1)])
    return encoding
