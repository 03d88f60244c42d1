"""The pieces of MuCoCO's Lagrangian (Kumar et al. 2021), as pure functions of tensors.

    minimise  g(y)  subject to  f_i(y) <= eps_i,   y in the probability simplex (per position)
    L(y, lam) = g(y) + sum_i lam_i (f_i(y) - eps_i),   lam_i >= 0

One step (`textedit/decoding/mucoco.py` runs it per output position under XLA):

    y   <- y * exp(-lr * dL/dy) / Z            exponentiated gradient (descent on y)
    lam <- max(0, lam + lr_lam * (f(y) - eps)) projected gradient ascent on the multipliers

y is kept as log-weights theta (y = softmax(theta)), so the exponentiated step is
`theta - lr * dL/dy`; it never leaves the simplex and cannot underflow to an exact zero.
"""

from __future__ import annotations

from keras import ops


def lagrangian(objective, values, epsilons, multipliers):
    """objective [b], values [b, k], epsilons [k], multipliers [b, k] -> L [b]."""
    slack = values - ops.cast(epsilons, values.dtype)[None, :]
    return objective + ops.sum(multipliers * slack, axis=-1)


def exponentiated_gradient_step(log_weights, gradient, learning_rate):
    """One exponentiated-gradient step on distributions over the last axis.

    Args:
      log_weights: float [..., n]: theta, the distribution is softmax(theta).
      gradient: float [..., n]: dL/dy at y = softmax(theta) (with respect to y, not theta).
      learning_rate: float [] or broadcastable.

    Returns:
      the new log-weights, normalised (logsumexp 0 over the last axis).
    """
    updated = log_weights - learning_rate * gradient
    return updated - ops.logsumexp(updated, axis=-1, keepdims=True)


def multiplier_ascent(multipliers, values, epsilons, learning_rate):
    """lam [b, k] <- max(0, lam + lr * (values [b, k] - epsilons [k]))."""
    slack = values - ops.cast(epsilons, values.dtype)[None, :]
    return ops.maximum(multipliers + learning_rate * slack, 0.0)


def satisfied(values, epsilons):
    """values [b, k] <= epsilons [k] for every constraint -> bool [b] (True with k = 0)."""
    return ops.all(values <= ops.cast(epsilons, values.dtype)[None, :], axis=-1)
