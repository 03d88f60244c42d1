"""Shared cases of the EdiT5 model and loss tests: a tiny vocabulary and one padded batch."""

import numpy as np

VOCAB = 48
POSITIONS = 12

# The docstring example ("A long user query" -> "The user query is very long"), ids shifted into
# the tiny vocabulary, padded to L = 8 / T = 8 as EditFeatureConverter pads; a second row keeps
# nothing but inserts one token at <pos_0>.
FEATURES = {
    "encoder_input_tokens": [[20, 21, 22, 23, 1, 0, 0, 0], [24, 25, 1, 0, 0, 0, 0, 0]],
    "encoder_mask": [[1, 1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 0, 0, 0, 0, 0]],
    "tags": [[0, 1, 1, 1, 1, 0, 0, 0], [0, 0, 1, 0, 0, 0, 0, 0]],
    "pointers": [[0, 4, 3, 1, 2, 5, 6, 7], [0, 1, 2, 3, 4, 5, 6, 7]],
    "decoder_target_tokens": [[3, 30, 5, 31, 32, 1, 0, 0], [3, 33, 1, 0, 0, 0, 0, 0]],
    "decoder_input_tokens": [[0, 3, 30, 5, 31, 32, 1, 0], [0, 3, 33, 1, 0, 0, 0, 0]],
    "decoder_loss_weights": [[1, 1, 1, 1, 1, 1, 0, 0], [1, 1, 1, 0, 0, 0, 0, 0]],
}


def features() -> dict[str, np.ndarray]:
    """FEATURES as int32 arrays."""
    return {name: np.asarray(value, np.int32) for name, value in FEATURES.items()}
