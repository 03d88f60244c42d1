"""The one calling convention every scorer shares, and its input check.

A scorer is `scorer(sources, predictions, references) -> dict[str, float]`:

    sources:     [n_examples] str, the inputs the system edited
    predictions: [n_examples] str, the system outputs
    references:  [n_examples] list of >= 1 str, every reference for that example

and returns named scores on a 0-100 scale (counts such as ERRANT's TP/FP/FN ride along as floats).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Scorer(Protocol):
    """What every scorer in textedit.metrics looks like."""

    def __call__(
        self,
        sources: Sequence[str],
        predictions: Sequence[str],
        references: Sequence[Sequence[str]],
    ) -> dict[str, float]: ...


def check_scorer_inputs(
    name: str,
    sources: Sequence[str],
    predictions: Sequence[str],
    references: Sequence[Sequence[str]],
) -> list[list[str]]:
    """Validates the three parallel lists; returns `references` as a list of lists.

    Raises ValueError naming the metric and the counts when the lengths differ, when an example
    has no reference, or when `references` is a flat list of strings (a common slip: one string per
    example instead of a list of references per example).
    """
    if not len(sources) == len(predictions) == len(references):
        raise ValueError(
            f"{name}: got {len(sources)} sources, {len(predictions)} predictions and "
            f"{len(references)} reference lists; all three must have one entry per example."
        )
    refs: list[list[str]] = []
    for i, example_refs in enumerate(references):
        # A bare string is a sequence too; iterating it would score against single characters.
        if isinstance(example_refs, str | bytes):
            raise ValueError(
                f"{name}: references[{i}] is a string; pass a list of references per example "
                f"(e.g. [[ref] for ref in refs])."
            )
        example_refs = list(example_refs)
        if not example_refs:
            raise ValueError(f"{name}: example {i} has no reference; each needs at least one.")
        refs.append(example_refs)
    return refs
