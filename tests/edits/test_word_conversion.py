"""Word-aware conversion: whole words kept, deleted or inserted; the piece-level round trip holds.

Pieces are written as SentencePiece pieces ("▁go" starts a word, "es" continues one); the flags
are derived from the "▁" mark, as `word_start_table` does for vocabulary ids.
"""

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textedit.edits import (
    DELETE,
    KEEP,
    TooManyPositionsError,
    convert,
    convert_all,
    convert_words,
    edit_stats,
    realise,
    word_spans,
    word_violations,
    words_of,
)


def flags(pieces):
    return [piece.startswith("▁") for piece in pieces]


def pieces(text):
    return text.split()


def word_convert(source, target, **kwargs):
    return convert_words(source, target, flags(source), flags(target), **kwargs)


def test_words_group_a_start_piece_with_the_pieces_after_it():
    source = pieces("▁be c ause ▁it")
    assert words_of(source, flags(source)) == [("▁be", "c", "ause"), ("▁it",)]
    # The first piece opens a word whatever its flag.
    assert word_spans([False, False, True]) == [(0, 2), (2, 3)]
    assert word_spans([]) == []
    with pytest.raises(ValueError, match="flags"):
        words_of(["▁a"], [True, False])


def test_a_changed_suffix_is_a_deleted_word_and_an_inserted_word():
    source, target = pieces("▁go"), pieces("▁go es")
    piece_plan = convert(source, target)
    assert piece_plan.tags == (KEEP,) and piece_plan.insertions == ((1, ("es",)),)
    plan = word_convert(source, target)
    assert plan.tags == (DELETE,)
    assert plan.insertions == ((0, ("▁go", "es")),)
    assert realise(source, plan) == target


def test_a_misspelt_word_is_replaced_whole():
    source, target = pieces("▁I ▁know ▁be c ause ▁it"), pieces("▁I ▁know ▁be ,cus ▁it")
    piece_plan = convert(source, target)
    assert word_violations(source, target, flags(source), flags(target), piece_plan) == (1, 1)
    plan = word_convert(source, target)
    assert plan.tags == (KEEP, KEEP, DELETE, DELETE, DELETE, KEEP)
    assert plan.insertions == ((2, ("▁be", ",cus")),)
    assert realise(source, plan) == target
    assert word_violations(source, target, flags(source), flags(target), plan) == (0, 0)


def test_an_insertion_between_two_words_lands_at_the_boundary():
    source, target = pieces("▁the ▁ca t ▁sat"), pieces("▁the ▁big ▁ca t ▁sat ▁down")
    plan = word_convert(source, target)
    assert plan.tags == (KEEP,) * 4
    assert plan.order() == (0, 1, 2, 3)
    # k counts kept pieces: "▁ca t" is two of them.
    assert plan.insertions == ((1, ("▁big",)), (4, ("▁down",)))
    assert realise(source, plan) == target


def test_the_paper_example_with_a_two_piece_word():
    # "A long user query" -> "The user query is very long", "query" being two pieces.
    source = pieces("▁A ▁long ▁user ▁qu ery")
    target = pieces("▁The ▁user ▁qu ery ▁is ▁very ▁long")
    plan = word_convert(source, target)
    assert plan.tags == (DELETE, KEEP, KEEP, KEEP, KEEP)
    assert plan.order() == (2, 3, 4, 1)  # user qu ery long: the word's pieces stay together
    assert plan.insertions == ((0, ("▁The",)), (3, ("▁is", "▁very")))
    assert realise(source, plan) == target


def test_positions_count_pieces_and_are_limited():
    source, target = pieces("▁re ad ▁it"), pieces("▁re ad ▁it ▁now")
    plan = word_convert(source, target)
    assert plan.insertions == ((3, ("▁now",)),)
    with pytest.raises(TooManyPositionsError):
        word_convert(source, target, max_positions=3)


def test_min_moved_run_counts_words():
    source, target = pieces("▁b ▁x y ▁a"), pieces("▁a ▁b ▁x y")
    assert word_convert(source, target).is_reordered()  # ▁a moves to the front
    plan = word_convert(source, target, min_moved_run=2)
    assert not plan.is_reordered() and plan.tags == (KEEP, KEEP, KEEP, DELETE)


def test_convert_all_and_edit_stats_with_word_starts():
    pairs = [(pieces("▁go"), pieces("▁go es")), (pieces("▁a ▁b"), pieces("▁a ▁b"))]
    starts = [(flags(s), flags(t)) for s, t in pairs]
    piece_stats = edit_stats(pairs, convert_all(pairs), word_starts=starts)
    assert piece_stats.inside_word_insertion_share == 1.0
    assert piece_stats.partly_deleted_word_share == 0.0
    report = convert_all(pairs, word_starts=starts)
    assert report.plans[0] == word_convert(*pairs[0])
    stats = edit_stats(pairs, report, word_starts=starts)
    assert (stats.inside_word_insertion_share, stats.partly_deleted_word_share) == (0.0, 0.0)
    assert stats.mean_inserted_tokens == 1.0 and stats.mean_insertions == 0.5
    assert "insertions in a word  0.0000" in stats.format()
    assert edit_stats(pairs, report).inside_word_insertion_share is None


def check_word_plan(source, target, source_start, target_start, plan):
    """The round trip, and no tag boundary, pointer break or insertion inside a word."""
    assert realise(source, plan) == list(target)
    order = plan.validate()
    spans = word_spans(source_start)
    for start, end in spans:
        tags = {plan.tags[i] for i in range(start, end)}
        assert len(tags) == 1
        if tags == {KEEP}:  # the word's pieces are contiguous and in order in the output order
            n = order.index(start)
            assert list(order[n : n + end - start]) == list(range(start, end))
    word_end = {end - 1 for _, end in spans}
    word_first = {start for start, _ in spans}
    for k, _ in plan.insertions:
        assert k == 0 or order[k - 1] in word_end
        assert k == len(order) or order[k] in word_first
    assert word_violations(source, target, source_start, target_start, plan) == (0, 0)


# Few piece types so that words repeat and share pieces; flags drawn independently.
piece_ids = st.integers(min_value=0, max_value=4)
flagged_pieces = st.lists(st.tuples(piece_ids, st.booleans()), max_size=30)


@given(flagged_pieces, flagged_pieces, st.sampled_from([1, 2]))
@settings(max_examples=400, deadline=None)
def test_round_trip_and_word_boundaries_on_random_pieces(source_pairs, target_pairs, min_run):
    source = [p for p, _ in source_pairs]
    target = [p for p, _ in target_pairs]
    source_start = [f for _, f in source_pairs]
    target_start = [f for _, f in target_pairs]
    plan = convert_words(source, target, source_start, target_start, min_moved_run=min_run)
    check_word_plan(source, target, source_start, target_start, plan)


@given(flagged_pieces, flagged_pieces)
@settings(max_examples=100, deadline=None)
def test_guard_fallback_keeps_the_word_plan_exact(source_pairs, target_pairs):
    source = [p for p, _ in source_pairs]
    target = [p for p, _ in target_pairs]
    source_start = [f for _, f in source_pairs]
    target_start = [f for _, f in target_pairs]
    plan = convert_words(source, target, source_start, target_start, max_work=3)
    check_word_plan(source, target, source_start, target_start, plan)


def test_word_round_trip_on_real_data_with_the_tiny_vocabulary(tiny_vocab):
    """W&I train + dev, FCE train, JFLEG dev, WikiSplit fusion: SentencePiece ids, word-aware.

    The tiny vocabulary (conftest) stands in for the trained one; its pieces split words more
    often, which is the harder case for word grouping.
    """
    from test_real_data_roundtrip import DATASETS, MINIMUM_PAIRS

    from textedit.data.data_dir import DataFileNotFoundError
    from textedit.data.vocab.vocabulary import get_vocabulary, word_start_table

    vocabulary = get_vocabulary()
    table = word_start_table(vocabulary).tolist()
    encoder = vocabulary.tokenizer
    start = time.time()
    checked = {}
    for name in ("wi_train", "wi_dev", "fce_train", "jfleg_dev", "wikisplit_fusion"):
        try:
            pairs = DATASETS[name]()
        except DataFileNotFoundError as error:
            pytest.skip(str(error))
        assert len(pairs) >= MINIMUM_PAIRS[name]
        sources = encoder.encode([s for s, _ in pairs])
        targets = encoder.encode([t for _, t in pairs])
        failures = []
        for source, target in zip(sources, targets, strict=True):
            source_start = [table[i] for i in source]
            target_start = [table[i] for i in target]
            plan = convert_words(source, target, source_start, target_start)
            if realise(source, plan) != target or word_violations(
                source, target, source_start, target_start, plan
            ) != (0, 0):
                failures.append((encoder.decode(source), encoder.decode(target)))
        assert not failures, f"{name}: {len(failures)} of {len(pairs)} pairs: {failures[:3]}"
        checked[name] = len(pairs)
    assert time.time() - start < 120, checked
