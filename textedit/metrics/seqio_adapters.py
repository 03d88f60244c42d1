"""Adapters that turn a textedit scorer into a SeqIO `metric_fn(targets, predictions)`.

Every text task's `postprocess_fn` turns a target into a dict and leaves predictions as strings:

    targets:     [n] {"source": str, "references": list[str]}   (optionally "gold_edits")
    predictions: [n] str

so one adapter serves every scorer: it unpacks sources and references from the targets and calls
`scorer(sources, predictions, references)`. A target may also carry "gold_edits" (per-annotator
M2 edits, see errant_metric.errant_counts) for scorers that accept them (ERRANT); then those are
scored instead of the references, as errant_compare scores a gold M2 file (the built-in GEC
tasks use gold_m2_errant.py instead, which finds the gold edits itself).

`suffixed_metric` renames a metric_fn's scores, so that two variants of one scorer can sit in one
task (SeqIO merges the dicts of a task's metric_fns).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from textedit.metrics.scorer_inputs import Scorer

MetricFn = Callable[[Sequence[Any], Sequence[Any]], dict[str, float]]


def text_of(value: Any) -> str:
    # SeqIO hands back bytes when a postprocessor did not decode.
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def unpack_targets(targets: Sequence[Any]) -> tuple[list[str], list[list[str]], list | None]:
    """sources [n], references [n][k], gold edits [n] or None, from postprocessed targets."""
    sources, references, gold = [], [], []
    for i, target in enumerate(targets):
        if not isinstance(target, Mapping) or "source" not in target or "references" not in target:
            raise TypeError(
                f"metric_fn: target {i} is {type(target).__name__} {target!r:.80}; expected the "
                f'task postprocess_fn\'s {{"source": str, "references": [str, ...]}} dict.'
            )
        refs = target["references"]
        if isinstance(refs, str | bytes):
            refs = [refs]
        sources.append(text_of(target["source"]))
        references.append([text_of(r) for r in refs])
        gold.append(target.get("gold_edits"))
    has_gold = [g is not None for g in gold]
    if any(has_gold) and not all(has_gold):
        raise ValueError(
            f"metric_fn: {sum(has_gold)} of {len(targets)} targets carry gold_edits; "
            f"either all or none must."
        )
    return sources, references, (gold if gold and all(has_gold) else None)


def as_seqio_metric(scorer: Scorer, name: str | None = None, **kwargs: Any) -> MetricFn:
    """Wraps `scorer(sources, predictions, references, **kwargs)` as a SeqIO predict metric_fn.

    The returned function has SeqIO's `(targets, predictions)` signature and returns the scorer's
    dict of named 0-100 scores.
    """
    accepts_gold = "gold_edits" in inspect.signature(scorer).parameters

    def metric_fn(targets: Sequence[Any], predictions: Sequence[Any]) -> dict[str, float]:
        sources, references, gold = unpack_targets(targets)
        preds = [text_of(p) for p in predictions]
        if gold is not None:
            if not accepts_gold:
                raise ValueError(
                    f"metric_fn: targets carry gold_edits but {metric_fn.__name__} scores "
                    f"references only."
                )
            return scorer(sources, preds, None, gold_edits=gold, **kwargs)
        return scorer(sources, preds, references, **kwargs)

    subset_scorer = getattr(scorer, "subset_scorer", None)
    if subset_scorer is not None and not accepts_gold:
        # indices -> scores of those examples, for the paired bootstrap (paired_bootstrap.py).
        def metric_subset_scorer(targets: Sequence[Any], predictions: Sequence[Any]):
            sources, references, _ = unpack_targets(targets)
            return subset_scorer(sources, [text_of(p) for p in predictions], references,
                                 **kwargs)

        metric_fn.subset_scorer = metric_subset_scorer
    type_counts = getattr(scorer, "type_counts", None)
    if type_counts is not None:
        # Counts per error category (ERRANT: errant_metric.errant_type_counts).
        def metric_type_counts(targets: Sequence[Any], predictions: Sequence[Any],
                               level: str = "main"):
            sources, references, gold = unpack_targets(targets)
            preds = [text_of(p) for p in predictions]
            if gold is not None:
                return type_counts(sources, preds, None, gold_edits=gold, level=level, **kwargs)
            return type_counts(sources, preds, references, level=level, **kwargs)

        metric_fn.type_counts = metric_type_counts
    metric_fn.__name__ = name or getattr(scorer, "__name__", "metric_fn")
    metric_fn.__qualname__ = metric_fn.__name__
    metric_fn.__doc__ = f"SeqIO metric_fn over {metric_fn.__name__}."
    return metric_fn


def seqio_metric(metric: str | Scorer, **kwargs: Any) -> MetricFn:
    """A SeqIO metric_fn for a registered metric name ("gleu", "errant", "sari", "exact_match",
    "bleu") or a scorer; `kwargs` go to the scorer (e.g. `seqio_metric("exact_match",
    lowercase=True)`)."""
    if isinstance(metric, str):
        from textedit.metrics import get_metric

        name = metric
        scorer = get_metric(name)
    else:
        name, scorer = None, metric
    return as_seqio_metric(scorer, name=name, **kwargs)


def suffixed_metric(metric_fn: MetricFn, suffix: str) -> MetricFn:
    """`metric_fn` with `suffix` appended to its name and to every score it returns.

    SeqIO merges the dicts of a task's metric_fns into one, so two variants of one scorer need
    distinct keys: `suffixed_metric(seqio_metric("exact_match", lowercase=True), "_lowercase")`
    reports "exact_match_lowercase" next to the cased "exact_match".
    """

    def renamed(targets: Sequence[Any], predictions: Sequence[Any]) -> dict[str, float]:
        return {key + suffix: value for key, value in metric_fn(targets, predictions).items()}

    renamed.__name__ = renamed.__qualname__ = metric_fn.__name__ + suffix
    renamed.__doc__ = f"{metric_fn.__doc__} Scores are suffixed {suffix!r}."
    return renamed
