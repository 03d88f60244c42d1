"""Characters as CTC classes: what an image tower spells when it learns to read a line.

    char_ids("Hi!")                       # [41, 74, 2]
    reading_text([41, 74, 2])             # "Hi!" (OTHER_ID reads as "?")
    reading_targets(strings, length=128)  # tf: int32 [b, length], 0-padded

Class 0 is the CTC blank (and padding), 1 .. 95 the printable ASCII characters from the space
(32) to the tilde (126), 96 every other character. Reading characters is a far smaller problem
than reading SentencePiece pieces (97 classes against 16k): a small tower that learnt nothing
from a piece-level CTC loss in 1,000 steps has this one to start from.
"""

from __future__ import annotations

import tensorflow as tf

FIRST_PRINTABLE, LAST_PRINTABLE = 32, 126
OTHER_ID = LAST_PRINTABLE - FIRST_PRINTABLE + 2  # 96
NUM_READING_CLASSES = OTHER_ID + 1  # 97, blank included


def char_ids(text: str) -> list[int]:
    """The classes of `text`'s characters (module docstring)."""
    return [ord(ch) - FIRST_PRINTABLE + 1 if FIRST_PRINTABLE <= ord(ch) <= LAST_PRINTABLE
            else OTHER_ID for ch in text]


def reading_text(ids) -> str:
    """The characters of reading classes (blanks skipped, OTHER_ID as "?"): `char_ids`'s
    inverse on printable ASCII."""
    return "".join("?" if i == OTHER_ID else chr(i + FIRST_PRINTABLE - 1)
                   for i in ids if 0 < i < NUM_READING_CLASSES)


def reading_targets(strings, length: int):
    """strings tf.string [b] (or a scalar) -> int32 [b, length] (or [length]): `char_ids` of
    each string, cut at `length` and padded with 0."""
    points = tf.strings.unicode_decode(strings, "UTF-8")
    printable = tf.logical_and(points >= FIRST_PRINTABLE, points <= LAST_PRINTABLE)
    ids = tf.where(printable, points - FIRST_PRINTABLE + 1, OTHER_ID)
    if isinstance(ids, tf.RaggedTensor):
        return ids.to_tensor(0, shape=[None, length])
    ids = ids[:length]
    return tf.pad(ids, [[0, length - tf.shape(ids)[0]]])
