"""convert / realise on hand-made cases: what the alignment keeps, moves and inserts."""

import subprocess
import sys

import pytest

from textedit.edits import (
    DELETE,
    KEEP,
    TooManyPositionsError,
    align,
    convert,
    realise,
)


def words(text):
    return text.split()


def test_identical_pair_keeps_everything_in_order():
    source = words("the cat sat on the mat")
    plan = convert(source, source)
    assert plan.tags == (KEEP,) * 6
    assert plan.order() == tuple(range(6))
    assert plan.insertions == ()


def test_empty_source_inserts_the_whole_target_at_position_zero():
    plan = convert([], words("a b"))
    assert plan.tags == ()
    assert plan.insertions == ((0, ("a", "b")),)
    assert realise([], plan) == ["a", "b"]


def test_empty_target_deletes_everything():
    plan = convert(words("a b"), [])
    assert plan.tags == (DELETE, DELETE)
    assert plan.insertions == ()
    assert realise(words("a b"), plan) == []


def test_disjoint_pair_deletes_all_and_inserts_all():
    plan = convert(words("a b c"), words("x y"))
    assert plan.tags == (DELETE,) * 3
    assert plan.insertions == ((0, ("x", "y")),)


def test_span_swap_is_one_reordering_without_insertions():
    plan = convert(words("a b c d e"), words("d e a b c"))
    assert plan.tags == (KEEP,) * 5
    assert plan.order() == (3, 4, 0, 1, 2)
    assert plan.num_reorderings() == 1
    assert plan.insertions == ()


def test_gec_edit_is_a_local_delete_and_insert_without_reordering():
    source = words("It has a high density population because its small territory .")
    target = words("It has a high density population , because of its small territory .")
    plan = convert(source, target)
    assert plan.tags == (KEEP,) * len(source)
    assert not plan.is_reordered()
    assert plan.insertions == ((6, (",",)), (7, ("of",)))


def test_repeated_word_keeps_the_copy_that_continues_the_longest_run():
    # Both "the" can be kept for "the cat"; the second continues the run "the cat sat".
    source = words("the dog and the cat sat")
    target = words("the cat sat")
    plan = convert(source, target)
    assert plan.order() == (3, 4, 5)


def test_duplicated_word_deletes_one_copy():
    plan = convert(words("I saw the the cat"), words("I saw the cat"))
    assert plan.tags.count(DELETE) == 1
    assert plan.insertions == ()
    assert not plan.is_reordered()


def test_moved_word_is_kept_and_reordered_rather_than_reinserted():
    source = words("Of course not always public transport is more convenient .")
    target = words("Of course , public transport is not always more convenient .")
    plan = convert(source, target)
    assert plan.num_inserted_tokens() == 1  # only ","
    assert plan.num_reorderings() == 1


def test_min_moved_run_trades_insertions_for_fewer_reorderings():
    source = words("a x b c d e f")
    target = words("b c d e f x")  # "x" moves alone
    assert convert(source, target).num_reorderings() == 1
    plan = convert(source, target, min_moved_run=2)
    assert plan.num_reorderings() == 0
    assert plan.insertions == ((5, ("x",)),)
    assert realise(source, plan) == target
    with pytest.raises(ValueError, match="min_moved_run"):
        convert(source, target, min_moved_run=0)


def test_works_on_vocabulary_ids_and_returns_lists():
    source = (5, 6, 7, 8)
    target = (9, 7, 8, 5, 6)
    plan = convert(source, target)
    result = realise(source, plan)
    assert result == list(target)
    assert isinstance(result, list)
    assert plan.num_inserted_tokens() == 1


def test_too_many_positions_is_reported_with_the_count():
    source = words("a b c d")
    target = words("a b c d e")  # needs <pos_4>, i.e. 5 position tokens
    assert convert(source, target, max_positions=5).insertions == ((4, ("e",)),)
    with pytest.raises(TooManyPositionsError) as raised:
        convert(source, target, max_positions=4)
    assert raised.value.positions_needed == 5
    assert raised.value.max_positions == 4
    assert "5 position tokens" in str(raised.value)


def test_work_budget_guard_still_keeps_the_maximum():
    # Alternating tokens make many short runs; a tiny work budget triggers the linear fallback.
    source = ["a", "b"] * 30 + ["c"] * 5
    target = ["b", "a", "c"] * 20
    full = align(source, target)
    guarded = align(source, target, max_work=100)
    assert guarded.guard_triggered and not full.guard_triggered
    assert guarded.work < full.work
    kept = sum(j >= 0 for j in guarded.target_to_source)
    assert kept == sum(j >= 0 for j in full.target_to_source) == 45
    plan = convert(source, target, max_work=100)
    assert realise(source, plan) == target


def test_long_repetitive_input_is_bounded_by_the_guard():
    # 1,000 tokens from a 3-token alphabet and no common bigram: ~350k equal-token pairs in the
    # first round and hundreds of one-token rounds without the guard.
    source = ["a", "b", "c", "a"] * 250
    target = ["c", "b", "a"] * 350
    alignment = align(source, target)
    assert alignment.guard_triggered
    kept = sum(j >= 0 for j in alignment.target_to_source)
    assert kept == 250 + 250 + 350  # min(count) per token type: a 350, b 250, c 250
    assert realise(source, convert(source, target)) == target


def test_edits_package_does_not_import_tensorflow():
    code = "import sys, textedit.edits; assert 'tensorflow' not in sys.modules, 'tf imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
