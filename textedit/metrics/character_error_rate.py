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
    refs = check_scorer_inputs("cer", sources, predictions, references)
    edits = length = 0
    for prediction, example_refs in zip(predictions, refs, strict=True):
        distance, reference = min((levenshtein(prediction, r), r) for r in example_refs)
        edits += distance
        length += len(reference)
    return {"cer": 100.0 * edits / max(length, 1)}
