"""REINFORCE with a KL penalty to a reference and a leave-one-out baseline (the BOND paper's
baseline, docs/algorithms.md#bond).

Per prompt, k policy samples y_1..y_k (k = 2 in the paper) with sequence log-probabilities
log π(y_i|x) (summed over the response tokens) and a reward r_i:

    R_i   = r_i − β_RL · (log π(y_i|x) − log π_ref(y_i|x))      return, held fixed (sg)
    b_i   = mean_{j≠i} R_j                                        leave-one-out baseline
    L_i   = −sg(R_i − b_i) · log π(y_i|x)

The gradient of L is the score-function estimate of −∇ E[r − β_RL · log(π/π_ref)]; the baseline
lowers its variance without bias because b_i does not depend on y_i.
"""

from __future__ import annotations

from typing import NamedTuple

from keras import ops

from textedit.objectives.leave_one_out import leave_one_out_baseline


class PolicyGradientTerms(NamedTuple):
    """Per-sample quantities, float32 of the input shape."""

    loss: object  # what is minimised (its gradient is the policy gradient)
    returns: object  # R (after the KL penalty)
    advantages: object  # R − b
    log_ratio: object  # log π − log π_ref (a one-sample estimate of KL(π‖π_ref) per sample)


def reinforce_losses(policy_log_probs, reference_log_probs, rewards,
                     kl_weight: float) -> PolicyGradientTerms:
    """REINFORCE terms (module docstring).

    Args:
      policy_log_probs: float32 [b, k], log π(y_i|x), differentiable.
      reference_log_probs: float32 [b, k], log π_ref(y_i|x) (no gradient taken through it).
      rewards: float32 [b, k].
      kl_weight: β_RL >= 0.

    Returns:
      PolicyGradientTerms, each float32 [b, k].
    """
    if kl_weight < 0:
        raise ValueError(f"kl_weight={kl_weight}: expected >= 0")
    log_ratio = ops.stop_gradient(policy_log_probs - reference_log_probs)
    returns = ops.stop_gradient(ops.cast(rewards, "float32")) - kl_weight * log_ratio
    advantages = returns - leave_one_out_baseline(returns, axis=-1)
    loss = -advantages * policy_log_probs
    return PolicyGradientTerms(loss, returns, advantages, log_ratio)
