"""Exact match: the share of predictions equal to one of their references, x100."""

from __future__ import annotations

from collections.abc import Sequence

from textedit.metrics.scorer_inputs import check_scorer_inputs


def exact_match_score(
    sources: Sequence[str],
    predictions: Sequence[str],
    references: Sequence[Sequence[str]],
    *,
    lowercase: bool = False,
) -> dict[str, float]:
    """Percentage of examples whose prediction equals any of its references, character for
    character (`lowercase=True` compares case-insensitively, as DiscoFuse's "Exact" is reported).

    Sources are only checked for length. An empty corpus scores 0.

    Returns:
      {"exact_match": score}.
    """
    refs = check_scorer_inputs("exact_match", sources, predictions, references)
    if not refs:
        return {"exact_match": 0.0}

    def norm(text: str) -> str:
        return text.lower() if lowercase else text

    hits = sum(
        norm(pred) in {norm(r) for r in example_refs}
        for pred, example_refs in zip(predictions, refs, strict=True)
    )
    return {"exact_match": 100.0 * hits / len(refs)}
