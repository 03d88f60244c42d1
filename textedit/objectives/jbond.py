"""J-BOND (Sessa et al. 2024, Algorithm 2; docs/algorithms.md#bond): distil the Best-of-2 of a
moving anchor into the policy under a Jeffreys divergence.

Per prompt x: one policy sample y ~ π and two anchor samples y'_1, y'_2 ~ π_anchor, with rewards.

    forward (mode-covering):  L_FW = −log π(y_best|x),  y_best = the anchor sample of higher reward
    backward (mode-seeking):  r_J(y) = −log 16 if r(y) < min(r(y'_1), r(y'_2)) else 0
                              R = r_J(y) − (log π(y|x) − log π_anchor(y|x))          held fixed
                              L_BW = −sg(R − b) · log π(y|x),  b = mean R of the other prompts
    extra KL (γ):             L_KL = sg(log π(y|x) − log π_anchor(y|x)) · log π(y|x)
    L = (1 − β) · L_FW + β · L_BW + γ · L_KL

L_KL's gradient is the score-function estimate of ∇ KL(π ‖ π_anchor) from the policy sample.
Why −log 16: the two anchor samples give a crude estimate of the anchor's reward quantile
F(r(y)), and the backward reward of Best-of-N distillation is (N − 1) · log F; the paper penalises
only the case where the estimate is 0 (y loses to both), with the finite constant −log 16 in
place of log 0.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from keras import ops

from textedit.objectives.leave_one_out import leave_one_out_baseline

LOSING_REWARD = -math.log(16.0)


class JBondTerms(NamedTuple):
    """Per-prompt quantities, float32 [b]."""

    loss: object  # (1 − β)·L_FW + β·L_BW + γ·L_KL
    forward: object  # L_FW
    backward: object  # L_BW
    jbond_reward: object  # r_J(y): −log 16 or 0
    returns: object  # R
    log_ratio: object  # log π(y|x) − log π_anchor(y|x)


def jbond_reward(policy_rewards, anchor_rewards):
    """r_J: float32 [b], −log 16 where the policy sample's reward [b] is below both anchor
    samples' rewards [b, 2] (strictly: a tie with the worse anchor sample is not a loss), else 0."""
    worst_anchor = ops.min(ops.cast(anchor_rewards, "float32"), axis=-1)
    lost = ops.cast(ops.cast(policy_rewards, "float32") < worst_anchor, "float32")
    return LOSING_REWARD * lost


def best_anchor_index(anchor_rewards):
    """int32 [b]: which of the anchor samples [b, k] has the highest reward (the first on ties)."""
    return ops.cast(ops.argmax(ops.cast(anchor_rewards, "float32"), axis=-1), "int32")


def jbond_losses(policy_log_probs, best_anchor_log_probs, anchor_log_probs, policy_rewards,
                 anchor_rewards, beta: float = 0.5, gamma: float = 0.0) -> JBondTerms:
    """J-BOND terms (module docstring).

    Args:
      policy_log_probs: float32 [b], log π(y|x) of the policy sample, differentiable.
      best_anchor_log_probs: float32 [b], log π(y_best|x): the policy's log-probability of the
        better anchor sample, differentiable.
      anchor_log_probs: float32 [b], log π_anchor(y|x) of the policy sample (no gradient).
      policy_rewards: float32 [b], r(y).
      anchor_rewards: float32 [b, 2], r(y'_1), r(y'_2).
      beta: the Jeffreys mix in [0, 1] (0: forward KL only, 1: backward only).
      gamma: weight of the extra KL(π ‖ π_anchor) term, >= 0.

    Returns:
      JBondTerms of float32 [b]; b must be at least 2 (the leave-one-out baseline).
    """
    if not 0.0 <= beta <= 1.0:
        raise ValueError(f"beta={beta}: expected a value in [0, 1]")
    if gamma < 0:
        raise ValueError(f"gamma={gamma}: expected >= 0")
    r_j = ops.stop_gradient(jbond_reward(policy_rewards, anchor_rewards))
    log_ratio = ops.stop_gradient(policy_log_probs - anchor_log_probs)
    returns = r_j - log_ratio
    advantages = returns - leave_one_out_baseline(returns, axis=0)
    forward = -best_anchor_log_probs
    backward = -advantages * policy_log_probs
    loss = (1.0 - beta) * forward + beta * backward
    if gamma:
        loss = loss + gamma * log_ratio * policy_log_probs
    return JBondTerms(loss, forward, backward, r_j, returns, log_ratio)
