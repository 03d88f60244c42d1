"""Leave-one-out baseline for policy gradients: each return is compared with the mean of the
others, so the baseline never depends on the sample it is a baseline for (no bias) and needs
no value network.

    baseline = leave_one_out_baseline(returns, axis=-1)      # same shape as returns

returns float [..., k] (k >= 2 along `axis`) -> float32, b_i = (Σ_j R_j − R_i) / (k − 1).
REINFORCE takes it over the k samples of one prompt; J-BOND over the batch (one policy sample per
prompt).
"""

from __future__ import annotations

from keras import ops


def leave_one_out_baseline(returns, axis: int = -1):
    """(Σ_j R_j − R_i) / (k − 1) along `axis` (module docstring); k must be at least 2."""
    returns = ops.cast(returns, "float32")
    k = returns.shape[axis]
    if k is not None and k < 2:
        raise ValueError(f"a leave-one-out baseline needs at least 2 returns along axis {axis}, "
                         f"got {k}")
    count = ops.cast(ops.shape(returns)[axis], "float32")
    total = ops.sum(returns, axis=axis, keepdims=True)
    return (total - returns) / (count - 1.0)
