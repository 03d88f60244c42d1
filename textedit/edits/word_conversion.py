"""Word-aware EdiT5 conversion: align whole words, emit a plan over their pieces.

Piece-level `convert` may keep the suffix of a word and delete its first piece, or insert pieces in
the middle of a word ("▁be c ause" -> "▁be ,cus"): a model trained on such plans learns mid-word
edits and garbles words. Word-aware conversion groups the pieces of source and target into words,
aligns the words (each word is a token: the tuple of its piece ids; `alignment.align` as usual),
and expands the word plan to the pieces:

- every piece of a word gets the word's tag (KEEP / DELETE);
- a kept word's pieces are contiguous and in order in the pointer order;
- insertions sit only at word boundaries (k still counts kept *pieces*), and a span is the
  concatenation of the pieces of the inserted words.

So a changed suffix ("▁go" -> "▁go es") is "delete the word, insert the new word", never "keep
▁go, insert es". The plan is an ordinary piece-level `EditPlan`, and
`realise(source, convert_words(source, target, ...)) == list(target)` holds exactly.

Words: a word is a piece flagged "starts a word" followed by the unflagged pieces after it; the
first piece of a sequence always opens a word, whatever its flag. For SentencePiece ids the flags
come from `textedit.data.vocab.vocabulary.word_start_table` (pieces starting with "▁").
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

from textedit.edits.alignment import DEFAULT_MAX_WORK, UNMATCHED, Alignment, align
from textedit.edits.conversion import plan_from_alignment
from textedit.edits.edit_plan import EditPlan

Token = TypeVar("Token", bound=Hashable)


def word_spans(word_start: Sequence[bool]) -> list[tuple[int, int]]:
    """[start, end) piece ranges of the words of a sequence with these "starts a word" flags."""
    starts = [i for i, flag in enumerate(word_start) if flag or i == 0]
    return list(zip(starts, [*starts[1:], len(word_start)][: len(starts)], strict=True))


def words_of(tokens: Sequence[Token], word_start: Sequence[bool]) -> list[tuple[Token, ...]]:
    """The words of `tokens` (tuples of pieces), grouped by `word_start` (see the module doc)."""
    if len(tokens) != len(word_start):
        raise ValueError(f"{len(tokens)} tokens but {len(word_start)} word-start flags")
    return [tuple(tokens[start:end]) for start, end in word_spans(word_start)]


def align_words(
    source: Sequence[Hashable],
    target: Sequence[Hashable],
    source_word_start: Sequence[bool],
    target_word_start: Sequence[bool],
    *,
    min_moved_run: int = 1,
    max_work: int = DEFAULT_MAX_WORK,
) -> Alignment:
    """A piece-level alignment that matches whole words only.

    The words are aligned by `alignment.align` (with `min_moved_run` counted in words); a target
    word aligned to a source word maps its pieces one by one onto that word's pieces, every other
    target piece is unmatched. `work` and `guard_triggered` are the word alignment's.
    """
    source_words = words_of(source, source_word_start)
    target_words = words_of(target, target_word_start)
    source_spans = word_spans(source_word_start)
    target_spans = word_spans(target_word_start)
    words = align(source_words, target_words, min_moved_run=min_moved_run, max_work=max_work)
    return Alignment(expand_word_alignment(words.target_to_source, source_spans, target_spans),
                     words.work, words.guard_triggered)


def expand_word_alignment(
    word_target_to_source: Sequence[int],
    source_spans: Sequence[tuple[int, int]],
    target_spans: Sequence[tuple[int, int]],
) -> tuple[int, ...]:
    """Word alignment -> piece alignment: a target word aligned to a source word maps its pieces
    one by one onto that word's pieces (the words are equal); every other target piece is
    unmatched. The spans are `word_spans` of each side."""
    target_to_source = [UNMATCHED] * (target_spans[-1][1] if target_spans else 0)
    for word, source_word in enumerate(word_target_to_source):
        if source_word == UNMATCHED:
            continue
        (start, end), source_start = target_spans[word], source_spans[source_word][0]
        for d in range(end - start):
            target_to_source[start + d] = source_start + d
    return tuple(target_to_source)


def convert_words(
    source: Sequence[Token],
    target: Sequence[Token],
    source_word_start: Sequence[bool],
    target_word_start: Sequence[bool],
    *,
    max_positions: int | None = None,
    min_moved_run: int = 1,
    max_work: int = DEFAULT_MAX_WORK,
) -> EditPlan[Token]:
    """The piece-level plan of the word alignment of (source, target) (see the module docstring).

    Args:
      source, target: piece sequences (e.g. vocabulary ids).
      source_word_start, target_word_start: per piece, whether it starts a word (same lengths as
        `source` / `target`); the first piece always starts one.
      max_positions: number of `<pos_k>` tokens available (k counts kept pieces); None: unlimited.
      min_moved_run: shortest run of *words* that may be moved (re-ordered); see `align`.
      max_work: the alignment's work budget (see `align`).

    Raises:
      TooManyPositionsError: an insertion needs `<pos_k>` with k >= max_positions.
      ValueError: a flag sequence's length differs from its pieces'.
    """
    alignment = align_words(source, target, source_word_start, target_word_start,
                            min_moved_run=min_moved_run, max_work=max_work)
    return plan_from_alignment(source, target, alignment, max_positions=max_positions)


def word_violations(
    source: Sequence[Hashable],
    target: Sequence[Hashable],
    source_word_start: Sequence[bool],
    target_word_start: Sequence[bool],
    plan: EditPlan,
) -> tuple[int, int]:
    """(insertion spans that start or end inside a target word, source words partly deleted).

    A plan from `convert_words` has (0, 0); piece-level `convert` need not. An insertion is inside a
    word when the piece it starts with, or the piece right after it, is a word-internal target
    piece. A word is partly deleted when some of its pieces are kept and others deleted.
    """
    if len(source) != len(source_word_start) or len(target) != len(target_word_start):
        raise ValueError("word-start flags must have the lengths of their sequences")
    inside = 0
    position = 0  # target position where the next insertion's span starts
    kept = 0
    for k, span in plan.insertions:
        position += k - kept
        kept = k
        end = position + len(span)
        starts_inside = position > 0 and not target_word_start[position]
        ends_inside = end < len(target) and not target_word_start[end]
        inside += starts_inside or ends_inside
        position = end
    partly_deleted = sum(
        len({plan.tags[i] for i in range(start, end)}) > 1
        for start, end in word_spans(source_word_start)
    )
    return inside, partly_deleted
