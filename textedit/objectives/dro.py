"""DRO-V: direct reward optimisation with a learned value (Richemond et al., 2024;
docs/algorithms.md#dro).

Per example (x, y, r), with ρ = log π(y|x) − log π_ref(y|x) and sg the stopped gradient:

    policy loss: −log π(y|x) · sg(r − V(x)) + (τ/2) · ρ²
    value loss:  ½ · (r − V(x) − τ · sg(ρ))²

The policy's gradient is −(r − V − τρ) ∇log π, the gradient of ½ (r − V − τρ)² in θ; the value's
is that of the same square in φ with ρ held fixed. Rewards are normalised with the training
data's mean and std (N(0, 1) in the paper). The model is a `PolicyWithValue`: it returns the
policy's logits [b, t, vocab] and V(x) [b] from a separate value network, so the trainer updates
both through one objective.
"""

from __future__ import annotations

from keras import ops

from textedit.objectives.objective import LossOutput, Objective
from textedit.objectives.seq2seq import SEQ2SEQ_MODEL_FEATURES
from textedit.objectives.sequence_log_prob import batch_log_probs
from textedit.objectives.single_trajectory import (
    TRAJECTORY_LOSS_FEATURES,
    normalized_rewards,
    reference_log_probs,
)


def dro_v_losses(log_pi, log_ref, value, reward, tau: float):
    """Per-example (policy loss, value loss), float32 [b] each, from [b] inputs (docstring)."""
    if tau <= 0.0:
        raise ValueError(f"tau={tau}: expected a positive value")
    ratio = log_pi - log_ref
    policy = -log_pi * ops.stop_gradient(reward - value) + 0.5 * tau * ops.square(ratio)
    value_loss = 0.5 * ops.square(reward - value - tau * ops.stop_gradient(ratio))
    return policy, value_loss


def dro_v_objective(reference, tau: float = 1.0, reward_mean: float = 0.0,
                    reward_std: float = 1.0) -> Objective:
    """DRO-V for a `PolicyWithValue` model against a frozen `reference` seq2seq policy.

    Metrics (per example): policy_loss, value_loss, log_ratio (ρ, whose mean estimates
    KL(π ‖ π_ref) on the data's responses), value.
    """
    reference.trainable = False
    dro_v_losses(ops.zeros([1]), ops.zeros([1]), ops.zeros([1]), ops.zeros([1]), tau)
    normalized_rewards({"reward": ops.zeros([1])}, reward_mean, reward_std)

    def forward_fn(model, batch, training):
        logits, value = model({name: batch[name] for name in SEQ2SEQ_MODEL_FEATURES},
                              training=training)
        return batch_log_probs(logits, batch), value, reference_log_probs(reference, batch)

    def loss_fn(outputs, batch) -> LossOutput:
        log_pi, value, log_ref = outputs
        reward = normalized_rewards(batch, reward_mean, reward_std)
        policy, value_loss = dro_v_losses(log_pi, log_ref, value, reward, tau)
        return LossOutput(
            loss_sum=ops.sum(policy + value_loss),
            normalizer=ops.cast(ops.shape(policy)[0], "float32"),
            metrics={"policy_loss": ops.sum(policy), "value_loss": ops.sum(value_loss),
                     "log_ratio": ops.sum(log_pi - log_ref), "value": ops.sum(value)})

    return Objective("dro_v", SEQ2SEQ_MODEL_FEATURES, TRAJECTORY_LOSS_FEATURES, loss_fn,
                     forward_fn=forward_fn)
