"""The seq2seq objective for a model that also reads a line image ("encoder_image" [b, H, W]).

    objective = image_seq2seq_objective(label_smoothing=0.0, z_loss=1e-4)

The loss is `seq2seq_objective`'s token cross-entropy on decoder targets; only the model's
inputs grow by the image. Image positions of the encoder never enter the loss: it scores decoder
target tokens alone.

With `reading_weight` > 0 the tower also learns to read: the loss adds `reading_weight` times the
CTC loss of the tower's vectors spelling the target pieces (objectives/reading_ctc.py), summed
over examples and divided by the same target-token count as the cross-entropy.

With `train_tower=False` the tower (and its reading head) keeps the weights it was warm-started
with, e.g. from a tower-only reading run (objectives/tower_reading.py): the corrector learns to
use a tower that already reads, and the step skips the tower's backward pass.
"""

from __future__ import annotations

import dataclasses

from keras import ops

from textedit.objectives.objective import LossOutput, Objective
from textedit.objectives.seq2seq import SEQ2SEQ_MODEL_FEATURES, seq2seq_objective
from textedit.objectives.tower_reading import (
    IMAGE_FEATURE,
    READING_FEATURE,
    batch_reading_loss,
    tower_variables,
)


def _all_but(model, frozen) -> list:
    """The model's trainable variables except `frozen`."""
    frozen = {id(v) for v in frozen}
    return [v for v in model.trainable_variables if id(v) not in frozen]


def all_but_tower(model) -> list:
    """The model's trainable variables except the tower's and its reading head's."""
    return _all_but(model, tower_variables(model))


def all_but_reading_head(model) -> list:
    """The model's trainable variables except the reading head's (when it has one)."""
    head = getattr(model, "reading_head", None)
    return _all_but(model, head.trainable_variables if head is not None else ())


def image_seq2seq_objective(label_smoothing: float = 0.0, z_loss: float = 1e-4,
                            reading_weight: float = 0.0,
                            reading_targets: str = "pieces",
                            train_tower: bool = True) -> Objective:
    """`seq2seq_objective` whose model call also gets "encoder_image"; with `reading_weight` > 0
    plus the tower's CTC reading loss (metrics: reading_ctc per example, reading_infeasible,
    the share of examples too long for the tower's P vectors, whose reading loss is 0).

    reading_targets: "pieces", the decoder target pieces, scored against the token embedding;
      or "characters", the batch's "reading_targets" (ImageEncDecFeatureConverter with
      reading_length), scored by the model's reading head (ImageTowerConfig.reading_classes).
    """
    base = dataclasses.replace(seq2seq_objective(label_smoothing, z_loss), name="seq2seq_image",
                               model_features=SEQ2SEQ_MODEL_FEATURES + (IMAGE_FEATURE,))
    if reading_weight < 0:
        raise ValueError(f"reading_weight must be >= 0, got {reading_weight}")
    if reading_targets not in ("pieces", "characters"):
        raise ValueError(f"reading_targets must be 'pieces' or 'characters', got "
                         f"{reading_targets!r}")
    if not train_tower:
        if reading_weight:
            raise ValueError("train_tower=False freezes the tower, so reading_weight must be 0 "
                             f"(got {reading_weight}): the reading loss trains only the tower")
        return dataclasses.replace(base, trained_variables_fn=all_but_tower)
    if not reading_weight:
        # A reading head left from a reading run gets no gradient from the correction loss.
        return dataclasses.replace(base, trained_variables_fn=all_but_reading_head)
    by_characters = reading_targets == "characters"

    def forward(model, batch, training):
        return model.call_with_reading({name: batch[name] for name in base.model_features},
                                       training=training)

    def loss_fn(outputs, batch) -> LossOutput:
        logits, reading_logits = outputs
        text = base.loss_fn(logits, batch)
        losses, feasible, _ = batch_reading_loss(reading_logits, batch, by_characters)
        reading = ops.sum(losses)
        examples = ops.cast(ops.shape(losses)[0], "float32")
        infeasible = ops.sum(1.0 - ops.cast(feasible, "float32"))
        return LossOutput(
            loss_sum=text.loss_sum + reading_weight * reading,
            normalizer=text.normalizer,
            metrics={**text.metrics, "reading_ctc": (reading, examples),
                     "reading_infeasible": (infeasible, examples)})

    return dataclasses.replace(
        base, name="seq2seq_image_reading", forward_fn=forward, loss_fn=loss_fn,
        loss_features=base.loss_features + ((READING_FEATURE,) if by_characters else ()))
