"""KTO: Kahneman–Tversky optimisation (Ethayarajh et al., 2024), DRO's single-trajectory
baseline (docs/algorithms.md#dro).

With ρ = log π(y|x) − log π_ref(y|x) and the reference point z = sg(max(0, mean_batch ρ)) (the
batch estimate of KL(π ‖ π_ref)):

    desirable (reward above the batch mean):  λ_D · (1 − σ(β · (ρ − z)))
    undesirable (otherwise):                  λ_U · (1 − σ(β · (z − ρ)))

The mean in "above the batch mean" and in z is over the local batch (per replica). Batch as in
`single_trajectory`.
"""

from __future__ import annotations

from keras import ops

from textedit.objectives.objective import LossOutput, Objective, call_model
from textedit.objectives.seq2seq import SEQ2SEQ_MODEL_FEATURES
from textedit.objectives.sequence_log_prob import batch_log_probs
from textedit.objectives.single_trajectory import TRAJECTORY_LOSS_FEATURES, reference_log_probs


def kto_losses(log_pi, log_ref, reward, beta: float, desirable_weight: float = 1.0,
               undesirable_weight: float = 1.0):
    """Per-example losses float32 [b] and the desirable mask [b] (module docstring)."""
    if beta <= 0.0:
        raise ValueError(f"beta={beta}: expected a positive value")
    ratio = log_pi - log_ref
    z = ops.stop_gradient(ops.maximum(ops.mean(ratio), 0.0))
    reward = ops.cast(reward, "float32")
    desirable = reward > ops.mean(reward)
    losses = ops.where(desirable,
                       desirable_weight * (1.0 - ops.sigmoid(beta * (ratio - z))),
                       undesirable_weight * (1.0 - ops.sigmoid(beta * (z - ratio))))
    return losses, desirable


def kto_objective(reference, beta: float = 0.1, desirable_weight: float = 1.0,
                  undesirable_weight: float = 1.0) -> Objective:
    """KTO against a frozen `reference` seq2seq policy.

    Metrics (per example): log_ratio (ρ), desirable (share of rows above the batch mean).
    """
    reference.trainable = False
    kto_losses(ops.zeros([1]), ops.zeros([1]), ops.zeros([1]), beta)

    def forward_fn(model, batch, training):
        logits = call_model(model, batch, SEQ2SEQ_MODEL_FEATURES, training)
        return batch_log_probs(logits, batch), reference_log_probs(reference, batch)

    def loss_fn(outputs, batch) -> LossOutput:
        log_pi, log_ref = outputs
        losses, desirable = kto_losses(log_pi, log_ref, batch["reward"], beta,
                                       desirable_weight, undesirable_weight)
        return LossOutput(loss_sum=ops.sum(losses),
                          normalizer=ops.cast(ops.shape(losses)[0], "float32"),
                          metrics={"log_ratio": ops.sum(log_pi - log_ref),
                                   "desirable": ops.sum(ops.cast(desirable, "float32"))})

    return Objective("kto", SEQ2SEQ_MODEL_FEATURES, TRAJECTORY_LOSS_FEATURES, loss_fn,
                     forward_fn=forward_fn)
