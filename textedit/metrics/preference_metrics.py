"""Reward-model metrics on preference pairs: pairwise accuracy and expected calibration error.

A reward model R predicts P(chosen ≻ rejected) = σ(R(x, y+) − R(x, y−)) (Bradley–Terry). Its
pairwise accuracy is the share of pairs with R(x, y+) > R(x, y−) (a tie counts half). Its expected
calibration error (ECE, Guo et al. 2017) bins the pairs by the confidence of the predicted
winner, c = max(p, 1 − p) in [0.5, 1], and averages |accuracy − mean confidence| over the bins,
weighted by their share of pairs: 0 for a model whose 70%-sure calls are right 70% of the time.
"""

from __future__ import annotations

import numpy as np


def _margins(chosen_scores, rejected_scores) -> np.ndarray:
    chosen = np.asarray(chosen_scores, dtype=np.float64)
    rejected = np.asarray(rejected_scores, dtype=np.float64)
    if chosen.shape != rejected.shape or chosen.ndim != 1 or not chosen.size:
        raise ValueError(f"scores of shapes {chosen.shape} and {rejected.shape}: expected two "
                         "equal, non-empty vectors [pairs]")
    return chosen - rejected


def pairwise_accuracy(chosen_scores, rejected_scores) -> float:
    """Share of pairs the scores order correctly, ties counted as one half."""
    margins = _margins(chosen_scores, rejected_scores)
    return float(np.mean((margins > 0) + 0.5 * (margins == 0)))


def expected_calibration_error(chosen_scores, rejected_scores, bins: int = 10) -> float:
    """ECE of σ(margin) over `bins` equal-width confidence bins on [0.5, 1]."""
    margins = _margins(chosen_scores, rejected_scores)
    p_chosen = 1.0 / (1.0 + np.exp(-margins))
    confidence = np.maximum(p_chosen, 1.0 - p_chosen)
    # The predicted winner is right when it is the chosen side; a tie (p = 0.5) is half right.
    correct = np.where(margins > 0, 1.0, np.where(margins < 0, 0.0, 0.5))
    index = np.minimum(((confidence - 0.5) * 2 * bins).astype(int), bins - 1)
    ece = 0.0
    for b in range(bins):
        in_bin = index == b
        if in_bin.any():
            ece += in_bin.mean() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return float(ece)
