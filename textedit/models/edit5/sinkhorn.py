"""Log-space Sinkhorn normalisation of masked square score matrices (EdiT5's pointer,
docs/algorithms.md#edit5-sinkhorn).

exp(scores) is turned into a near-doubly-stochastic matrix S by alternately normalising columns
and rows, in log space with logsumexp so that large scores cannot overflow:

    x = where(mask, scores, MASKED)
    repeat K times:  x -= logsumexp(x, over rows i)      # every column sums to 1
                     x -= logsumexp(x, over columns j)   # every row sums to 1
    log S = x                                            # rows exact, columns within the tolerance

Each iteration ends with the rows, so every row of S is an exact distribution (the pointer loss is
a cross-entropy per row) and the columns converge towards 1 as K grows. K = 0 skips the
alternation: only the rows are normalised (a plain softmax per row).

Masked entries stay at `MASKED` (a large negative log-probability, i.e. S = 0) after every step;
a finite value rather than -inf keeps rows without any allowed entry free of NaN (their S is 0).
Sinkhorn can reach a doubly-stochastic matrix only when the mask admits a permutation; the EdiT5
pointer mask (`pointer_head.pointer_mask`) always does.
"""

from __future__ import annotations

from keras import ops

MASKED = -1e9


def log_sinkhorn(scores, mask=None, iterations: int = 3):
    """log S of exp(scores) after `iterations` column-then-row normalisations.

    Args:
      scores: float [b, n, n] (any float dtype; computed in float32).
      mask: bool [b, n, n] (or broadcastable), True where an entry may be non-zero; None = all.
      iterations: K >= 0 (a Python int; the loop is unrolled, so gradients flow through it).

    Returns:
      float32 [b, n, n]: log S, `MASKED` where masked; each row with an allowed entry sums to 1
      in probability space.
    """
    if iterations < 0:
        raise ValueError(f"iterations={iterations}: expected >= 0")
    x = ops.cast(scores, "float32")

    def masked(values):
        return values if mask is None else ops.where(mask, values, MASKED)

    x = masked(x)
    for _ in range(iterations):
        x = masked(x - ops.logsumexp(x, axis=-2, keepdims=True))
        x = masked(x - ops.logsumexp(x, axis=-1, keepdims=True))
    if iterations == 0:
        x = masked(x - ops.logsumexp(x, axis=-1, keepdims=True))
    return x
