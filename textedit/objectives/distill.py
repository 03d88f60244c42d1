"""Token-level knowledge distillation (Gemma 2; Hinton et al.), docs/algorithms.md#distillation.

Per target position t with weight w_t (1 on completion tokens, 0 on padding and prompts):

    p_T = softmax(teacher_logits / τ),  p_S = softmax(student_logits / τ)
    kl_t = Σ_v p_T(v) (log p_T(v) - log p_S(v))                KL(teacher || student)
    loss = Σ_t w_t [(1 - α) · ce_t + α · τ² · kl_t] + z_loss terms,   normaliser Σ_t w_t

where ce_t is the ordinary cross-entropy of the target token (at τ = 1) and α = `kl_weight`. The
τ² keeps the gradient of the KL term on the scale of the cross-entropy's when τ changes (Hinton).
α = 1 is pure distillation, α = 0 plain cross-entropy.

The teacher is either run in the same step, frozen (`distill_objective(teacher=model)`: its
logits are a stopped gradient and its variables are not the trained model's), or read from
stored top-k log-probabilities (`stored_top_k_objective`, textedit/objectives/top_k_teacher.py).
Teacher and student may be different sizes and kinds (T5 -> smaller T5, Gemma-style -> smaller
Gemma-style) as long as they share the vocabulary and read the same batch features' positions:
`teacher_features` names what the teacher is called with.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from keras import ops

from textedit.objectives.objective import LossOutput, Objective, call_model
from textedit.objectives.seq2seq import (
    SEQ2SEQ_LOSS_FEATURES,
    SEQ2SEQ_MODEL_FEATURES,
    seq2seq_cross_entropy,
)


class DistillSums(NamedTuple):
    """Weighted sums over the batch's positions, float32 scalars."""

    loss: object  # what training minimises
    kl: object  # Σ w KL(p_T || p_S) at temperature τ (not multiplied by τ²)
    cross_entropy: object  # Σ w ce of the targets (τ = 1)
    teacher_cross_entropy: object  # the teacher's own ce of the targets (None: not known)
    z_loss: object
    correct: object  # weighted count of student argmax == target
    weight: object


def log_softmax(logits, temperature: float = 1.0):
    """float32 log-probabilities of logits / temperature over the last axis."""
    scaled = ops.cast(logits, "float32") / temperature
    return scaled - ops.logsumexp(scaled, axis=-1, keepdims=True)


def kl_divergence(teacher_log_probs, student_log_probs):
    """KL(p_T || p_S) over the last axis, [..., vocab] -> [...]; terms with p_T = 0 are 0."""
    teacher_probs = ops.exp(teacher_log_probs)
    return ops.sum(teacher_probs * (teacher_log_probs - student_log_probs), axis=-1)


def distill_sums(student_logits, teacher_logits, targets, weights, *, kl_weight: float = 0.5,
                 temperature: float = 1.0, label_smoothing: float = 0.0,
                 z_loss: float = 0.0) -> DistillSums:
    """The distillation loss's sums (module docstring).

    Args:
      student_logits, teacher_logits: float [b, t, vocab], the same vocabulary.
      targets: int [b, t]; weights: [b, t], 0 where nothing is predicted.
      kl_weight: α in [0, 1]; temperature: τ > 0; label_smoothing, z_loss: of the
        cross-entropy part (`seq2seq_cross_entropy`).
    """
    if student_logits.shape[-1] != teacher_logits.shape[-1]:
        raise ValueError(f"student logits have {student_logits.shape[-1]} vocabulary columns, "
                         f"the teacher's {teacher_logits.shape[-1]}: distillation needs one "
                         "vocabulary (same VOCAB_SIZE)")
    weights = ops.cast(weights, "float32")
    kl = kl_divergence(log_softmax(teacher_logits, temperature),
                       log_softmax(student_logits, temperature))
    return mix_losses(seq2seq_cross_entropy(student_logits, targets, weights, label_smoothing,
                                        z_loss),
                  seq2seq_cross_entropy(teacher_logits, targets, weights).cross_entropy,
                  ops.sum(kl * weights), kl_weight, temperature)


def mix_losses(ce_sums, teacher_ce, kl_sum, kl_weight: float, temperature: float
               ) -> DistillSums:
    """(1 - α) · CE + α · τ² · KL from `seq2seq_cross_entropy`'s sums and the KL's sum, the
    z-loss kept whole; teacher_ce may be None (not known)."""
    loss = ((1.0 - kl_weight) * ce_sums.cross_entropy + kl_weight * temperature**2 * kl_sum
            + ce_sums.z_loss)
    return DistillSums(loss=loss, kl=kl_sum, cross_entropy=ce_sums.cross_entropy,
                       teacher_cross_entropy=teacher_ce, z_loss=ce_sums.z_loss,
                       correct=ce_sums.correct, weight=ce_sums.weight)


def check_distill_settings(kl_weight: float, temperature: float) -> None:
    """ValueError unless 0 <= kl_weight <= 1 and temperature > 0."""
    if not 0.0 <= kl_weight <= 1.0:
        raise ValueError(f"kl_weight={kl_weight}: expected a value in [0, 1]")
    if temperature <= 0.0:
        raise ValueError(f"temperature={temperature}: expected a positive value")


def sums_to_output(sums: DistillSums) -> LossOutput:
    """The trainer's view: per-token loss and metrics (all divided by the target tokens)."""
    metrics = {"cross_entropy": sums.cross_entropy, "kl": sums.kl, "z_loss": sums.z_loss,
               "token_accuracy": sums.correct}
    if sums.teacher_cross_entropy is not None:
        metrics["teacher_cross_entropy"] = sums.teacher_cross_entropy
    return LossOutput(loss_sum=sums.loss, normalizer=sums.weight, metrics=metrics)


def distill_objective(teacher, *, kl_weight: float = 0.5, temperature: float = 1.0,
                      model_features: Sequence[str] = SEQ2SEQ_MODEL_FEATURES,
                      teacher_features: Sequence[str] | None = None,
                      label_smoothing: float = 0.0, z_loss: float = 1e-4) -> Objective:
    """Distillation from a frozen teacher run in the same step.

    Args:
      teacher: a built Keras model called like the student (its logits [b, t, vocab]); it is
        set non-trainable and its logits are a stopped gradient.
      kl_weight, temperature: α and τ (module docstring).
      model_features: what the student reads: seq2seq (T5) by default, ("decoder_input_tokens",)
        for a decoder-only student.
      teacher_features: what the teacher reads (default: model_features).
      label_smoothing, z_loss: of the cross-entropy part.
    """
    check_distill_settings(kl_weight, temperature)
    teacher.trainable = False
    model_features = tuple(model_features)
    teacher_features = tuple(teacher_features or model_features)

    def forward_fn(model, batch, training):
        student_logits = call_model(model, batch, model_features, training)
        teacher_logits = ops.stop_gradient(call_model(teacher, batch, teacher_features, False))
        return student_logits, teacher_logits

    def loss_fn(outputs, batch) -> LossOutput:
        student_logits, teacher_logits = outputs
        return sums_to_output(distill_sums(
            student_logits, teacher_logits, batch["decoder_target_tokens"],
            batch["decoder_loss_weights"], kl_weight=kl_weight, temperature=temperature,
            label_smoothing=label_smoothing, z_loss=z_loss))

    loss_features = tuple(f for f in teacher_features if f not in model_features)
    return Objective("distill", model_features, loss_features + SEQ2SEQ_LOSS_FEATURES, loss_fn,
                     forward_fn=forward_fn)
