"""Converting many pairs at once, the statistics of the result, and a readable view of one plan.

`convert_all` never drops a pair silently: a pair whose insertions need more position tokens than
configured is recorded as a `ConversionFailure` (with the count it needs) and counted in the stats.
Given the pairs' word-start flags, `convert_all` converts word-aware (`word_conversion`) and
`edit_stats` also counts insertions inside a word and partly deleted words.
"""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Hashable, Iterable, Sequence

from textedit.edits.alignment import DEFAULT_MAX_WORK, align
from textedit.edits.conversion import TooManyPositionsError, plan_from_alignment
from textedit.edits.edit_plan import DELETE, EditPlan
from textedit.edits.word_conversion import align_words, word_violations

Pair = tuple[Sequence[Hashable], Sequence[Hashable]]
WordStarts = tuple[Sequence[bool], Sequence[bool]]  # per piece "starts a word": source, target

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
    word_starts: Sequence[WordStarts] | None = None,
) -> ConversionReport:
    """Converts every (source, target) pair; pairs needing too many positions become failures.

    With `word_starts` (one (source flags, target flags) per pair) the conversion is word-aware
    (`convert_words`); otherwise it is piece-level (`convert`).
    """
    report = ConversionReport(plans=[], failures=[])
    pairs = list(pairs)
    if word_starts is not None and len(word_starts) != len(pairs):
        raise ValueError(f"{len(pairs)} pairs but {len(word_starts)} word-start flag pairs")
    for index, (source, target) in enumerate(pairs):
        if word_starts is None:
            alignment = align(source, target, min_moved_run=min_moved_run, max_work=max_work)
        else:
            alignment = align_words(source, target, *word_starts[index],
                                    min_moved_run=min_moved_run, max_work=max_work)
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
    mean_insertions: float = 0.0  # insertion spans (= <pos_k> tokens) per pair
    # With word-start flags only (else None): insertion spans starting or ending inside a target
    # word / all spans, and pairs with a source word partly kept, partly deleted / pairs.
    inside_word_insertion_share: float | None = None
    partly_deleted_word_share: float | None = None

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
            f"mean insertion spans  {self.mean_insertions:.2f}",
            f"kept share            {self.kept_share:.4f}",
            f"re-ordered pairs      {self.reordered_share:.4f}",
        ]
        if self.inside_word_insertion_share is not None:
            lines.append(f"insertions in a word  {self.inside_word_insertion_share:.4f}")
        if self.partly_deleted_word_share is not None:
            lines.append(f"partly deleted words  {self.partly_deleted_word_share:.4f} (of pairs)")
        lines += [
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
    pairs: Sequence[Pair],
    report: ConversionReport,
    *,
    keep_failure_examples: int = 5,
    word_starts: Sequence[WordStarts] | None = None,
) -> EditStats:
    """Summarises `report` (from `convert_all(pairs)`).

    With `word_starts` (one (source flags, target flags) per pair, whatever conversion made the
    plans) it also measures how the plans respect words (`word_conversion.word_violations`).
    """
    if len(pairs) != len(report.plans):
        raise ValueError(f"{len(pairs)} pairs but {len(report.plans)} plans")
    if word_starts is not None and len(word_starts) != len(pairs):
        raise ValueError(f"{len(pairs)} pairs but {len(word_starts)} word-start flag pairs")
    source_tokens = target_tokens = inserted = kept = reordered = 0
    spans = inside_word = partly_deleted = 0
    histogram: collections.Counter[int] = collections.Counter()
    max_needed = max((f.positions_needed for f in report.failures), default=0)
    converted = 0
    for index, ((source, target), plan) in enumerate(zip(pairs, report.plans, strict=True)):
        if plan is None:
            continue
        converted += 1
        spans += len(plan.insertions)
        if word_starts is not None:
            inside, partly = word_violations(source, target, *word_starts[index], plan)
            inside_word += inside
            partly_deleted += partly > 0
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
        mean_insertions=spans / denominator,
        inside_word_insertion_share=(
            None if word_starts is None else inside_word / spans if spans else 0.0),
        partly_deleted_word_share=None if word_starts is None else partly_deleted / denominator,
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
