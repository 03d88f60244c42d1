"""Quality metrics, one scorer per file, all with one calling convention.

    scorer(sources, predictions, references) -> {name: score}    (0-100 scale)

with `references` a list of reference lists (one list per example). Each scorer agrees with the
reference implementation its field uses:

- "gleu":        GLEU for JFLEG, through the PyPI package `gleu` (gleu_metric.py)
- "errant":      ERRANT span-based correction P/R/F0.5 (errant_metric.py)
- "sari":        corpus SARI as EASSE computes it (sari.py)
- "exact_match": exact match, optionally lower-cased (exact_match.py)
- "bleu":        sacrebleu corpus BLEU (bleu.py)
- "cer":         character error rate, lower is better (character_error_rate.py)

`seqio_adapters.seqio_metric(name)` turns any of them into a SeqIO metric_fn;
`gold_m2_errant.gold_m2_errant_metric` scores ERRANT against gold M2 files inside a metric_fn.
`task_evaluation` and `predictions_file` score a file of predictions with a task's metric_fns
(`textedit evaluate`). Importing this package is cheap: spaCy and errant load on the first ERRANT
call, SeqIO only with task_evaluation.
"""

from __future__ import annotations

from textedit.metrics.bleu import bleu_score
from textedit.metrics.character_error_rate import character_error_rate_score
from textedit.metrics.errant_metric import errant_score
from textedit.metrics.exact_match import exact_match_score
from textedit.metrics.gleu_metric import gleu_score
from textedit.metrics.sari import sari_score
from textedit.metrics.scorer_inputs import Scorer

METRICS: dict[str, Scorer] = {
    "gleu": gleu_score,
    "errant": errant_score,
    "sari": sari_score,
    "exact_match": exact_match_score,
    "bleu": bleu_score,
    "cer": character_error_rate_score,
}


def get_metric(name: str) -> Scorer:
    """The scorer registered as `name`; KeyError lists the known names."""
    try:
        return METRICS[name]
    except KeyError:
        raise KeyError(f"Unknown metric {name!r}; known metrics: {sorted(METRICS)}.") from None


__all__ = [
    "METRICS",
    "Scorer",
    "bleu_score",
    "character_error_rate_score",
    "errant_score",
    "exact_match_score",
    "get_metric",
    "gleu_score",
    "sari_score",
]
