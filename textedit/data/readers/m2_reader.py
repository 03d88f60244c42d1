"""Reader for M2 files (CoNLL-2013/2014, BEA-2019 W&I): tokenised sentences with token edits.

Format: a block per sentence, blocks separated by a blank line::

    S My town is a medium size city with eighty thousand inhabitants .
    A 5 6|||R:OTHER|||- sized|||REQUIRED|||-NONE-|||0

`A start end|||type|||correction|||REQUIRED|||-NONE-|||annotator`: token offsets into the
`S` line (end exclusive), the correction as space-separated tokens (`-NONE-` or empty = deletion)
and the id of the annotator. Applying one annotator's edits gives that annotator's target.

Edits that leave the text unchanged (as in ERRANT's `corr_from_m2.py`):
- `noop`: the annotator saw nothing to correct (offsets `-1 -1`);
- `UNK`: an error was detected but no correction given; the correction field repeats the source
  tokens (true of every UNK edit in W&I), so the tokens are kept;
- `Um` (CoNLL "unclear meaning"): always has an empty correction; applying it as a deletion would
  drop the very words the annotator could not fix.

Overlapping edits: CoNLL-2013 test has 50 sentences where one annotator's edits overlap (e.g.
`1 2 -> "the workplace"` and `1 3 -> ""` on "work places"); they cannot all be applied. `target`
keeps a non-overlapping subset, preferring edits with a non-empty correction, then wider spans,
then file order; `conflicting_edits` lists what was left out so callers can count it.
"""

from __future__ import annotations

import dataclasses
import os

from textedit.data.examples import MultiReferenceExample, ParallelExample
from textedit.data.readers.malformed_input import MalformedInputError, SkipReport, handle
from textedit.data.readers.text_lines import read_lines

# Edit types that do not change the text; see the module docstring.
UNCHANGED_TYPES = frozenset({"noop", "UNK", "Um"})
_DELETION = "-NONE-"
_EDIT_FORMAT = "an edit line 'A start end|||type|||correction|||REQUIRED|||-NONE-|||annotator'"


@dataclasses.dataclass(frozen=True)
class M2Edit:
    """One annotator's edit: replace source tokens [start, end) by `correction`."""

    start: int
    end: int
    type: str
    correction: str  # as written: space-separated tokens, "" or "-NONE-" for a deletion
    annotator: int

    @property
    def correction_tokens(self) -> list[str]:
        """The replacement tokens; [] for a deletion."""
        return [] if self.correction == _DELETION else self.correction.split()

    @property
    def changes_text(self) -> bool:
        """False for edit types that keep the source tokens (noop, UNK, Um)."""
        return self.type not in UNCHANGED_TYPES

    def overlaps(self, other: M2Edit) -> bool:
        """True when the spans share a token, or one inserts strictly inside the other.

        Two insertions at the same point do not overlap: both apply, in file order.
        """
        return self.start < other.end and other.start < self.end


@dataclasses.dataclass(frozen=True)
class M2Sentence:
    """One M2 block: the tokenised source, every annotator's edits, and the `S` line number."""

    source: str
    edits: tuple[M2Edit, ...]
    line: int

    @property
    def tokens(self) -> list[str]:
        return self.source.split()

    def annotators(self) -> list[int]:
        """Sorted ids of the annotators present; [0] for a block with no edit lines at all.

        An annotator with only a `noop` edit counts: they saw the sentence and left it as it is.
        """
        if not self.edits:
            return [0]
        return sorted({edit.annotator for edit in self.edits})

    def _resolve(self, annotator: int) -> tuple[list[tuple[int, M2Edit]], list[M2Edit]]:
        """(applied edits with their file index, edits left out because they overlap)."""
        if annotator not in self.annotators():
            raise ValueError(
                f"sentence at line {self.line} has no annotator {annotator}; "
                f"it has {self.annotators()}"
            )
        candidates = [
            (index, edit)
            for index, edit in enumerate(self.edits)
            if edit.annotator == annotator and edit.changes_text
        ]
        # Greedy by priority: an edit that says what to write beats an empty one (CoNLL often pairs
        # a real correction with an empty "companion" edit over the same words), then wider spans
        # (a rewrite of the whole phrase beats a piece of it), then file order.
        by_priority = sorted(
            candidates,
            key=lambda item: (not item[1].correction_tokens, item[1].start - item[1].end, item[0]),
        )
        kept: list[tuple[int, M2Edit]] = []
        left_out: list[tuple[int, M2Edit]] = []
        for index, edit in by_priority:
            if any(edit.overlaps(other) for _, other in kept):
                left_out.append((index, edit))
            else:
                kept.append((index, edit))
        return kept, [edit for _, edit in sorted(left_out, key=lambda item: item[0])]

    def applied_edits(self, annotator: int) -> tuple[M2Edit, ...]:
        """The edits `target(annotator)` applies, in file order."""
        kept, _ = self._resolve(annotator)
        return tuple(edit for _, edit in sorted(kept, key=lambda item: item[0]))

    def conflicting_edits(self, annotator: int) -> tuple[M2Edit, ...]:
        """Edits of `annotator` left out of the target because they overlap an applied edit."""
        return tuple(self._resolve(annotator)[1])

    def target(self, annotator: int) -> str:
        """The source with `annotator`'s edits applied, tokens joined by single spaces.

        Edits are applied right to left so earlier offsets stay valid; insertions at the same
        point keep their file order; an insertion at the start of a replaced span goes before it.
        Raises ValueError when the annotator is absent.
        """
        kept, _ = self._resolve(annotator)
        tokens = self.tokens
        for _, edit in sorted(
            kept, key=lambda item: (item[1].start, item[1].end, item[0]), reverse=True
        ):
            tokens[edit.start : edit.end] = edit.correction_tokens
        return " ".join(tokens)


def _parse_edit(body: str, num_tokens: int) -> M2Edit | str:
    """Parses the text after "A "; returns the edit, or a description of what is wrong."""
    fields = body.split("|||")
    if len(fields) != 6:
        return f"6 '|||'-separated fields, found {len(fields)}"
    span = fields[0].split()
    if len(span) != 2:
        return "two token offsets 'start end'"
    try:
        start, end = int(span[0]), int(span[1])
        annotator = int(fields[5])
    except ValueError:
        return "integer offsets and an integer annotator id"
    edit_type = fields[1]
    if edit_type == "noop" and (start, end) == (-1, -1):
        pass  # noop edits carry no span
    elif not 0 <= start <= end <= num_tokens:
        return f"0 <= start <= end <= {num_tokens} (the sentence's token count)"
    return M2Edit(start, end, edit_type, fields[2], annotator)


def read_m2(path: str | os.PathLike, skip: SkipReport | None = None) -> list[M2Sentence]:
    """Reads every block of an M2 file, in file order.

    A malformed block (an edit line that does not parse, offsets outside the sentence, a line
    that is neither `S`, `A` nor blank, or an `A` line before any `S`) raises MalformedInputError
    at that line; with `skip`, the whole block is counted and dropped, since a target built from
    part of its edits would be wrong.
    """
    sentences: list[M2Sentence] = []
    source: str | None = None  # the open block's source; None between blocks
    source_line = 0
    edits: list[M2Edit] = []
    broken = False  # the open block had a malformed line (already reported)

    def close_block() -> None:
        nonlocal source, edits, broken
        if source is not None and not broken:
            sentences.append(M2Sentence(source, tuple(edits), source_line))
        source, edits, broken = None, [], False

    for number, line in read_lines(path):
        if not line.strip():
            close_block()
        elif line == "S" or line.startswith("S "):
            # A new S line also closes a block that lacked its blank separator.
            close_block()
            source = " ".join(line[2:].split())
            source_line = number
        elif line.startswith("A "):
            if source is None:
                handle(
                    MalformedInputError(path, number, "an 'S ' line before edit lines", line), skip
                )
                continue
            if broken:
                continue
            edit = _parse_edit(line[2:], len(source.split()))
            if isinstance(edit, str):
                broken = True
                handle(MalformedInputError(path, number, f"{_EDIT_FORMAT} with {edit}", line), skip)
            else:
                edits.append(edit)
        else:
            if source is not None:
                broken = True
            handle(
                MalformedInputError(path, number, "a line starting 'S ', 'A ' or blank", line), skip
            )
    close_block()
    return sentences


def read_m2_pairs(
    path: str | os.PathLike, annotator: int = 0, skip: SkipReport | None = None
) -> list[ParallelExample]:
    """(source, target) pairs for one annotator, tokenised as in the file.

    A sentence the annotator did not annotate is malformed for this purpose (W&I and CoNLL give
    every sentence annotator 0): it raises, or is counted under `skip`, rather than silently
    becoming a source-copy pair.
    """
    pairs = []
    for sentence in read_m2(path, skip=skip):
        if annotator not in sentence.annotators():
            expected = (
                f"an edit line for annotator {annotator} "
                f"(this sentence has annotators {sentence.annotators()})"
            )
            handle(MalformedInputError(path, sentence.line, expected, sentence.source), skip)
            continue
        pairs.append(ParallelExample(sentence.source, sentence.target(annotator)))
    return pairs


def read_m2_references(
    path: str | os.PathLike, skip: SkipReport | None = None
) -> list[MultiReferenceExample]:
    """One example per sentence with a reference per annotator, in annotator-id order."""
    return [
        MultiReferenceExample(
            sentence.source, tuple(sentence.target(a) for a in sentence.annotators())
        )
        for sentence in read_m2(path, skip=skip)
    ]
