"""Distillation from stored top-k teacher log-probabilities, the remaining mass kept explicitly
(docs/algorithms.md#distillation).

A teacher's full distribution over 16k ids per token is too large to store; its k most probable
ids and their log-probabilities (at the temperature τ of the run that wrote them) are kept
instead. The rest of the vocabulary becomes one "other" outcome with the remaining mass
r = 1 - Σ_k p_T(k), and the KL is taken between the two coarsened distributions over k + 1
outcomes:

    KL_k = Σ_k p_T(k) (log p_T(k) - log p_S(k)) + r (log r - log(1 - Σ_k p_S(k)))

with p_S the student at the same τ. This is exactly the KL of the teacher's known information: it
is 0 only when the student matches the teacher on the k ids and on the total mass of the rest,
and it equals the full KL when k is the vocabulary (r = 0). The cross-entropy part is the
ordinary one (`distill.distill_sums` mixes them the same way).

    ids, log_probs = top_k_log_probs(teacher_logits, k=16, temperature=1.0)   # write once
    objective = stored_top_k_objective(kl_weight=0.5, temperature=1.0)        # read in training

Batch features: `teacher_top_k_ids` int32 [b, t, k] and `teacher_top_k_log_probs` float
[b, t, k] (textedit/training/stored_teacher_data.py writes and reads them with the batch).
"""

from __future__ import annotations

from collections.abc import Sequence

from keras import ops

from textedit.objectives.distill import (
    check_distill_settings,
    log_softmax,
    mix_losses,
    sums_to_output,
)
from textedit.objectives.objective import LossOutput, Objective
from textedit.objectives.seq2seq import (
    SEQ2SEQ_LOSS_FEATURES,
    SEQ2SEQ_MODEL_FEATURES,
    seq2seq_cross_entropy,
)

TOP_K_FEATURES = ("teacher_top_k_ids", "teacher_top_k_log_probs")


def top_k_log_probs(logits, k: int, temperature: float = 1.0):
    """The k most probable ids of softmax(logits / τ) and their log-probabilities.

    logits [..., vocab] -> (ids int32 [..., k], log_probs float32 [..., k]), most probable first.
    """
    log_probs = log_softmax(logits, temperature)
    values, ids = ops.top_k(log_probs, k)
    return ops.cast(ids, "int32"), values


def _log_rest(log_probs):
    """log(1 - Σ exp(log_probs)) over the last axis, >= log(1e-12): the remaining mass."""
    kept = ops.sum(ops.exp(ops.cast(log_probs, "float32")), axis=-1)
    return ops.log(ops.maximum(1.0 - kept, 1e-12))


def top_k_kl(student_logits, teacher_ids, teacher_log_probs, temperature: float = 1.0):
    """KL between the teacher's and the student's distributions coarsened to the teacher's k ids
    plus one outcome for the rest (module docstring).

    Args:
      student_logits: float [b, t, vocab]; teacher_ids: int [b, t, k];
      teacher_log_probs: float [b, t, k] at temperature τ; temperature: τ of the student.

    Returns:
      float32 [b, t].
    """
    student = log_softmax(student_logits, temperature)
    student_top = ops.take_along_axis(student, ops.cast(teacher_ids, "int32"), axis=-1)
    teacher_top = ops.cast(teacher_log_probs, "float32")
    kept = ops.sum(ops.exp(teacher_top) * (teacher_top - student_top), axis=-1)
    teacher_rest = 1.0 - ops.sum(ops.exp(teacher_top), axis=-1)
    # r log r is 0 at r = 0; the clamp keeps the log finite where the teacher kept everything.
    rest = ops.where(teacher_rest > 1e-6,
                     teacher_rest * (_log_rest(teacher_top) - _log_rest(student_top)), 0.0)
    return kept + rest


def stored_top_k_objective(*, kl_weight: float = 0.5, temperature: float = 1.0,
                           model_features: Sequence[str] = SEQ2SEQ_MODEL_FEATURES,
                           label_smoothing: float = 0.0, z_loss: float = 1e-4) -> Objective:
    """Distillation from the batch's stored top-k teacher log-probabilities.

    `temperature` must be the one the log-probabilities were written at (the manifest's
    `temperature`; the gin files bind both from one macro). Metrics as `distill_objective`'s,
    without the teacher's cross-entropy (the stored top-k may not hold the target)."""
    check_distill_settings(kl_weight, temperature)
    model_features = tuple(model_features)

    def loss_fn(student_logits, batch) -> LossOutput:
        weights = ops.cast(batch["decoder_loss_weights"], "float32")
        kl = top_k_kl(student_logits, batch["teacher_top_k_ids"],
                      batch["teacher_top_k_log_probs"], temperature)
        ce = seq2seq_cross_entropy(student_logits, batch["decoder_target_tokens"], weights,
                                   label_smoothing, z_loss)
        sums = mix_losses(ce, None, ops.sum(kl * weights), kl_weight, temperature)
        return sums_to_output(sums)

    return Objective("distill_top_k", model_features, SEQ2SEQ_LOSS_FEATURES + TOP_K_FEATURES,
                     loss_fn)
