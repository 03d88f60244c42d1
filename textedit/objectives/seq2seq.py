"""Token-level cross-entropy with teacher forcing: the seq2seq objective (T5X's `losses.py`).

    sums = seq2seq_cross_entropy(logits, targets, weights, label_smoothing=0.1, z_loss=1e-4)
    objective = seq2seq_objective(label_smoothing=0.0, z_loss=1e-4)   # for the trainer

Features (SeqIO's EncDecFeatureConverter): the model reads `encoder_input_tokens` [b, s] and
`decoder_input_tokens` [b, t] (targets shifted right, start id 0); the loss reads
`decoder_target_tokens` [b, t] and `decoder_loss_weights` [b, t] (1 on real target tokens,
EOS included, 0 on padding).
"""

from __future__ import annotations

import math
from typing import NamedTuple

from keras import ops

from textedit.objectives.objective import LossOutput, Objective

SEQ2SEQ_MODEL_FEATURES = ("encoder_input_tokens", "decoder_input_tokens")
SEQ2SEQ_LOSS_FEATURES = ("decoder_target_tokens", "decoder_loss_weights")


class CrossEntropySums(NamedTuple):
    """Weighted sums over every position of the batch, float32 scalars."""

    loss: object  # cross_entropy + z_loss: what training minimises
    cross_entropy: object  # with label smoothing, minus its constant (0 for a perfect model)
    z_loss: object  # z_loss * log(Z)^2
    correct: object  # weighted count of positions whose argmax is the target
    weight: object  # sum of the weights (e.g. number of target tokens)


def seq2seq_cross_entropy(logits, targets, weights, label_smoothing: float = 0.0,
                          z_loss: float = 0.0) -> CrossEntropySums:
    """Cross-entropy of `targets` under `logits`, summed with `weights`.

    Args:
      logits: float [b, t, vocab] (any float dtype; computed in float32).
      targets: int [b, t] target ids.
      weights: float or int [b, t], 0 on padding.
      label_smoothing: mass spread uniformly over the other vocab - 1 ids; the loss subtracts
        the entropy of that smoothed distribution, so a perfect model still scores 0 (as T5X).
      z_loss: coefficient of log(Z)^2, which keeps the softmax normaliser near 1 (PaLM, T5X).

    Returns:
      CrossEntropySums of float32 scalars.
    """
    logits = ops.cast(logits, "float32")
    weights = ops.cast(weights, "float32")
    vocab = logits.shape[-1]
    log_z = ops.logsumexp(logits, axis=-1)  # [b, t]
    target_logit = ops.squeeze(
        ops.take_along_axis(logits, ops.expand_dims(ops.cast(targets, "int32"), -1), axis=-1), -1)
    if label_smoothing > 0.0:
        confidence = 1.0 - label_smoothing
        low = label_smoothing / (vocab - 1)
        constant = -(confidence * math.log(confidence) + (vocab - 1) * low * math.log(low))
        others = ops.sum(logits, axis=-1) - target_logit
        cross_entropy = log_z - confidence * target_logit - low * others - constant
    else:
        cross_entropy = log_z - target_logit
    z_term = z_loss * ops.square(log_z)
    predicted = ops.cast(ops.argmax(logits, axis=-1), "int32")
    correct = ops.cast(ops.equal(predicted, ops.cast(targets, "int32")), "float32")
    return CrossEntropySums(
        loss=ops.sum((cross_entropy + z_term) * weights),
        cross_entropy=ops.sum(cross_entropy * weights),
        z_loss=ops.sum(z_term * weights),
        correct=ops.sum(correct * weights),
        weight=ops.sum(weights),
    )


def seq2seq_objective(label_smoothing: float = 0.0, z_loss: float = 1e-4) -> Objective:
    """Teacher-forced token cross-entropy; the loss is per target token (normalizer = tokens).

    Reported metrics: cross_entropy and z_loss per token, token_accuracy.
    """

    def loss_fn(logits, batch) -> LossOutput:
        sums = seq2seq_cross_entropy(
            logits, batch["decoder_target_tokens"], batch["decoder_loss_weights"],
            label_smoothing=label_smoothing, z_loss=z_loss)
        return LossOutput(
            loss_sum=sums.loss,
            normalizer=sums.weight,
            metrics={"cross_entropy": sums.cross_entropy, "z_loss": sums.z_loss,
                     "token_accuracy": sums.correct},
        )

    return Objective("seq2seq", SEQ2SEQ_MODEL_FEATURES, SEQ2SEQ_LOSS_FEATURES, loss_fn)
