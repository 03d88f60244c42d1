"""Reader for the FCE v2.1 JSON essays: character-offset edits turned into sentence pairs.

Each line is one essay: `{"text": ..., "edits": [[annotator, [[start, end, correction, type],
...]]], "id": ..., ...}` with character offsets into `text` (end exclusive).

Corrections: a string replaces `text[start:end]` (the empty string deletes it). A null correction
is a *detection-only* edit: the annotator marked an error but wrote no correction. The data show
this: null corrections carry replace/missing types (R*, M*, ...; 1,455 in train) while deletions
are written as "" with U* types (4,457), and the BEA-2019 conversion script (`json_to_m2.py`)
keeps the original text for them. So a null correction keeps the source text here too (and never
joins sentences), instead of deleting it.

Sentence pairs (`split_essay`):
1. sentence spans come from `sentence_splitter.split_sentences` on the *source* text (a newline is
   always a boundary); the essay is cut into contiguous segments, each running from the start of
   one sentence to the start of the next, so the whitespace after a sentence belongs to it;
2. an edit belongs to the segment containing it. An insertion at a boundary belongs to the
   sentence on the left: right after a sentence's last character ("friends[+.]") or in the
   whitespace after it ("anything [+about it.]"), except that an insertion in that whitespace
   starting with an uppercase letter opens the next sentence ("small. [+The] Plays": FCE leaves a
   double space where a word is missing); one at a sentence's first character goes to it;
3. segments that a correction edit spans are merged, so no edit is ever split between sentences;
   so are two sentences when an edit rewrites all the whitespace between them (". " -> "(");
4. each (merged) segment's edits are applied right to left, with offsets relative to the segment.
   Insertions at the same offset are joined with a space in file order; a space is added where a
   correction would otherwise glue two letters/digits together (FCE offsets sometimes stop short
   of a space: "specialy[+about]"). Source and target are untokenised, with runs of whitespace
   (including newlines in merged segments) collapsed to one space.
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import os

from textedit.data.examples import ParallelExample
from textedit.data.readers.malformed_input import MalformedInputError, SkipReport, handle
from textedit.data.readers.sentence_splitter import split_sentences
from textedit.data.readers.text_lines import read_lines

_ESSAY_FORMAT = (
    'a JSON object with string "text" and "edits" = '
    "[[annotator, [[start, end, correction_or_null, type], ...]], ...]"
)


@dataclasses.dataclass(frozen=True)
class CharEdit:
    """Replace `text[start:end]` by `correction`; None = detection only (text kept)."""

    start: int
    end: int
    correction: str | None
    type: str = ""

    @property
    def is_detection(self) -> bool:
        return self.correction is None

    def overlaps(self, other: CharEdit) -> bool:
        """Spans share a character, or one inserts strictly inside the other."""
        return self.start < other.end and other.start < self.end


@dataclasses.dataclass(frozen=True)
class EssaySentence:
    """One sentence (or several merged) of an essay, with the edits applied to it.

    `start`/`end` delimit the segment in the essay text (it includes the whitespace after the
    sentence); `edits` are the correction edits applied, with essay offsets.
    """

    start: int
    end: int
    source: str
    target: str
    edits: tuple[CharEdit, ...]


@dataclasses.dataclass(frozen=True)
class FCEEssay:
    """One essay: its text, each annotator's edits (by annotator id) and its line in the file."""

    id: str
    text: str
    edits: dict[int, tuple[CharEdit, ...]]
    line: int

    def sentences(self, annotator: int = 0) -> list[EssaySentence]:
        """The essay as sentence pairs for one annotator; KeyError when they are absent."""
        return split_essay(self.text, self.edits[annotator])


def collapse_whitespace(text: str) -> str:
    """Runs of whitespace (newlines included) become one space; ends are stripped."""
    return " ".join(text.split())


def apply_char_edits(text: str, edits: list[CharEdit] | tuple[CharEdit, ...]) -> str:
    """Applies the correction edits (offsets into `text`) right to left; detection edits are
    ignored. Corrections must not overlap. Whitespace is not collapsed here.
    """
    # (start, end, file index, correction); insertions at one offset merge into one, in file order.
    operations: list[tuple[int, int, int, str]] = []
    insertion_at: dict[int, int] = {}
    for index, edit in enumerate(edits):
        if edit.correction is None:
            continue
        if edit.start == edit.end and edit.start in insertion_at:
            k = insertion_at[edit.start]
            start, end, first, correction = operations[k]
            joined = " ".join(part for part in (correction, edit.correction) if part)
            operations[k] = (start, end, first, joined)
            continue
        if edit.start == edit.end:
            insertion_at[edit.start] = len(operations)
        operations.append((edit.start, edit.end, index, edit.correction))
    result = text
    for start, end, _, correction in sorted(operations, reverse=True):
        if correction:
            # Right to left: text left of `start` is still the source, right of `end` is final.
            if start > 0 and result[start - 1].isalnum() and correction[0].isalnum():
                correction = " " + correction
            if end < len(result) and result[end].isalnum() and correction[-1].isalnum():
                correction = correction + " "
        result = result[:start] + correction + result[end:]
    return result


def split_essay(text: str, edits: list[CharEdit] | tuple[CharEdit, ...]) -> list[EssaySentence]:
    """Cuts an essay into sentence pairs (see the module docstring for the rules)."""
    spans = split_sentences(text)
    if not spans:
        return []
    corrections = sorted((e for e in edits if not e.is_detection), key=lambda e: (e.start, e.end))
    # Segment i runs from seg_starts[i] to seg_starts[i + 1] (the first from 0, the last to the
    # end of the text), so every offset in the text falls in exactly one segment. A boundary can
    # sit anywhere in the whitespace between two sentences without changing either source; it sits
    # at the next sentence's first character, or earlier, at the first insertion in that
    # whitespace that starts with an uppercase letter ("small. [+The] Plays": FCE leaves a double
    # space where a word is missing), so that insertion opens the next sentence.
    seg_starts = [0]
    for (_, previous_end), (next_start, _) in zip(spans, spans[1:], strict=False):
        opening = [
            e.start
            for e in corrections
            if e.start == e.end
            and previous_end < e.start <= next_start
            and e.correction[:1].isupper()
        ]
        seg_starts.append(min(opening, default=next_start))
    seg_ends = seg_starts[1:] + [len(text)]

    def segment_of(offset: int) -> int:
        return bisect.bisect_right(seg_starts, offset) - 1

    # group[i]: the sentence segment i ends up in; a correction spanning segments merges them.
    group = list(range(len(seg_starts)))
    for edit in corrections:
        first = segment_of(edit.start)
        last = segment_of(edit.end - 1) if edit.end > edit.start else first
        if (
            edit.start < edit.end
            and last + 1 < len(seg_starts)
            and edit.end == seg_starts[last + 1]
            and edit.start <= spans[last][1]
        ):
            # The edit rewrites all the whitespace between two sentences (". " -> "("): what
            # separates them is now part of the edit, so they stay together.
            last += 1
        for i in range(first + 1, last + 1):
            group[i] = group[first]
    members: dict[int, list[int]] = {}
    for i, g in enumerate(group):
        members.setdefault(g, []).append(i)
    inside: dict[int, list[CharEdit]] = {g: [] for g in members}
    for edit in corrections:
        inside[group[segment_of(edit.start)]].append(edit)

    sentences = []
    for g, segments in members.items():
        start, end = seg_starts[segments[0]], seg_ends[segments[-1]]
        relative = [
            dataclasses.replace(e, start=e.start - start, end=e.end - start) for e in inside[g]
        ]
        sentences.append(
            EssaySentence(
                start,
                end,
                collapse_whitespace(text[start:end]),
                collapse_whitespace(apply_char_edits(text[start:end], relative)),
                tuple(inside[g]),
            )
        )
    return sentences


def _parse_edit(raw: object, text_length: int) -> CharEdit | str:
    """One `[start, end, correction, type]` list; returns the edit or what is wrong with it."""
    if not isinstance(raw, list) or len(raw) not in (3, 4):
        return "an edit [start, end, correction_or_null, type]"
    start, end, correction = raw[0], raw[1], raw[2]
    edit_type = raw[3] if len(raw) == 4 else ""
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
        return "integer edit offsets"
    if not (correction is None or isinstance(correction, str)) or not isinstance(edit_type, str):
        return "a string or null correction and a string error type"
    if not 0 <= start <= end <= text_length:
        return f"edit offsets with 0 <= start <= end <= {text_length} (the text length)"
    return CharEdit(start, end, correction, edit_type)


def _parse_essay(line: str, number: int) -> FCEEssay | str:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return f"valid JSON ({error.msg})"
    if not isinstance(record, dict):
        return "a JSON object"
    text, annotations = record.get("text"), record.get("edits")
    if not isinstance(text, str) or not isinstance(annotations, list):
        return 'string "text" and list "edits"'
    edits: dict[int, tuple[CharEdit, ...]] = {}
    for annotation in annotations:
        if (
            not isinstance(annotation, list)
            or len(annotation) != 2
            or not isinstance(annotation[0], int)
            or not isinstance(annotation[1], list)
        ):
            return "each annotation as [annotator_id, [edits...]]"
        annotator, raw_edits = annotation
        if annotator in edits:
            return f"one annotation per annotator (annotator {annotator} appears twice)"
        parsed = []
        for raw in raw_edits:
            edit = _parse_edit(raw, len(text))
            if isinstance(edit, str):
                return f"{edit} (not {raw!r})"
            parsed.append(edit)
        corrections = sorted(
            (e for e in parsed if not e.is_detection), key=lambda e: (e.start, e.end)
        )
        for a, b in zip(corrections, corrections[1:], strict=False):
            if a.overlaps(b):
                return f"non-overlapping corrections for annotator {annotator} ({a} overlaps {b})"
        edits[annotator] = tuple(parsed)
    return FCEEssay(str(record.get("id", "")), text, edits, number)


def read_fce_essays(path: str | os.PathLike, skip: SkipReport | None = None) -> list[FCEEssay]:
    """Every essay of an FCE JSON-lines file, validated (offsets inside the text, corrections of
    one annotator not overlapping); a malformed line raises or, with `skip`, is counted."""
    essays = []
    for number, line in read_lines(path):
        essay = _parse_essay(line, number) if line.strip() else "a JSON object, got an empty line"
        if isinstance(essay, str):
            handle(MalformedInputError(path, number, f"{_ESSAY_FORMAT}: {essay}", line), skip)
            continue
        essays.append(essay)
    return essays


def read_fce_pairs(
    path: str | os.PathLike, annotator: int = 0, skip: SkipReport | None = None
) -> list[ParallelExample]:
    """Sentence-level (source, target) pairs of one annotator, untokenised (see module docs).

    An essay without that annotator raises (or is counted under `skip`) rather than becoming
    source-copy pairs.
    """
    pairs = []
    for essay in read_fce_essays(path, skip=skip):
        if annotator not in essay.edits:
            expected = f"edits for annotator {annotator} (present: {sorted(essay.edits)})"
            handle(MalformedInputError(path, essay.line, expected, essay.id), skip)
            continue
        pairs.extend(ParallelExample(s.source, s.target) for s in essay.sentences(annotator))
    return pairs
