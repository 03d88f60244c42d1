"""Distillation of a whole edit, from an EdiT5 teacher into a smaller EdiT5 student
(docs/algorithms.md#distillation).

Teacher and student read the same teacher-forced batch (the gold tags, pointers and insertion
target of `EditFeatureConverter`), so each of EdiT5's three predictions has a teacher
distribution at exactly the student's positions:

    part       distribution over          counted at (mask m)
    tag        {DELETE, KEEP}  [b, L, 2]  encoder_mask
    pointer    source positions [b, L, L] kept rows (log S of the Sinkhorn pointer, re-normalised)
    insertion  the vocabulary  [b, T, V]  decoder_loss_weights (`<pos_k>`, pieces and EOS)

Per part, with ce the student's cross-entropy of the gold label and kl = KL(p_T || p_S) of the
two distributions at temperature τ:

    L_part = Σ m [(1 − α) · ce + α · τ² · kl] / N_part
    L      = λ1 · L_tag + λ2 · L_point + λ3 · L_ins

N_part is `edit5_loss`'s normaliser (the part's count, or the examples for "sum"). The sums are
written "plain + α · correction" so that α = 0 is `edit5_objective`'s loss to the bit. Unlike
`edit5_distill` (a seq2seq teacher, which can only speak for inserted pieces), the teacher here
also says which tokens it would delete and where it would move the kept ones. The teacher is
frozen and its outputs are a stopped gradient; it may differ from the student in every size,
not in the vocabulary or the input length (the pointer's L).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from keras import ops

from textedit.models.edit5.edit5_config import LOSS_PARTS
from textedit.objectives.distill import check_distill_settings, kl_divergence, log_softmax
from textedit.objectives.edit5_loss import (
    EDIT5_LOSS_FEATURES,
    EDIT5_MODEL_FEATURES,
    edit5_counts,
    edit5_forward,
    edit5_loss,
    edit5_normalizers,
    part_masks,
    part_metrics,
    resolve_lambdas,
)
from textedit.objectives.objective import LossOutput, Objective

LOGITS = {"tag": "tag_logits", "pointer": "pointer_logits", "insertion": "insertion_logits"}


def part_kl_sums(student: Mapping[str, Any], teacher: Mapping[str, Any],
                 batch: Mapping[str, Any], temperature: float) -> dict[str, Any]:
    """Σ m · KL(p_T || p_S) at temperature τ (not times τ²) per part, float32 [] each."""
    for part, name in LOGITS.items():
        if student[name].shape[-1] != teacher[name].shape[-1]:
            raise ValueError(
                f"{part}: the student's {name} have {student[name].shape[-1]} columns, the "
                f"teacher's {teacher[name].shape[-1]}: edit distillation needs one vocabulary "
                "(VOCAB_SIZE) and one input length (the pointer's)")
    masks = part_masks(batch)
    return {part: ops.sum(masks[part] * kl_divergence(log_softmax(teacher[name], temperature),
                                                      log_softmax(student[name], temperature)))
            for part, name in LOGITS.items()}


def edit5_edit_distill_loss(student: Mapping[str, Any], teacher: Mapping[str, Any],
                            batch: Mapping[str, Any], *, kl_weight: float, temperature: float,
                            lambdas: Mapping[str, float] | Sequence[float] | None = None,
                            reduction: str | Mapping[str, str] = "mean",
                            normalizers: Mapping[str, Any] | None = None
                            ) -> tuple[Any, dict[str, Any]]:
    """The module docstring's L for one batch.

    Args:
      student, teacher: `Edit5Model` outputs on the same batch (tag_logits [b, L, 2],
        pointer_logits [b, L, L], insertion_logits [b, T, V]).
      batch: `edit5_loss`'s features.
      kl_weight, temperature: α in [0, 1] and τ > 0.
      lambdas, reduction, normalizers: as `edit5_loss`.

    Returns:
      (total float32 [], parts): `edit5_loss`'s parts of the student (plain cross-entropies),
      plus per part `{part}_kl_sum`, `teacher_{part}_sum` (the teacher's cross-entropy of the
      same gold labels) and `distill_{part}` (the mixed, reduced part).
    """
    weights = resolve_lambdas(lambdas)
    if normalizers is None:
        normalizers = edit5_normalizers(edit5_counts(batch), reduction)
    _, parts = edit5_loss(student, batch, lambdas, reduction, normalizers=normalizers)
    _, teacher_parts = edit5_loss(teacher, batch, lambdas, reduction, normalizers=normalizers)
    kl_sums = part_kl_sums(student, teacher, batch, temperature)
    parts = dict(parts)
    total = ops.zeros((), "float32")
    for part in LOSS_PARTS:  # edit5_loss's order, so α = 0 gives its total bit for bit
        mixed_sum = parts[f"{part}_sum"] + kl_weight * (
            temperature**2 * kl_sums[part] - parts[f"{part}_sum"])
        parts[f"distill_{part}"] = mixed_sum / normalizers[part]
        parts[f"{part}_kl_sum"] = kl_sums[part]
        parts[f"teacher_{part}_sum"] = teacher_parts[f"{part}_sum"]
        total = total + weights[part] * parts[f"distill_{part}"]
    return total, parts


def edit5_edit_distill_objective(teacher, *, kl_weight: float = 0.5, temperature: float = 1.0,
                                 lambdas: Mapping[str, float] | Sequence[float] | None = None,
                                 reduction: str | Mapping[str, str] = "mean") -> Objective:
    """An EdiT5 student trained on its gold edits with a frozen EdiT5 teacher on all three parts.

    Args:
      teacher: a built `Edit5Model` (same vocabulary and max input length as the student), called
        with the student's features; set non-trainable, its outputs a stopped gradient.
      kl_weight, temperature: α and τ (module docstring); α = 0 is `edit5_objective`.
      lambdas, reduction: as `edit5_objective` (normalisers from the global batch likewise).

    Reported metrics, per part: `edit5_objective`'s `{part}_loss` (the student's plain
    cross-entropy) and `{part}_accuracy`, `{part}_kl` (per counted item), and
    `teacher_{part}_loss` (the teacher's cross-entropy of the same labels: what the student is
    being pulled towards).
    """
    check_distill_settings(kl_weight, temperature)
    teacher.trainable = False

    def forward_fn(model, batch, training):
        student = edit5_forward(model, batch, training)
        teacher_outputs = edit5_forward(teacher, batch, False)
        return student, {name: ops.stop_gradient(teacher_outputs[name])
                         for name in LOGITS.values()}

    def loss_fn(outputs, batch, counts) -> LossOutput:
        student, teacher_logits = outputs
        total, parts = edit5_edit_distill_loss(
            student, teacher_logits, batch, kl_weight=kl_weight, temperature=temperature,
            lambdas=lambdas, reduction=reduction,
            normalizers=edit5_normalizers(counts, reduction))
        metrics = part_metrics(parts)
        for part in LOSS_PARTS:
            count = parts[f"{part}_count"]
            metrics[f"{part}_kl"] = (parts[f"{part}_kl_sum"], count)
            metrics[f"teacher_{part}_loss"] = (parts[f"teacher_{part}_sum"], count)
        return LossOutput(loss_sum=total, normalizer=None, metrics=metrics)

    return Objective("edit5_edit_distill", EDIT5_MODEL_FEATURES, EDIT5_LOSS_FEATURES, loss_fn,
                     forward_fn=forward_fn, normalizers_fn=edit5_counts)
