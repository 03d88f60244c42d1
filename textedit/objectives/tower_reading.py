"""Teaching an image tower to read before it serves a corrector: the CTC loss alone, tower only.

    objective = tower_reading_objective(reading_targets="characters")

Trained jointly with the correction loss, a tower that reads costs the whole encoder-decoder's
step for every reading update (measured: 21-24 examples/s on one core for T5-mini, against
56-60 without the reading loss), and the corrector meanwhile learns on a tower that cannot yet
read. This objective runs the tower alone: the forward pass is `model.image_tower(image)` and
`model.reading_logits` (the reading head, or the tied embedding for pieces); the loss is the CTC
reading loss of objectives/reading_ctc.py; and only the tower (with its reading head) is
trained (`Objective.trained_variables_fn`). The T5 weights are neither run nor changed: warm
started from a text run (INIT_CHECKPOINT), the reading run's checkpoint holds that T5 unchanged
beside a tower that reads, ready to warm-start the corrector (docs/algorithms.md#input-towers).

Loss: the CTC negative log-likelihood summed over the batch, divided by the number of target
labels (characters or pieces) of the feasible rows, so it reads as nats per label.
"""

from __future__ import annotations

from keras import ops

from textedit.objectives.objective import LossOutput, Objective
from textedit.objectives.reading_ctc import BLANK_ID, ctc_label_loss, reading_labels

IMAGE_FEATURE = "encoder_image"
READING_FEATURE = "reading_targets"  # characters of the target (ImageEncDecFeatureConverter)
TARGETS_FEATURE = "decoder_target_tokens"


def batch_reading_loss(reading_logits, batch, by_characters: bool):
    """The CTC reading loss of a batch's targets: its "reading_targets" characters, or the
    pieces of its "decoder_target_tokens" -> (losses float32 [b], feasible bool [b], label
    counts int32 [b]); see reading_ctc.ctc_label_loss."""
    if by_characters:
        labels = ops.cast(batch[READING_FEATURE], "int32")
        lengths = ops.sum(ops.cast(labels != BLANK_ID, "int32"), axis=1)
    else:
        labels, lengths = reading_labels(batch[TARGETS_FEATURE])
    losses, feasible = ctc_label_loss(reading_logits, labels, lengths)
    return losses, feasible, lengths


def tower_variables(model) -> list:
    """The image tower's trainable variables and the reading head's (when the model has one);
    the markers and the T5 are not part of reading."""
    if getattr(model, "image_tower", None) is None:
        raise ValueError("tower_reading_objective needs a model with an image tower "
                         "(MODEL = t5_with_image_tower with IMAGE_TOWER set)")
    variables = list(model.image_tower.trainable_variables)
    if getattr(model, "reading_head", None) is not None:
        variables += list(model.reading_head.trainable_variables)
    return variables


def tower_reading_objective(reading_targets: str = "characters") -> Objective:
    """The tower-only CTC reading objective (module docstring).

    reading_targets: "characters", the batch's "reading_targets" scored by the model's reading
      head (ImageTowerConfig.reading_classes > 0); or "pieces", the decoder target pieces scored
      against the (frozen) token embedding.
    Metrics: reading_ctc (per example), reading_infeasible (share of rows too long for the
      tower's P vectors; their loss is 0).
    """
    if reading_targets not in ("pieces", "characters"):
        raise ValueError(f"reading_targets must be 'pieces' or 'characters', got "
                         f"{reading_targets!r}")
    by_characters = reading_targets == "characters"

    def forward(model, batch, training):
        if by_characters and getattr(model, "reading_head", None) is None:
            raise ValueError("reading_targets='characters' needs a reading head: set "
                             "image_tower_config.reading_classes (97, reading_alphabet)")
        vectors = model.image_tower(batch[IMAGE_FEATURE], training=training)
        return model.reading_logits(vectors)  # float32 [b, P, classes]

    def loss_fn(reading_logits, batch) -> LossOutput:
        losses, feasible, lengths = batch_reading_loss(reading_logits, batch, by_characters)
        feasible_f = ops.cast(feasible, "float32")
        label_counts = ops.cast(lengths, "float32")  # [b]
        total = ops.sum(losses)
        examples = ops.cast(ops.shape(losses)[0], "float32")
        return LossOutput(
            loss_sum=total,
            normalizer=ops.sum(label_counts * feasible_f),
            metrics={"reading_ctc": (total, examples),
                     "reading_infeasible": (ops.sum(1.0 - feasible_f), examples)})

    return Objective(
        name="tower_reading",
        model_features=(IMAGE_FEATURE,),
        loss_features=(READING_FEATURE,) if by_characters else (TARGETS_FEATURE,),
        loss_fn=loss_fn,
        forward_fn=forward,
        trained_variables_fn=tower_variables)
