"""Character error rate (CER), the usual score of OCR: character edits per reference character.

    character_error_rate_score(sources, predictions, [[reference], ...])
    -> {"cer": 100 * sum(edits) / sum(reference characters)}

Edits are the Levenshtein distance (insertions, deletions, substitutions, each cost 1) between
the prediction and the nearest of its references; the corpus CER divides the summed edits by the
summed lengths of those references, so long lines weigh more (as OCR evaluations report it).
Lower is better; it can exceed 100 when predictions are much longer than references.
"""

from __future__ import annotations

from collections.abc import Sequence

from textedit.metrics.scorer_inputs import check_scorer_inputs


def levenshtein(a: str, b: str) -> int:
    """Edit distance between two strings, one row of the dynamic programme at a time."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def character_error_rate_score(
    sources: Sequence[str],
    predictions: Sequence[str],
    references: Sequence[Sequence[str]],
) -> dict[str, float]:
    """Corpus CER x100 against the closest reference of each example (module docstring).

    Sources are only checked for length. When the references hold no characters at all (or
    the corpus is empty) the edits are divided by 1, so the score stays finite.

    Returns:
      {"cer": score}.
    """
    scorer = character_error_rate_subset_scorer(sources, predictions, references)
    return scorer(range(len(predictions)))


def character_error_rate_subset_scorer(
    sources: Sequence[str],
    predictions: Sequence[str],
    references: Sequence[Sequence[str]],
):
    """indices -> `character_error_rate_score` of those examples (repeats allowed).

    Each example's edits and reference length are found once; a subset's CER sums them. The
    distances are pure Python, so a paired bootstrap (textedit/metrics/paired_bootstrap.py)
    that recomputed them would take seconds per resample."""
    refs = check_scorer_inputs("cer", sources, predictions, references)
    edits, lengths = [], []
    for prediction, example_refs in zip(predictions, refs, strict=True):
        distance, reference = min((levenshtein(prediction, r), r) for r in example_refs)
        edits.append(distance)
        lengths.append(len(reference))

    def score(indices) -> dict[str, float]:
        chosen = list(indices)
        return {"cer": 100.0 * sum(edits[i] for i in chosen)
                / max(sum(lengths[i] for i in chosen), 1)}

    return score


character_error_rate_score.subset_scorer = character_error_rate_subset_scorer
