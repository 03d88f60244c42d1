"""Greedy decoding for a T5 with an image tower: the encoder reads tokens and the line image.

    tokens = greedy_decode_with_image(model, encoder_tokens, images, max_decode_length=64)
    decode = image_greedy_decode_fn(max_decode_length=64)    # evaluation's decode function

Only the encoding differs from `greedy.greedy_decode`: `model.encode(tokens, image=images)`
gives spliced states [b, P + 2 + s, d] and their mask, and the cache and loop are the same.
"""

from __future__ import annotations

import tensorflow as tf

from textedit.decoding.decode_loop import EOS_ID, xla_function
from textedit.decoding.greedy import greedy_loop

IMAGE_MODEL_FEATURE = "encoder_image"


def _decode(model, encoder_tokens, images, max_decode_length, eos_id):
    hidden, mask = model.encode(encoder_tokens, image=images)
    rows = encoder_tokens.shape[0]
    cache = model.init_cache(rows, max_decode_length, hidden, mask)
    return greedy_loop(model.decode_step, cache, rows, max_decode_length, eos_id=eos_id,
                       start_id=model.config.decoder_start_id)


greedy_decode_with_image_xla = xla_function(_decode)


def greedy_decode_with_image(model, encoder_tokens, images, max_decode_length: int, *,
                             eos_id: int = EOS_ID) -> tf.Tensor:
    """encoder_tokens int [b, s] (0 = padding), images float [b, H, W]
    -> int32 [b, max_decode_length]: tokens, EOS, then pad (0)."""
    return greedy_decode_with_image_xla(
        model, tf.convert_to_tensor(encoder_tokens, tf.int32),
        tf.convert_to_tensor(images, tf.float32), max_decode_length, eos_id)


def image_greedy_decode_fn(max_decode_length: int):
    """Evaluation's decode function: (model, features with "encoder_image") -> tokens."""

    def decode(model, features):
        return greedy_decode_with_image(model, features["encoder_input_tokens"],
                                        features[IMAGE_MODEL_FEATURE], max_decode_length)

    return decode
