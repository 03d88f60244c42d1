"""`KeywordInclusion`: every keyword piece must appear somewhere in the output."""

from __future__ import annotations

import numpy as np
from keras import ops

from textedit.models.constraints.soft_sequence import Constraint, SoftSequence


class KeywordInclusion(Constraint):
    """f = mean over keyword pieces k of (1 - max_t mask_t p_t(k)).

    A hard output scores 0 exactly when it contains every piece (epsilon 0: all included); a soft
    one is pushed to put the mass of a missing piece at the position that already likes it most.
    The keywords are the same for every row (tokenise words into their pieces first; a word of
    several pieces requires each of them).
    """

    name = "keyword"

    def __init__(self, keyword_ids, epsilon: float = 0.0):
        """keyword_ids: int [k] piece ids, k >= 1."""
        self.keyword_ids = np.asarray(keyword_ids, np.int32).reshape(-1)
        if self.keyword_ids.size == 0:
            raise ValueError("KeywordInclusion: expected at least one keyword piece id")
        self.epsilon = float(epsilon)

    def __call__(self, soft: SoftSequence):
        chosen = ops.take(soft.probs, ops.convert_to_tensor(self.keyword_ids), axis=2)  # [b,t,k]
        best = ops.max(chosen * soft.mask[:, :, None], axis=1)  # [b, k]
        return ops.mean(1.0 - best, axis=1)
