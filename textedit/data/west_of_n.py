"""West-of-N synthetic preference pairs (Pace et al., 2024; docs/algorithms.md#reward-models).

For each unlabelled prompt the policy samples N responses and the base reward model scores them.
The best and the worst response become a synthetic pair (y+, y-), and only the pairs the reward
model is most sure about are kept: those whose margin R(y+) - R(y-) is in the top `keep_share`
of all margins (the paper's confidence filter on σ(R(y+) - R(y-)), which ranks pairs the same
way because σ is monotone).

    selection = select_west_of_n(prompts, responses, scores, keep_share=0.5)
    selection.pairs          # [(prompt, best, worst, margin)], kept pairs in prompt order
    selection.counts         # {"prompts", "tied", "below_share", "kept"}

Pure Python and numpy: the sampling and scoring run elsewhere; this file is the selection rule,
so it can be tested on fixed scores.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np


@dataclasses.dataclass(frozen=True)
class WestOfNSelection:
    """Kept synthetic pairs (prompt, chosen, rejected, margin) and the counts of the filter."""

    pairs: list[tuple[str, str, str, float]]
    counts: dict[str, int]


def select_west_of_n(prompts: list[str], responses: list[list[str]], scores,
                     keep_share: float = 1.0) -> WestOfNSelection:
    """Best-vs-worst pairs per prompt, filtered to the top `keep_share` of margins.

    Args:
      prompts: [p] prompts.
      responses: [p][N] sampled responses per prompt (N >= 2, the same N for every prompt).
      scores: float [p, N] reward-model scores of `responses`.
      keep_share: in (0, 1], the share of non-tied pairs kept, largest margins first
        (ceil(share * pairs)); ties between margins keep the earlier prompt.

    Pairs whose best and worst scores are equal carry no preference: dropped and counted as
    `tied` (also when N responses are all the same text, which scores equal).
    """
    scores = np.asarray(scores, dtype=np.float64)
    if not 0.0 < keep_share <= 1.0:
        raise ValueError(f"keep_share={keep_share}: expected a value in (0, 1]")
    if scores.ndim != 2 or scores.shape[0] != len(prompts) or scores.shape[1] < 2:
        raise ValueError(f"scores have shape {scores.shape}: expected [{len(prompts)}, N >= 2]")
    if [len(r) for r in responses] != [scores.shape[1]] * len(prompts):
        raise ValueError(f"responses per prompt {[len(r) for r in responses]}: expected "
                         f"{scores.shape[1]} for each of the {len(prompts)} prompts")
    best, worst = np.argmax(scores, axis=1), np.argmin(scores, axis=1)
    margins = scores[np.arange(len(prompts)), best] - scores[np.arange(len(prompts)), worst]
    candidates = [i for i in range(len(prompts)) if margins[i] > 0.0]
    keep = math.ceil(keep_share * len(candidates))
    # A stable sort on -margin keeps the earlier prompt first among equal margins.
    ranked = sorted(candidates, key=lambda i: -margins[i])[:keep]
    pairs = [(prompts[i], responses[i][best[i]], responses[i][worst[i]], float(margins[i]))
             for i in sorted(ranked)]
    counts = {"prompts": len(prompts), "tied": len(prompts) - len(candidates),
              "below_share": len(candidates) - keep, "kept": keep}
    return WestOfNSelection(pairs, counts)
