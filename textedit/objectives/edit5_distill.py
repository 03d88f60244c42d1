"""Token-level distillation from a seq2seq (T5) teacher into an EdiT5 student
(docs/algorithms.md#distillation).

The T5 teacher, teacher-forced on the gold target, gives p_T(· | x, y_<j) at every target position
j. Each content piece of EdiT5's insertion target `<pos_k> span <pos_m> span ... EOS` is one piece
y_j of that target (`decoder_target_positions[i] = j`, -1 on `<pos_k>`, EOS and padding;
textedit/data/edit5/edit_features.py), so at those decoder positions i the student's insertion
distribution is pulled towards the teacher's at j:

    c_i   = w_i · [j_i >= 0]                               content positions (w: decoder weights)
    kl_i  = KL(softmax(z_T[j_i] / τ) || softmax(z_S[i] / τ))
    L_ins = [Σ_i w_i ce_i + α Σ_i c_i (τ² kl_i − ce_i)] / N_ins

i.e. (1 − α) · ce + α · τ² · kl at content positions and plain ce at `<pos_k>` / EOS (the teacher
has no counterpart there); N_ins is `edit5_loss`'s insertion normaliser (decoder tokens, or
examples for the "sum" reduction). The tag and pointer parts are `edit5_loss`'s, unchanged:

    L = λ1 · L_tag + λ2 · L_point + λ3 · L_ins

Written as "plain sum + α · correction" so that α = 0 is `edit5_objective`'s loss exactly (to
the bit). The teacher is frozen (non-trainable) and its logits are a stopped gradient. It reads
`encoder_input_tokens` (the edit task's `inputs`, the same ids a seq2seq task feeds it) and
`teacher_decoder_input_tokens` [b, Tt] (`EditFeatureConverter(teacher_features=True)`).
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
    edit5_loss,
    edit5_normalizers,
    part_metrics,
    resolve_lambdas,
    weighted_cross_entropy,
)
from textedit.objectives.objective import LossOutput, Objective, call_model

TARGET_POSITIONS = "decoder_target_positions"
TEACHER_DECODER_INPUTS = "teacher_decoder_input_tokens"
# What the teacher is called with, as model-feature names of a T5EncoderDecoder.
TEACHER_FEATURES = {"encoder_input_tokens": "encoder_input_tokens",
                    "decoder_input_tokens": TEACHER_DECODER_INPUTS}


def teacher_logits_at_insertions(teacher_logits, target_positions):
    """The teacher's logits at each insertion position's target position.

    Args:
      teacher_logits: float [b, Tt, V], the teacher forced on the gold target.
      target_positions: int [b, T], j >= 0 or -1 (no counterpart: row 0 is read, to be masked).

    Returns:
      float [b, T, V].
    """
    index = ops.maximum(ops.cast(target_positions, "int32"), 0)
    return ops.take_along_axis(teacher_logits, index[:, :, None], axis=1)


def insertion_distill_sums(student_logits, teacher_logits_at, batch: Mapping[str, Any],
                           temperature: float) -> dict[str, Any]:
    """The distillation sums over the content positions, float32 [] each.

    Args:
      student_logits: float [b, T, V], the insertion decoder's logits.
      teacher_logits_at: float [b, T, V], `teacher_logits_at_insertions`.
      batch: decoder_target_tokens, decoder_loss_weights, decoder_target_positions [b, T].
      temperature: τ of the KL.

    Returns:
      {"kl": Σ c kl (at τ, not times τ²), "cross_entropy": Σ c ce (student, τ = 1),
       "teacher_cross_entropy": Σ c ce of the teacher at j, "content": Σ c}.
    """
    if student_logits.shape[-1] != teacher_logits_at.shape[-1]:
        raise ValueError(f"student logits have {student_logits.shape[-1]} vocabulary columns, "
                         f"the teacher's {teacher_logits_at.shape[-1]}: distillation needs one "
                         "vocabulary (same VOCAB_SIZE)")
    targets = batch["decoder_target_tokens"]
    content = ops.cast(batch["decoder_loss_weights"], "float32") * ops.cast(
        ops.greater_equal(ops.cast(batch[TARGET_POSITIONS], "int32"), 0), "float32")
    kl = kl_divergence(log_softmax(teacher_logits_at, temperature),
                       log_softmax(student_logits, temperature))
    return {"kl": ops.sum(kl * content),
            "cross_entropy": weighted_cross_entropy(student_logits, targets, content)[0],
            "teacher_cross_entropy": weighted_cross_entropy(teacher_logits_at, targets,
                                                            content)[0],
            "content": ops.sum(content)}


def edit5_distill_loss(outputs: Mapping[str, Any], teacher_logits, batch: Mapping[str, Any], *,
                       kl_weight: float, temperature: float,
                       lambdas: Mapping[str, float] | Sequence[float] | None = None,
                       reduction: str | Mapping[str, str] = "mean",
                       normalizers: Mapping[str, Any] | None = None
                       ) -> tuple[Any, dict[str, Any]]:
    """The module docstring's L for one batch.

    Args:
      outputs: `Edit5Model` outputs (tag_logits, pointer_logits, insertion_logits [b, T, V]).
      teacher_logits: float [b, Tt, V], the teacher forced on `teacher_decoder_input_tokens`.
      batch: `edit5_loss`'s features plus decoder_target_positions [b, T].
      kl_weight, temperature: α in [0, 1] and τ > 0.
      lambdas, reduction, normalizers: as `edit5_loss`.

    Returns:
      (total float32 [], parts): `edit5_loss`'s parts (its `insertion*` entries are the plain
      cross-entropy), plus `distill_insertion` (the mixed L_ins), `distill_insertion_sum`, and the
      content sums `kl_sum`, `content_cross_entropy_sum`, `teacher_cross_entropy_sum`,
      `content_count`.
    """
    weights = resolve_lambdas(lambdas)
    if normalizers is None:
        normalizers = edit5_normalizers(edit5_counts(batch), reduction)
    _, parts = edit5_loss(outputs, batch, lambdas, reduction, normalizers=normalizers)
    sums = insertion_distill_sums(
        outputs["insertion_logits"],
        teacher_logits_at_insertions(teacher_logits, batch[TARGET_POSITIONS]), batch,
        temperature)
    # Plain sum + α · correction: α = 0 leaves the insertion sum as edit5_loss has it.
    distill_sum = parts["insertion_sum"] + kl_weight * (
        temperature**2 * sums["kl"] - sums["cross_entropy"])
    reduced = dict(parts, insertion=distill_sum / normalizers["insertion"])
    total = ops.zeros((), "float32")
    for part in LOSS_PARTS:  # edit5_loss's order, so α = 0 gives its total bit for bit
        total = total + weights[part] * reduced[part]
    parts = dict(parts, distill_insertion=reduced["insertion"], distill_insertion_sum=distill_sum,
                 kl_sum=sums["kl"], content_cross_entropy_sum=sums["cross_entropy"],
                 teacher_cross_entropy_sum=sums["teacher_cross_entropy"],
                 content_count=sums["content"])
    return total, parts


def edit5_distill_objective(teacher, *, kl_weight: float = 0.5, temperature: float = 1.0,
                            lambdas: Mapping[str, float] | Sequence[float] | None = None,
                            reduction: str | Mapping[str, str] = "mean") -> Objective:
    """EdiT5 trained on its gold edits with a frozen seq2seq teacher on its insertions.

    Args:
      teacher: a built T5 encoder-decoder (logits [b, Tt, V], the student's vocabulary), called
        with {"encoder_input_tokens", "decoder_input_tokens"}; set non-trainable, its logits a
        stopped gradient.
      kl_weight, temperature: α and τ (module docstring); α = 0 is `edit5_objective`.
      lambdas, reduction: as `edit5_objective` (the global-batch normalisers likewise).

    Reported metrics: `edit5_objective`'s (`{part}_loss` are plain cross-entropies), and per
    content token `kl`, `content_cross_entropy`, `teacher_cross_entropy` (the teacher's ce of the
    same pieces: low when the positions line up), and `distill_insertion_loss` per decoder token.
    """
    check_distill_settings(kl_weight, temperature)
    teacher.trainable = False

    def forward_fn(model, batch, training):
        student = call_model(model, batch, EDIT5_MODEL_FEATURES, training)
        teacher_inputs = {name: batch[feature] for name, feature in TEACHER_FEATURES.items()}
        teacher_logits = ops.stop_gradient(teacher(teacher_inputs, training=False))
        return student, teacher_logits

    def loss_fn(outputs, batch, counts) -> LossOutput:
        student, teacher_logits = outputs
        total, parts = edit5_distill_loss(
            student, teacher_logits, batch, kl_weight=kl_weight, temperature=temperature,
            lambdas=lambdas, reduction=reduction,
            normalizers=edit5_normalizers(counts, reduction))
        metrics = part_metrics(parts)
        content = parts["content_count"]
        metrics["kl"] = (parts["kl_sum"], content)
        metrics["content_cross_entropy"] = (parts["content_cross_entropy_sum"], content)
        metrics["teacher_cross_entropy"] = (parts["teacher_cross_entropy_sum"], content)
        metrics["distill_insertion_loss"] = (parts["distill_insertion_sum"],
                                             parts["insertion_count"])
        return LossOutput(loss_sum=total, normalizer=None, metrics=metrics)

    loss_features = EDIT5_LOSS_FEATURES + (TEACHER_DECODER_INPUTS, TARGET_POSITIONS)
    return Objective("edit5_distill", EDIT5_MODEL_FEATURES, loss_features, loss_fn,
                     forward_fn=forward_fn, normalizers_fn=edit5_counts)
