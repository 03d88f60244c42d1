"""Converting many pairs at once, the statistics of the result, and a readable view of one plan.

`convert_all` never drops a pair silently: a pair whose insertions need more position tokens than
configured is recorded as a `ConversionFailure` (with the count it needs) and counted in the stats.
"""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Hashable, Iterable, Sequence

from textedit.edits.alignment import DEFAULT_MAX_WORK, align
from textedit.edits.conversion import TooManyPositionsError, plan_from_alignment
from textedit.edits.edit_plan import DELETE, EditPlan

Pair = tuple[Sequence[Hashable], Sequence[Hashable]]

# Bins of the inserted-token histogram in `EditStats.format()`: (label, low, high inclusive).
_HISTOGRAM_BINS = (
    ("0", 0, 0), ("1", 1, 1), ("2", 2, 2), ("3", 3, 3), ("4", 4, 4),
    ("5-9", 5, 9), ("10-19", 10, 19), ("20+", 20, None),
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class ConversionFailure:
    """A pair that could not be converted: its index in the input and what it needed."""

    index: int
    positions_needed: int
    max_positions: int


@dataclasses.dataclass
class ConversionReport:
    """`plans[i]` is pair i's plan, or None when it failed (then it is listed in `failures`)."""

    plans: list[EditPlan | None]
    failures: list[ConversionFailure]
    guard_triggered: int = 0  # pairs finished by the alignment's linear fallback
    max_work: int = 0  # the largest alignment work of any pair (see alignment.py's guard)


def convert_all(
    pairs: Iterable[Pair],
    *,
    max_positions: int | None = None,
    min_moved_run: int = 1,
    max_work: int = DEFAULT_MAX_WORK,
) -> ConversionReport:
    """Converts every (source, target) pair; pairs needing too many positions become failures."""
    report = ConversionReport(plans=[], failures=[])
    for index, (source, target) in enumerate(pairs):
        alignment = align(source, target, min_moved_run=min_moved_run, max_work=max_work)
        report.guard_triggered += alignment.guard_triggered
        report.max_work = max(report.max_work, alignment.work)
        try:
            plan = plan_from_alignment(source, target, alignment, max_positions=max_positions)
        except TooManyPositionsError as error:
            failure = ConversionFailure(index, error.positions_needed, error.max_positions)
            report.failures.append(failure)
            plan = None
        report.plans.append(plan)
    return report


@dataclasses.dataclass(frozen=True)
class EditStats:
    """Statistics of a converted list of pairs (means over the converted pairs)."""

    pairs: int
    failures: int  # pairs that needed more position tokens than configured
    max_positions_needed: int  # over all pairs, failures included
    mean_source_tokens: float
    mean_target_tokens: float
    mean_inserted_tokens: float
    kept_share: float  # kept source tokens / all source tokens
    reordered_share: float  # share of pairs whose kept tokens change order
    inserted_histogram: dict[int, int]  # inserted tokens -> number of pairs
    guard_triggered: int = 0  # pairs the alignment finished with its linear fallback
    max_work: int = 0  # largest alignment work of a pair (the guard's budget is in these units)
    failure_examples: tuple[ConversionFailure, ...] = ()

    def format(self) -> str:
        """A few readable lines, e.g. for a tool's log."""
        converted = self.pairs - self.failures
        lines = [
            f"pairs                 {self.pairs}",
            f"conversion failures   {self.failures}"
            + (
                " (too many position tokens; e.g. "
                + ", ".join(
                    f"pair {f.index} needs {f.positions_needed} > {f.max_positions}"
                    for f in self.failure_examples
                )
                + ")"
                if self.failures
                else ""
            ),
            f"max positions needed  {self.max_positions_needed}",
            f"mean source tokens    {self.mean_source_tokens:.2f}",
            f"mean target tokens    {self.mean_target_tokens:.2f}",
            f"mean inserted tokens  {self.mean_inserted_tokens:.2f}",
            f"kept share            {self.kept_share:.4f}",
            f"re-ordered pairs      {self.reordered_share:.4f}",
            f"alignment guard hits  {self.guard_triggered} (largest work {self.max_work})",
            "inserted tokens histogram:",
        ]
        for label, low, high in _HISTOGRAM_BINS:
            count = sum(
                n for size, n in self.inserted_histogram.items()
                if size >= low and (high is None or size <= high)
            )  # fmt: skip
            share = count / converted if converted else 0.0
            lines.append(f"  {label:>6}  {count:8d}  {share:7.2%}")
        return "\n".join(lines)


def edit_stats(
    pairs: Sequence[Pair], report: ConversionReport, *, keep_failure_examples: int = 5
) -> EditStats:
    """Summarises `report` (from `convert_all(pairs)`)."""
    if len(pairs) != len(report.plans):
        raise ValueError(f"{len(pairs)} pairs but {len(report.plans)} plans")
    source_tokens = target_tokens = inserted = kept = reordered = 0
    histogram: collections.Counter[int] = collections.Counter()
    max_needed = max((f.positions_needed for f in report.failures), default=0)
    converted = 0
    for (source, target), plan in zip(pairs, report.plans, strict=True):
        if plan is None:
            continue
        converted += 1
        source_tokens += len(source)
        target_tokens += len(target)
        num_inserted = plan.num_inserted_tokens()
        inserted += num_inserted
        histogram[num_inserted] += 1
        kept += plan.num_kept()
        reordered += plan.is_reordered()
        max_needed = max(max_needed, plan.positions_needed())
    denominator = converted or 1
    return EditStats(
        pairs=len(pairs),
        failures=len(report.failures),
        max_positions_needed=max_needed,
        mean_source_tokens=source_tokens / denominator,
        mean_target_tokens=target_tokens / denominator,
        mean_inserted_tokens=inserted / denominator,
        kept_share=kept / source_tokens if source_tokens else 0.0,
        reordered_share=reordered / denominator,
        inserted_histogram=dict(sorted(histogram.items())),
        guard_triggered=report.guard_triggered,
        max_work=report.max_work,
        failure_examples=tuple(report.failures[:keep_failure_examples]),
    )


def format_alignment(source: Sequence[Hashable], plan: EditPlan) -> str:
    """A readable view of one plan, in wdiff style ([-deleted-], {+inserted+}).

    Example for "A long user query" -> "The user query is very long":

        source  [-A-] long user query
        order   user query <<long
        insert  <pos_0> The | <pos_2> is very
        output  {+The+} user query {+is very+} <<long

    `<<` marks a kept token that comes earlier in the source than the token before it (a
    re-ordering).
    """
    order = plan.order()
    source_view = " ".join(
        f"[-{token}-]" if tag == DELETE else str(token)
        for token, tag in zip(source, plan.tags, strict=True)
    )
    moved = [("<<" if n and j < order[n - 1] else "") + str(source[j]) for n, j in enumerate(order)]
    insertions = {k: span for k, span in plan.insertions}
    output: list[str] = []
    for n in range(len(order) + 1):
        if n in insertions:
            output.append("{+" + " ".join(map(str, insertions[n])) + "+}")
        if n < len(order):
            output.append(moved[n])
    insert_view = " | ".join(
        f"<pos_{k}> " + " ".join(map(str, span)) for k, span in plan.insertions
    )
    return "\n".join(
        [
            f"source  {source_view}",
            f"order   {' '.join(moved)}",
            f"insert  {insert_view or '(none)'}",
            f"output  {' '.join(output)}",
        ]
    )
