"""`convert(source, target)` -> EditPlan and its inverse `realise(source, plan)` -> target.

The invariant the whole edit pipeline rests on, tested on every pair of the real data sets and by
property-based tests: `realise(source, convert(source, target)) == list(target)`.
Both work on any hashable tokens (vocabulary ids or word strings); sequences in, lists out.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

from textedit.edits.alignment import DEFAULT_MAX_WORK, UNMATCHED, Alignment, align
from textedit.edits.edit_plan import EditPlan, InvalidPlanError

Token = TypeVar("Token", bound=Hashable)


class TooManyPositionsError(ValueError):
    """The pair's insertions need more `<pos_k>` tokens than the vocabulary reserves.

    Attributes:
      positions_needed: position tokens the pair needs (largest k + 1).
      max_positions: position tokens configured.
    """

    def __init__(self, positions_needed: int, max_positions: int):
        self.positions_needed = positions_needed
        self.max_positions = max_positions
        super().__init__(
            f"insertion needs <pos_{positions_needed - 1}>, i.e. {positions_needed} position "
            f"tokens, but only {max_positions} are configured"
        )


def convert(
    source: Sequence[Token],
    target: Sequence[Token],
    *,
    max_positions: int | None = None,
    min_moved_run: int = 1,
    max_work: int = DEFAULT_MAX_WORK,
) -> EditPlan[Token]:
    """The edit plan that keeps the most source tokens and inserts the fewest (see alignment.py).

    Args:
      source: source tokens.
      target: target tokens.
      max_positions: number of `<pos_k>` tokens available (k = 0 .. max_positions - 1); None means
        unlimited.
      min_moved_run, max_work: passed to `alignment.align`.

    Raises:
      TooManyPositionsError: an insertion needs `<pos_k>` with k >= max_positions.
    """
    alignment = align(source, target, min_moved_run=min_moved_run, max_work=max_work)
    return plan_from_alignment(source, target, alignment, max_positions=max_positions)


def plan_from_alignment(
    source: Sequence[Token],
    target: Sequence[Token],
    alignment: Alignment,
    *,
    max_positions: int | None = None,
) -> EditPlan[Token]:
    """The plan of an alignment: kept tokens in target order, unmatched target runs inserted.

    Raises:
      TooManyPositionsError: an insertion needs `<pos_k>` with k >= max_positions.
    """
    order: list[int] = []
    insertions: list[tuple[int, tuple[Token, ...]]] = []
    span_start = None  # start of the current run of inserted target tokens
    for i, j in enumerate(alignment.target_to_source):
        if j == UNMATCHED:
            if span_start is None:
                span_start = i
            continue
        if span_start is not None:
            insertions.append((len(order), tuple(target[span_start:i])))
            span_start = None
        order.append(j)
    if span_start is not None:
        insertions.append((len(order), tuple(target[span_start:])))

    if max_positions is not None and insertions and insertions[-1][0] >= max_positions:
        raise TooManyPositionsError(insertions[-1][0] + 1, max_positions)
    return EditPlan.from_order(len(source), order, insertions)


def realise(source: Sequence[Token], plan: EditPlan[Token]) -> list[Token]:
    """Applies `plan` to `source`: kept tokens in pointer order, spans inserted at their positions.

    Raises:
      InvalidPlanError: the plan does not fit `source` or contradicts itself.
    """
    if len(source) != plan.num_source:
        raise InvalidPlanError(f"plan has {plan.num_source} tags for {len(source)} source tokens")
    order = plan.validate()
    output: list[Token] = []
    kept = 0  # kept tokens already written; `<pos_k>` spans go right after the k-th
    for k, span in plan.insertions:
        output.extend(source[j] for j in order[kept:k])
        output.extend(span)
        kept = k
    output.extend(source[j] for j in order[kept:])
    return output
