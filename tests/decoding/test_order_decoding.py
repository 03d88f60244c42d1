"""decode_order: a chain from START through every kept position exactly once, on adversarial
score matrices (cycles, revisiting argmaxes, ties, -inf/NaN, nothing kept) and under XLA."""

import numpy as np
import pytest
import tensorflow as tf

from textedit.decoding.order_decoding import decode_order


def reference_order(scores, kept, start):
    """Greedy with a visited mask in plain numpy (NaN as the lowest score, ties to the lowest)."""
    scores = np.where(np.isnan(scores), -np.inf, scores)
    unvisited = {j for j in np.flatnonzero(kept) if j != start}
    order, current = [], start
    while unvisited:
        candidates = sorted(unvisited)
        values = [scores[current, j] for j in candidates]
        current = candidates[int(np.argmax(values))]
        order.append(current)
        unvisited.remove(current)
    return order


def check_chain(decoded, kept, start, row):
    """The invariants every decoded row must satisfy, whatever the scores."""
    next_positions = decoded.next_positions.numpy()[row]
    order = decoded.order.numpy()[row]
    new_positions = decoded.new_positions.numpy()[row]
    length = len(next_positions)
    members = {int(j) for j in np.flatnonzero(kept[row])} - {int(start[row])}
    chain, current = [], int(start[row])
    for _ in range(length):
        current = int(next_positions[current])
        if current == start[row]:
            break
        chain.append(current)
    assert current == start[row], "the chain returns to START"
    assert len(chain) == len(set(chain)) and set(chain) == members, "each kept position once"
    assert sorted(next_positions.tolist()) == list(range(length)), "a permutation"
    for j in range(length):
        if j not in members and j != start[row]:
            assert next_positions[j] == j, "positions off the chain are fixed points"
    assert order.tolist() == chain + [-1] * (length - len(chain))
    expected_positions = np.zeros(length, np.int64)
    expected_positions[chain] = np.arange(1, len(chain) + 1)
    assert new_positions.tolist() == expected_positions.tolist()
    return chain


def run(scores, kept, start):
    scores = np.asarray(scores, np.float32)
    kept = np.asarray(kept, bool)
    start = np.asarray(start, np.int32)
    decoded = decode_order(scores, kept, start)
    return [check_chain(decoded, kept, start, row) for row in range(len(start))]


def test_two_cycles_do_not_close_early():
    # Row argmaxes: START(5) -> 0 -> 1 -> 0 ... and 2 <-> 3: argmax alone would loop 0 <-> 1.
    scores = np.full((1, 6, 6), -5.0)
    for m, j in [(5, 0), (0, 1), (1, 0), (2, 3), (3, 2), (4, 4)]:
        scores[0, m, j] = 10.0
    scores[0, 1, 2] = 1.0
    (chain,) = run(scores, [[1, 1, 1, 1, 1, 1]], [5])
    assert chain == [0, 1, 2, 3, 4]


def test_every_row_argmax_is_the_same_position():
    scores = np.zeros((1, 6, 6))
    scores[0, :, 2] = 100.0  # everyone wants 2; then everyone wants 4
    scores[0, :, 4] = 50.0
    (chain,) = run(scores, [[1, 1, 1, 1, 1, 1]], [5])
    assert chain == [2, 4, 0, 1, 3]


def test_all_equal_scores_keep_the_source_order():
    (chain,) = run(np.zeros((1, 7, 7)), [[1, 0, 1, 1, 0, 1, 0]], [5])
    assert chain == [0, 2, 3]


def test_pointers_to_start_deleted_and_padding_are_ignored():
    scores = np.zeros((1, 8, 8))
    scores[0, :, 5] = 1e6  # START
    scores[0, :, 1] = 1e6  # deleted
    scores[0, :, 6:] = 1e6  # padding
    scores[0, :, 3] = 1.0
    (chain,) = run(scores, [[1, 0, 1, 1, 1, 1, 0, 0]], [5])
    assert chain == [3, 0, 2, 4]


def test_nothing_kept_and_only_one_kept():
    scores = np.random.default_rng(0).normal(size=(3, 5, 5))
    kept = [[0, 0, 0, 0, 1], [0, 0, 0, 0, 0], [0, 1, 0, 0, 1]]  # START only, none at all, one
    chains = run(scores, kept, [4, 4, 4])
    assert chains == [[], [], [1]]


def test_infinite_and_nan_scores():
    scores = np.full((2, 5, 5), np.nan)
    scores[0] = -np.inf
    scores[0, 4, 2] = np.inf
    scores[1, 0, 3] = -np.inf
    chains = run(scores, [[1, 1, 1, 1, 1], [1, 1, 1, 1, 1]], [4, 4])
    assert chains[0][0] == 2 and sorted(chains[0]) == [0, 1, 2, 3]
    assert sorted(chains[1]) == [0, 1, 2, 3]


def test_start_unmarked_and_start_in_the_middle():
    scores = np.random.default_rng(1).normal(size=(2, 6, 6))
    kept = np.array([[1, 1, 0, 1, 0, 0], [1, 1, 1, 1, 1, 1]], bool)  # row 0: START 4 unmarked
    chains = run(scores, kept, [4, 2])
    assert sorted(chains[0]) == [0, 1, 3] and sorted(chains[1]) == [0, 1, 3, 4, 5]


@pytest.mark.parametrize("seed", range(5))
def test_random_matrices_match_the_reference(seed):
    rng = np.random.default_rng(seed)
    batch, length = 16, 9
    scores = rng.normal(size=(batch, length, length)).astype(np.float32)
    scores[rng.random(scores.shape) < 0.1] = rng.choice([np.inf, -np.inf, 0.0])
    scores = np.round(scores, 1)  # plenty of ties, -0.0 against 0.0 included
    lengths = rng.integers(1, length + 1, size=batch)
    start = lengths - 1
    kept = (rng.random((batch, length)) < 0.6) & (np.arange(length)[None] < lengths[:, None])
    kept[np.arange(batch), start] = True
    chains = run(scores, kept, start)
    for row in range(batch):
        assert chains[row] == reference_order(scores[row], kept[row], start[row])


def test_compiles_with_xla():
    compiled = tf.function(decode_order, jit_compile=True)
    rng = np.random.default_rng(3)
    scores = tf.constant(rng.normal(size=(4, 10, 10)), tf.float32)
    kept = tf.constant(rng.random((4, 10)) < 0.7)
    start = tf.constant([9, 9, 5, 0], tf.int32)
    decoded = compiled(scores, kept, start)
    eager = decode_order(scores, kept, start)
    for got, expected in zip(decoded, eager, strict=True):
        np.testing.assert_array_equal(got.numpy(), expected.numpy())
