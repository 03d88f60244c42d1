"""What an image tower reads on its own: greedy CTC decoding of its reading logits.

    pieces = tower_read(model, images)      # float [b, H, W] -> list of b id lists
    decode = tower_read_decode_fn(64, vocabulary.encode)   # evaluation's decode function

A tower trained with the CTC reading loss (objectives/reading_ctc.py) spells the line with its
P vectors; best-path decoding takes the top id of each vector, merges repeats and drops the
blank (id 0). Decoding these ids gives a plain OCR of the image, without the noisy text: how well
the tower reads (`textedit evaluate` of its output) tells whether a tower has learnt to see
characters, apart from what the correction model makes of them.
"""

from __future__ import annotations

import numpy as np

from textedit.objectives.reading_ctc import BLANK_ID, EOS_ID

IMAGE_FEATURE = "encoder_image"


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


def tower_read_decode_fn(max_decode_length: int, encode=None):
    """Evaluation's decode function for a tower-only reading run (objectives/tower_reading.py):
    (model, features with "encoder_image") -> int32 [b, max_decode_length], what the tower reads
    as vocabulary ids, then EOS, then padding, so the task's metrics score the plain OCR.

    encode: text -> vocabulary ids, needed for a tower with a reading head (it reads characters,
      `reading_alphabet`); a tower read through the token embedding gives pieces directly.
      Longer readings are cut at max_decode_length - 1 ids.
    """
    from textedit.data.ocr.reading_alphabet import reading_text

    def decode(model, features):
        rows = tower_read(model, features[IMAGE_FEATURE])
        if model.reading_head is not None:
            if encode is None:
                raise ValueError("this tower reads characters (it has a reading head): "
                                 "tower_read_decode_fn needs `encode` (text -> vocabulary ids)")
            rows = [list(encode(reading_text(row))) for row in rows]
        tokens = np.zeros((len(rows), max_decode_length), np.int32)
        for i, row in enumerate(rows):
            row = row[:max_decode_length - 1] + [EOS_ID]
            tokens[i, :len(row)] = row
        return tokens

    return decode
