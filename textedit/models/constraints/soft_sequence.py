"""`SoftSequence`, `soft_embed` and the `Constraint` interface of MuCoCO's constraint models.

A soft sequence holds, at every output position, a distribution over the vocabulary. A model reads
it through its embedding table as the expected embedding, `probs @ table`; for a one-hot row this
is exactly the table's row of that token, so the same code scores soft iterates and hard outputs.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from keras import ops


def soft_embed(probs, table):
    """Expected embeddings: probs [b, t, vocab] (rows sum to 1) @ table [vocab', d] -> [b, t, d].

    `table` may have more rows than `probs` has columns (T5 rounds its vocabulary up); the extra
    rows get weight 0."""
    vocab = probs.shape[-1]
    table = ops.cast(table, probs.dtype)
    if table.shape[0] != vocab:
        table = table[:vocab]
    return ops.einsum("btv,vd->btd", probs, table)


@dataclasses.dataclass(frozen=True)
class SoftSequence:
    """What a constraint reads.

    Attributes:
      probs: float32 [b, t, vocab]: the output distribution at each position (one-hot for a hard
        output, pad one-hot after EOS).
      mask: float32 [b, t]: 1 on output positions (tokens and EOS), 0 on padding after them.
      source_tokens: int32 [b, s]: the encoder input (0 = padding).
    """

    probs: Any
    mask: Any
    source_tokens: Any


class Constraint:
    """A differentiable constraint f(soft sequence) <= epsilon, one value per row.

    Attributes (set by subclasses):
      name: a short name for reports ("simple", "close", "length", "keyword").
      epsilon: the default bound (decoding may override it).
    """

    name: str = "constraint"
    epsilon: float = 0.0

    def __call__(self, soft: SoftSequence):
        """soft -> float32 [b]: the constraint's value of each row (satisfied when <= epsilon)."""
        raise NotImplementedError


def masked_mean(values, mask):
    """Mean over time of values [b, t, d] where mask [b, t] is 1 -> [b, d]."""
    mask = ops.cast(mask, values.dtype)[:, :, None]
    return ops.sum(values * mask, axis=1) / ops.maximum(ops.sum(mask, axis=1), 1.0)
