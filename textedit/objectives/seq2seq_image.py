"""The seq2seq objective for a model that also reads a line image ("encoder_image" [b, H, W]).

    objective = image_seq2seq_objective(label_smoothing=0.0, z_loss=1e-4)

The loss is `seq2seq_objective`'s token cross-entropy on decoder targets; only the model's
inputs grow by the image. Image positions of the encoder never enter the loss: it scores decoder
target tokens alone.
"""

from __future__ import annotations

import dataclasses

from textedit.objectives.objective import Objective
from textedit.objectives.seq2seq import SEQ2SEQ_MODEL_FEATURES, seq2seq_objective

IMAGE_MODEL_FEATURE = "encoder_image"


def image_seq2seq_objective(label_smoothing: float = 0.0, z_loss: float = 1e-4) -> Objective:
    """`seq2seq_objective` whose model call also gets "encoder_image"."""
    return dataclasses.replace(seq2seq_objective(label_smoothing, z_loss), name="seq2seq_image",
                               model_features=SEQ2SEQ_MODEL_FEATURES + (IMAGE_MODEL_FEATURE,))
