"""Gin configurables of the optional image tower (OCR post-correction with line images).

`register_image_tower()` (called by `gin_configurables.register_training`) registers:

    image_tower_config           ImageTowerConfig(**fields) (the small ViT's sizes)
    t5_with_image_tower          T5WithImageTower(config, image_tower): MODEL of a run with a
                                 tower; image_tower = None builds the plain T5EncoderDecoder
    ImageEncDecFeatureConverter  EncDecFeatureConverter + "encoder_image" (train and eval data)
    ImageEditFeatureConverter    EditFeatureConverter + "encoder_image" (EdiT5 training data)
    image_seq2seq_objective      seq2seq_objective whose model call also gets the image
    image_greedy_decode_fn       greedy decoding with the image (DECODE_FN)
    tower_reading_objective      the tower alone learns to read (CTC; T5 frozen)
    tower_read_decode_fn         what the tower reads alone, as task tokens (DECODE_FN)

gin/experiments/seq2seq_ocr_correct_image.gin binds them (edit5_ocr_correct_image.gin: EdiT5 with
`edit5_config.image_tower`, ImageEditFeatureConverter for training, edit5_decode_fn reading the
image from ImageEncDecFeatureConverter's evaluation data); IMAGE_TOWER = None there gives a run
whose model and checkpoint are exactly the text-only seq2seq's.
"""

from __future__ import annotations

import functools
from typing import Any

import gin


def image_tower_config(**fields: Any):
    """`ImageTowerConfig(**fields)`; no fields = the default (32 x 512 lines, 8-px strips)."""
    from textedit.models.image_tower.image_tower_config import ImageTowerConfig

    return ImageTowerConfig(**fields)


def t5_with_image_tower(config, image_tower=None):
    """`T5WithImageTower(config, image_tower)` named "t5" like `t5_encoder_decoder`'s model;
    with image_tower None it is a plain T5EncoderDecoder (no subclass in the run's model.json)."""
    from textedit.models.image_tower.t5_with_image_tower import T5WithImageTower
    from textedit.models.t5.t5_encoder_decoder import T5EncoderDecoder

    if image_tower is None:
        return T5EncoderDecoder(config, name="t5")
    return T5WithImageTower(config, image_tower, name="t5")


def tower_read_decode_fn(max_decode_length: int):
    """`decoding.tower_reading.tower_read_decode_fn` encoding a character tower's reading with
    the tasks' vocabulary (tasks.features.VOCABULARY, the run's selected one)."""
    from tasks.features import VOCABULARY
    from textedit.decoding.tower_reading import tower_read_decode_fn as decode_fn

    return decode_fn(max_decode_length, VOCABULARY.encode)


@functools.cache
def register_image_tower() -> None:
    """Registers the configurables listed in the module docstring (idempotent)."""
    from textedit.data.ocr.line_image_features import (
        ImageEditFeatureConverter,
        ImageEncDecFeatureConverter,
    )
    from textedit.decoding.greedy_with_image import image_greedy_decode_fn
    from textedit.objectives.seq2seq_image import image_seq2seq_objective
    from textedit.objectives.tower_reading import tower_reading_objective

    gin.external_configurable(image_tower_config, name="image_tower_config")
    gin.external_configurable(t5_with_image_tower, name="t5_with_image_tower")
    gin.external_configurable(ImageEncDecFeatureConverter, name="ImageEncDecFeatureConverter")
    gin.external_configurable(ImageEditFeatureConverter, name="ImageEditFeatureConverter")
    gin.external_configurable(image_seq2seq_objective, name="image_seq2seq_objective")
    gin.external_configurable(image_greedy_decode_fn, name="image_greedy_decode_fn")
    gin.external_configurable(tower_reading_objective, name="tower_reading_objective")
    gin.external_configurable(tower_read_decode_fn, name="tower_read_decode_fn")
