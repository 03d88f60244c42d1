"""Property-based tests: the round trip and the plan's invariants on random token lists."""

import collections

from hypothesis import given, settings
from hypothesis import strategies as st

from textedit.edits import (
    DELETE,
    KEEP,
    align,
    convert,
    decoder_target,
    parse_decoder_output,
    realise,
)

# Small alphabets make repeats (the hard case) frequent; ints and strings both count as tokens.
small_alphabet = st.sampled_from(["the", "a", ",", "cat", "sat", "."])
int_tokens = st.integers(min_value=0, max_value=6)
token_lists = st.one_of(
    st.lists(small_alphabet, max_size=25),
    st.lists(int_tokens, max_size=25),
)
pairs_same_kind = st.one_of(
    st.tuples(st.lists(small_alphabet, max_size=25), st.lists(small_alphabet, max_size=25)),
    st.tuples(st.lists(int_tokens, max_size=25), st.lists(int_tokens, max_size=25)),
    st.tuples(st.lists(int_tokens, max_size=60), st.lists(int_tokens, max_size=60)),
)


def check_plan(source, target, plan):
    """Every invariant a plan of convert(source, target) must satisfy."""
    assert realise(source, plan) == list(target)
    order = plan.validate()
    assert len(plan.tags) == len(source)
    assert sorted(plan.pointers) == list(range(len(source) + 1))  # a permutation
    for i, tag in enumerate(plan.tags):
        assert (plan.pointers[i + 1] == i + 1) == (tag == DELETE)
    positions = [k for k, _ in plan.insertions]
    assert positions == sorted(set(positions))
    assert all(0 <= k <= len(order) for k in positions)
    assert all(span for _, span in plan.insertions)
    # Maximal keeping: every token type is kept min(count in source, count in target) times.
    common = collections.Counter(source) & collections.Counter(target)
    assert plan.num_kept() == sum(common.values())
    assert plan.num_inserted_tokens() == len(target) - plan.num_kept()


@given(pairs_same_kind)
@settings(max_examples=400, deadline=None)
def test_round_trip_and_invariants_on_random_pairs(pair):
    source, target = pair
    check_plan(source, target, convert(source, target))


@given(pairs_same_kind)
@settings(max_examples=200, deadline=None)
def test_guard_fallback_keeps_round_trip_and_maximum(pair):
    source, target = pair
    plan = convert(source, target, max_work=3)
    check_plan(source, target, plan)


@given(pairs_same_kind, st.integers(min_value=2, max_value=4))
@settings(max_examples=200, deadline=None)
def test_min_moved_run_round_trips_and_never_inserts_less(pair, min_moved_run):
    source, target = pair
    plan = convert(source, target, min_moved_run=min_moved_run)
    assert realise(source, plan) == list(target)
    plan.validate()
    assert plan.num_inserted_tokens() >= convert(source, target).num_inserted_tokens()


@given(token_lists)
def test_empty_source(target):
    plan = convert([], target)
    assert realise([], plan) == target
    assert plan.insertions == (((0, tuple(target)),) if target else ())


@given(token_lists)
def test_empty_target(source):
    plan = convert(source, [])
    assert realise(source, plan) == []
    assert plan.tags == (DELETE,) * len(source)
    assert plan.insertions == ()


@given(token_lists)
def test_identical_pair_is_all_keep_in_order(tokens):
    plan = convert(tokens, tokens)
    assert plan.tags == (KEEP,) * len(tokens)
    assert plan.order() == tuple(range(len(tokens)))
    assert plan.insertions == ()


@given(st.lists(st.integers(0, 9), max_size=20), st.lists(st.integers(10, 19), max_size=20))
def test_disjoint_pair_deletes_all_and_inserts_the_target_at_the_start(source, target):
    plan = convert(source, target)
    assert plan.tags == (DELETE,) * len(source)
    assert plan.insertions == (((0, tuple(target)),) if target else ())
    assert realise(source, plan) == target


@given(st.lists(st.integers(), min_size=2, max_size=30, unique=True), st.data())
def test_span_swap_keeps_everything_with_one_reordering(tokens, data):
    cut = data.draw(st.integers(1, len(tokens) - 1))
    source, target = tokens, tokens[cut:] + tokens[:cut]
    plan = convert(source, target)
    assert plan.insertions == ()
    assert plan.num_reorderings() == 1
    assert realise(source, plan) == target


@given(
    st.lists(small_alphabet, max_size=10),
    st.lists(small_alphabet, min_size=1, max_size=8),
    st.lists(small_alphabet, min_size=1, max_size=8),
    st.lists(small_alphabet, max_size=10),
)
@settings(deadline=None)
def test_swap_of_two_spans_with_repeats_round_trips(prefix, first, second, suffix):
    source = prefix + first + second + suffix
    target = prefix + second + first + suffix
    plan = convert(source, target)
    check_plan(source, target, plan)
    assert plan.insertions == ()  # everything is a permutation of the source


@given(pairs_same_kind)
@settings(deadline=None)
def test_decoder_target_parses_back(pair):
    source, target = pair
    plan = convert(source, target)
    tokens = decoder_target(plan, lambda k: ("pos", k))
    insertions = parse_decoder_output(
        tokens,
        is_position_token=lambda t: isinstance(t, tuple),
        position_index=lambda t: t[1],
    )
    assert insertions == plan.insertions


@given(pairs_same_kind)
@settings(deadline=None)
def test_alignment_copies_equal_tokens_once(pair):
    source, target = pair
    mapping = align(source, target).target_to_source
    used = [j for j in mapping if j >= 0]
    assert len(used) == len(set(used))
    assert all(source[j] == target[i] for i, j in enumerate(mapping) if j >= 0)


@given(st.tuples(st.lists(small_alphabet, max_size=25), st.lists(small_alphabet, max_size=25)))
@settings(deadline=None)
def test_words_and_their_vocabulary_ids_get_the_same_plan(pair):
    source, target = pair
    ids = {word: 100 + n for n, word in enumerate(sorted(set(source) | set(target)))}
    word_plan = convert(source, target)
    id_plan = convert(tuple(ids[w] for w in source), tuple(ids[w] for w in target))
    assert (id_plan.tags, id_plan.pointers) == (word_plan.tags, word_plan.pointers)
    assert id_plan.insertions == tuple(
        (k, tuple(ids[w] for w in span)) for k, span in word_plan.insertions
    )
