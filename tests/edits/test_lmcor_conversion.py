"""EdiT5 conversion over LMCor inputs (source <extra_id_0> c_1 ... c_k) on real JFLEG text.

The candidates are real corrections of each JFLEG dev sentence (references 1-3: human outputs,
standing in for a generator's; reference 0 is the target). Every pair must round-trip
(realise(convert(input, target)) == target), the separators must always be deleted, and pointing
over the candidates must need fewer inserted words than editing the source alone: the corrector's
pointer copies words from the candidates.
"""

import pytest

from textedit.data.data_dir import data_path
from textedit.data.lmcor_inputs import assemble
from textedit.data.readers.line_aligned_reader import read_line_aligned
from textedit.edits import DELETE, convert, convert_segments, convert_words, realise

MIN_MOVED_RUN = 2  # the edit tasks' default (tasks/edit_tasks.py)


def _jfleg_dev():
    return read_line_aligned(data_path("gec/jfleg.dev.src"),
                             [data_path(f"gec/jfleg.dev.ref{i}") for i in range(4)])


def _inserted_words(plan) -> int:
    return sum(len(span) for _, span in plan.insertions)


def _segments_and_alone(example, borrow: bool = True):
    """JFLEG example -> (x's words, separator flags of x <sep> references 1-3, the
    convert_segments plan over those, the convert_words plan of x alone); both round-trip."""
    target = example.references[0].split()
    source = example.source.split()
    tokens = assemble(example.source, example.references[1:]).split()
    separator = [t.startswith("<extra_id_") for t in tokens]
    plan = convert_segments(tokens, target, [True] * len(tokens), [True] * len(target),
                            separator, min_moved_run=MIN_MOVED_RUN, borrow=borrow)
    assert realise(tokens, plan) == target, example.source
    alone = convert_words(source, target, [True] * len(source), [True] * len(target),
                          min_moved_run=MIN_MOVED_RUN)
    assert realise(source, alone) == target, example.source
    return source, separator, plan, alone


def test_conversion_over_concatenated_candidates_round_trips_and_copies_from_them():
    examples = _jfleg_dev()
    assert len(examples) == 754
    inserted_lmcor = inserted_source = kept_from_candidates = 0
    for example in examples:
        target = example.references[0].split()
        tokens = assemble(example.source, example.references[1:]).split()
        plan = convert(tokens, target, min_moved_run=MIN_MOVED_RUN)
        assert realise(tokens, plan) == target, example.source
        separators = [i for i, t in enumerate(tokens) if t.startswith("<extra_id_")]
        assert len(separators) == 3 and all(plan.tags[i] == DELETE for i in separators)
        kept_from_candidates += sum(tag != DELETE for tag in plan.tags[separators[0]:])
        inserted_lmcor += _inserted_words(plan)
        inserted_source += _inserted_words(
            convert(example.source.split(), target, min_moved_run=MIN_MOVED_RUN))
    assert kept_from_candidates > 0
    # Candidates hold most of the target's words: far fewer words to write than from the source.
    assert inserted_lmcor < 0.5 * inserted_source, (inserted_lmcor, inserted_source)


def test_segment_conversion_keeps_the_sources_words_and_borrows_only_what_it_lacks():
    """convert_segments: x's part of the plan is exactly the plan of (x, target) alone, so the
    tags never depend on the (shuffled) candidates; candidates only replace insertions."""
    inserted_segments = inserted_source = borrowed = 0
    for example in _jfleg_dev():
        source, separator, plan, alone = _segments_and_alone(example)
        assert plan.tags[:len(source)] == alone.tags, example.source
        assert all(plan.tags[i] == DELETE for i, flag in enumerate(separator) if flag)
        borrowed += sum(tag != DELETE for tag in plan.tags[len(source):])
        inserted_segments += _inserted_words(plan)
        inserted_source += _inserted_words(alone)
    # The candidates supply most of the words x lacks (references 1-3 share many of them).
    assert borrowed > 0
    assert inserted_segments < 0.5 * inserted_source, (inserted_segments, inserted_source)


def test_segment_conversion_prefers_earlier_segments_and_uses_each_word_once():
    # pieces: words are (id, ...) runs; 9 is the separator, 5 6 a two-piece word
    source = [1, 2, 9, 1, 3, 4, 9, 3, 5, 6]
    word_start = [True, True, True, True, True, True, True, True, True, False]
    separator = [t == 9 for t in source]
    target = [1, 3, 3, 5, 6, 7]
    target_word_start = [True, True, True, True, False, True]
    plan = convert_segments(source, target, word_start, target_word_start, separator)
    assert realise(source, plan) == target
    kept = [i for i, tag in enumerate(plan.tags[:len(source)]) if tag != DELETE]
    # 1 from x (not candidate 1's copy); the first 3 from candidate 1, the second from candidate
    # 2 (candidate 1's is used); 5 6 as a whole word from candidate 2; 7 inserted.
    assert kept == [0, 4, 7, 8, 9]
    assert plan.insertions == ((5, (7,)),)


def test_segment_conversion_rejects_flags_of_another_length():
    with pytest.raises(ValueError, match="separator flags"):
        convert_segments([1, 2], [1], [True, True], [True], [False])


def test_segment_conversion_without_borrowing_edits_the_source_alone():
    """borrow=False: the candidates keep nothing; the plan over the whole input is the plan of
    (x, target) alone, its insertions included, with every candidate piece deleted."""
    for example in _jfleg_dev():
        source, _, plan, alone = _segments_and_alone(example, borrow=False)
        assert plan.tags[:len(source)] == alone.tags, example.source
        assert all(tag == DELETE for tag in plan.tags[len(source):]), example.source
        assert plan.insertions == alone.insertions, example.source
