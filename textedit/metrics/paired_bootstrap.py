"""Paired bootstrap of a task metric's difference between two systems on the same examples.

    split = task_evaluation.read_split("gec_wi_fce", "validation")
    for d in paired_bootstrap(split, predictions_a, predictions_b, resamples=1000):
        print(d.key, d.a, d.b, d.difference, d.low, d.high)

Both prediction lists are scored on the whole split (the point values, exactly the task's
metrics), then `resamples` times on the same resample of examples (drawn with replacement, n of
n; Koehn 2004's paired bootstrap): the difference A − B of each resample gives the percentile
interval at `confidence` and the share of resamples in which A is not above B (a one-sided
p-value for "A is better", read as such only for metrics where higher is better).

Corpus metrics are recomputed on each resample, so every metric of every task works (ERRANT,
GLEU, SARI, BLEU, CER, accuracy). A metric_fn may carry `subset_scorer(targets, predictions)
-> (indices -> scores)`: the gold-M2 ERRANT metric needs one, since it matches its targets to
the M2 file in order (it matches once and scores subsets, textedit/metrics/gold_m2_errant.py);
GLEU's and SARI's count each sentence's n-grams once (gleu_metric.py, sari.py). ERRANT
remembers its sentences' edits, so after the first pass a resample costs little beyond the
scoring arithmetic.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence

import numpy as np

from textedit.metrics.task_evaluation import SplitExamples, metric_fns, postprocess_predictions


@dataclasses.dataclass(frozen=True)
class PairedDifference:
    """One score key: both systems' values on the whole split and A − B with its interval."""

    key: str
    a: float
    b: float
    low: float  # percentile interval of the resampled differences
    high: float
    not_above: float  # share of resamples with A − B ≤ 0
    resamples: int

    @property
    def difference(self) -> float:
        return self.a - self.b

    def as_dict(self) -> dict:
        return {**dataclasses.asdict(self), "difference": self.difference}


def _subset_scorer(fn, targets: Sequence, predictions: Sequence) -> Callable:
    custom = getattr(fn, "subset_scorer", None)
    if custom is not None:
        return custom(targets, predictions)
    return lambda indices: fn([targets[i] for i in indices], [predictions[i] for i in indices])


def paired_bootstrap(
    split: SplitExamples,
    predictions_a: Sequence[str],
    predictions_b: Sequence[str],
    metric_names: Sequence[str] | None = None,
    *,
    resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    progress: Callable[[str], None] | None = None,
) -> list[PairedDifference]:
    """The paired differences of every score key of the task's metrics (module docstring).

    Args:
      split: the examples, as `task_evaluation.read_split` gives them.
      predictions_a, predictions_b: [n] texts each, in task order (postprocessed here).
      metric_names: a subset of the task's metric_fns (default all).
      resamples: bootstrap resamples (each scores both systems once per metric).
      seed: the resamples' generator seed; the same seed gives the same interval.
      confidence: the interval's coverage (0.95: the 2.5th and 97.5th percentiles).
      progress: called with a line about every tenth of the resamples.
    """
    if resamples < 1:
        raise ValueError(f"resamples must be at least 1, got {resamples}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    fns = metric_fns(split.task, metric_names)
    systems = [postprocess_predictions(split, p) for p in (predictions_a, predictions_b)]
    scorers = [[_subset_scorer(fn, split.targets, s) for s in systems] for fn in fns]
    everything = np.arange(len(split))
    full = [{k: v for scorer in scorers for k, v in scorer[side](everything).items()}
            for side in (0, 1)]
    rng = np.random.default_rng(seed)
    differences: dict[str, list[float]] = {key: [] for key in full[0]}
    start = time.perf_counter()
    for number in range(resamples):
        indices = rng.integers(0, len(split), len(split))
        for scorer_a, scorer_b in scorers:
            a, b = scorer_a(indices), scorer_b(indices)
            for key, value in a.items():
                differences[key].append(value - b[key])
        if progress and (number + 1) % max(resamples // 10, 1) == 0:
            progress(f"bootstrap: {number + 1}/{resamples} resamples, "
                     f"{time.perf_counter() - start:.0f}s")
    tail = 100 * (1 - confidence) / 2
    results = []
    for key, values in differences.items():
        low, high = np.percentile(values, [tail, 100 - tail])
        results.append(PairedDifference(key, float(full[0][key]), float(full[1][key]), float(low),
                                        float(high), float(np.mean(np.asarray(values) <= 0)),
                                        resamples))
    return results
