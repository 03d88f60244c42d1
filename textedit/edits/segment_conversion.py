"""Word-aware EdiT5 conversion over a segmented source that prefers its first segment.

An LMCor corrector's input is `x <sep> c_1 <sep> c_2 ... <sep> c_k`: the text to correct, then k
candidate outputs (textedit/data/lmcor_inputs.py). `convert_words` aligns the target with that
whole input and keeps whichever copy of a word its greedy alignment meets first. With candidates
that are near-copies of x, most kept words then come from some candidate, in an order that is
shuffled on every pass, so the tag a piece should get is arbitrary between its copies; an EdiT5
corrector trained on such plans learnt only the mean DELETE rate and deleted everything (the
README's LMCor measurement).

`convert_segments` makes the plan a function of the input instead:

1. align the target's words with the words of segment 0 (x) alone, as `convert_words` would;
2. align the target words still unmatched with segment 1's words, then what is still unmatched
   with segment 2's, and so on, in input order;
3. insert the target words no segment supplied.

So every word of x that the target keeps is kept from x; a candidate lends only the words x lacks
(from the first candidate in input order that has them); the separators and every other word are
deleted. Each source word is used at most once (each segment is aligned once, with its own
alignment's one-to-one matching). `realise(source, plan) == list(target)` holds exactly, as for
every conversion.

With `borrow=False` step 2 is skipped: the candidates lend nothing, every target word x lacks
is inserted, and the candidates are only read (the tagger, pointer and insertion decoder attend
to them through the encoder). The plan is then exactly the plan of (x, target) alone.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

from textedit.edits.alignment import DEFAULT_MAX_WORK, UNMATCHED, Alignment, align
from textedit.edits.conversion import plan_from_alignment
from textedit.edits.edit_plan import EditPlan
from textedit.edits.word_conversion import expand_word_alignment, word_spans, words_of

Token = TypeVar("Token", bound=Hashable)


def segments_of(source_spans: Sequence[tuple[int, int]],
                separator: Sequence[bool]) -> list[list[int]]:
    """The word indices of each segment: a word whose first piece is a separator closes the
    segment before it and belongs to none (segment 0 is the words before the first separator)."""
    segments: list[list[int]] = [[]]
    for word, (start, _) in enumerate(source_spans):
        if separator[start]:
            segments.append([])
        else:
            segments[-1].append(word)
    return segments


def align_segments(
    source: Sequence[Hashable],
    target: Sequence[Hashable],
    source_word_start: Sequence[bool],
    target_word_start: Sequence[bool],
    separator: Sequence[bool],
    *,
    min_moved_run: int = 1,
    max_work: int = DEFAULT_MAX_WORK,
    borrow: bool = True,
) -> Alignment:
    """A piece alignment of whole words that takes each target word from the earliest segment
    that can supply it (see the module docstring).

    Args:
      source, target: piece sequences.
      source_word_start, target_word_start: per piece, whether it starts a word.
      separator: per source piece, whether it is a segment separator (it must start its word;
        the separator's word is never matched).
      min_moved_run, max_work: passed to each segment's `alignment.align` (runs in words).
      `work` is the sum over the segments' alignments; `guard_triggered` is true if any
      segment's was.
      borrow: align the target words x lacks with the later segments; False: leave them
        unmatched (inserted).
    """
    if not len(source) == len(source_word_start) == len(separator):
        raise ValueError(f"{len(source)} source pieces but {len(source_word_start)} word-start "
                         f"flags and {len(separator)} separator flags")
    source_spans = word_spans(source_word_start)
    target_spans = word_spans(target_word_start)
    source_words = words_of(source, source_word_start)
    target_words = words_of(target, target_word_start)
    word_target_to_source = [UNMATCHED] * len(target_words)
    work, guard = 0, False
    segments = segments_of(source_spans, separator)
    for segment in segments if borrow else segments[:1]:
        pending = [t for t, s in enumerate(word_target_to_source) if s == UNMATCHED]
        if not pending or not segment:
            continue
        matched = align([source_words[w] for w in segment], [target_words[t] for t in pending],
                        min_moved_run=min_moved_run, max_work=max_work)
        work += matched.work
        guard = guard or matched.guard_triggered
        for t, w in zip(pending, matched.target_to_source, strict=True):
            if w != UNMATCHED:
                word_target_to_source[t] = segment[w]
    return Alignment(expand_word_alignment(word_target_to_source, source_spans, target_spans),
                     work, guard)


def convert_segments(
    source: Sequence[Token],
    target: Sequence[Token],
    source_word_start: Sequence[bool],
    target_word_start: Sequence[bool],
    separator: Sequence[bool],
    *,
    max_positions: int | None = None,
    min_moved_run: int = 1,
    max_work: int = DEFAULT_MAX_WORK,
    borrow: bool = True,
) -> EditPlan[Token]:
    """The piece-level plan of `align_segments` (arguments as there).

    Raises:
      TooManyPositionsError: an insertion needs `<pos_k>` with k >= max_positions.
      ValueError: a flag sequence's length differs from its pieces'.
    """
    alignment = align_segments(source, target, source_word_start, target_word_start, separator,
                               min_moved_run=min_moved_run, max_work=max_work, borrow=borrow)
    return plan_from_alignment(source, target, alignment, max_positions=max_positions)
