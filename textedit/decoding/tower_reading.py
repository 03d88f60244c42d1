"""What an image tower reads on its own: greedy CTC decoding of its reading logits.

    pieces = tower_read(model, images)      # float [b, H, W] -> list of b id lists

A tower trained with the CTC reading loss (objectives/reading_ctc.py) spells the line with its
P vectors; best-path decoding takes the top id of each vector, merges repeats and drops the
blank (id 0). Decoding these ids gives a plain OCR of the image, without the noisy text: how well
the tower reads (`textedit evaluate` of its output) tells whether a tower has learnt to see
characters, apart from what the correction model makes of them.
"""

from __future__ import annotations

import numpy as np

from textedit.objectives.reading_ctc import BLANK_ID


def best_path(reading_logits) -> list[list[int]]:
    """reading_logits [b, P, vocab] -> per row the collapsed best path (repeats merged, blanks
    dropped), as Python id lists."""
    best = np.argmax(np.asarray(reading_logits), axis=-1)  # [b, P]
    rows = []
    for path in best:
        merged = [int(k) for i, k in enumerate(path) if i == 0 or k != path[i - 1]]
        rows.append([k for k in merged if k != BLANK_ID])
    return rows


def tower_read(model, images, batch_size: int = 64) -> list[list[int]]:
    """A T5WithImageTower's reading of line images float [b, H, W] (pixels in [0, 1]):
    the best-path ids of `model.reading_logits(model.image_tower(images))`, per image."""
    if getattr(model, "image_tower", None) is None:
        raise ValueError("tower_read needs a model with an image tower")
    images = np.asarray(images, np.float32)
    rows = []
    for start in range(0, len(images), batch_size):
        vectors = model.image_tower(images[start:start + batch_size], training=False)
        rows += best_path(model.reading_logits(vectors))
    return rows
