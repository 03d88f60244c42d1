"""The line image as a SeqIO feature, and a feature converter that carries it to the model.

    task preprocessors: [tokenize, append_eos, add_line_image]   # "image": float32 [32, 512]
    converter = ImageEncDecFeatureConverter()   # EncDecFeatureConverter + "encoder_image"
    converter = ImageEditFeatureConverter()     # EditFeatureConverter (EdiT5) + "encoder_image"

`add_line_image` renders each example's clean target (`targets_pretokenized`) with
`render_line_float` inside the tf.data pipeline (about 1 ms a line on one core), so images are
never held in memory for a whole split. SeqIO's EncDecFeatureConverter keeps only token features;
`ImageEncDecFeatureConverter` also passes the image on, as the model feature "encoder_image"
(what `T5WithImageTower` reads).
"""

from __future__ import annotations

import numpy as np
import seqio
import tensorflow as tf

from textedit.data.edit5.edit_feature_converter import EditFeatureConverter
from textedit.data.ocr.line_rendering import LINE_HEIGHT, LINE_WIDTH, render_line_float
from textedit.data.ocr.reading_alphabet import reading_targets

IMAGE_TASK_FEATURE = "image"
IMAGE_MODEL_FEATURE = "encoder_image"
READING_MODEL_FEATURE = "reading_targets"


def add_line_image(dataset: tf.data.Dataset, height: int = LINE_HEIGHT,
                   width: int = LINE_WIDTH) -> tf.data.Dataset:
    """Adds "image": float32 [height, width], the rendered `targets_pretokenized` (a SeqIO
    preprocessor; put it after tokenisation, which keeps the *_pretokenized strings)."""

    def render(text) -> np.ndarray:
        return render_line_float(text.decode("utf-8"), height, width)

    def add(example):
        image = tf.numpy_function(render, [example["targets_pretokenized"]], tf.float32,
                                  stateful=False)
        return {**example, IMAGE_TASK_FEATURE: tf.ensure_shape(image, (height, width))}

    return dataset.map(add, num_parallel_calls=tf.data.AUTOTUNE)


class ImageEncDecFeatureConverter(seqio.EncDecFeatureConverter):
    """EncDecFeatureConverter (no packing) whose output also holds "encoder_image"
    float32 [image_height, image_width], the task's "image" passed through unchanged.

    The image is not a task feature with a length (SeqIO would demand it in every
    TASK_FEATURE_LENGTHS); it is a model feature whose first axis SeqIO checks against
    `image_height`.

    With `reading_length` > 0 it also writes "reading_targets" int32 [reading_length]: the
    characters of the target text (`targets_pretokenized`) as reading classes
    (textedit.data.ocr.reading_alphabet), 0-padded, for the tower's character CTC loss.
    """

    MODEL_FEATURES = {
        **seqio.EncDecFeatureConverter.MODEL_FEATURES,
        IMAGE_MODEL_FEATURE: seqio.FeatureConverter.FeatureSpec(dtype=tf.float32, rank=2),
    }

    def __init__(self, image_height: int = LINE_HEIGHT, reading_length: int = 0, **kwargs):
        self.reading_length = reading_length
        if reading_length:  # an instance attribute: SeqIO validates against self.MODEL_FEATURES
            self.MODEL_FEATURES = {**type(self).MODEL_FEATURES, READING_MODEL_FEATURE:
                                   seqio.FeatureConverter.FeatureSpec(dtype=tf.int32)}
        super().__init__(pack=False, **kwargs)
        self.image_height = image_height

    def _convert_example(self, features):
        converted = {**super()._convert_example(features),
                     IMAGE_MODEL_FEATURE: features[IMAGE_TASK_FEATURE]}
        if self.reading_length:
            converted[READING_MODEL_FEATURE] = reading_targets(features["targets_pretokenized"],
                                                               self.reading_length)
        return converted

    def get_model_feature_lengths(self, task_feature_lengths):
        lengths = {**super().get_model_feature_lengths(task_feature_lengths),
                   IMAGE_MODEL_FEATURE: self.image_height}
        if self.reading_length:
            lengths[READING_MODEL_FEATURE] = self.reading_length
        return lengths


class ImageEditFeatureConverter(EditFeatureConverter):
    """EditFeatureConverter (EdiT5: tags, pointers, insertions) whose output also holds
    "encoder_image" float32 [image_height, image_width], the edit task's "image" unchanged
    (edit5_ocr_correct; the twin of ImageEncDecFeatureConverter)."""

    MODEL_FEATURES = {
        **EditFeatureConverter.MODEL_FEATURES,
        IMAGE_MODEL_FEATURE: seqio.FeatureConverter.FeatureSpec(dtype=tf.float32, rank=2),
    }

    def __init__(self, image_height: int = LINE_HEIGHT, **kwargs):
        super().__init__(**kwargs)
        self.image_height = image_height

    def _extra_model_features(self, features):
        return {IMAGE_MODEL_FEATURE: features[IMAGE_TASK_FEATURE]}

    def get_model_feature_lengths(self, task_feature_lengths):
        return {**super().get_model_feature_lengths(task_feature_lengths),
                IMAGE_MODEL_FEATURE: self.image_height}
