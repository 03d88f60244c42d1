"""position_constraint: greedy decoding never emits <pos_k> with k > kept count or a falling k."""

import numpy as np
import tensorflow as tf

from textedit.decoding.greedy import greedy_loop
from textedit.decoding.position_constraint import FORBIDDEN, position_constraint

FIRST, POSITIONS, VOCAB, STEPS = 3, 20, 30, 12


def violations(tokens, num_kept):
    """(row, step, k) of every <pos_k> with k > num_kept[row] or k below the row's previous k."""
    found = []
    for row, sequence in enumerate(np.asarray(tokens)):
        previous = 0
        for step, token in enumerate(sequence):
            if token == 1:
                break
            if FIRST <= token < FIRST + POSITIONS:
                k = int(token) - FIRST
                if k > num_kept[row] or k < previous:
                    found.append((row, step, k))
                previous = max(previous, k)
    return found


def position_count(tokens):
    tokens = np.asarray(tokens)
    return int(((tokens >= FIRST) & (tokens < FIRST + POSITIONS)).sum())


@tf.function(jit_compile=True)
def decode_random(table, num_kept, constrained):
    """Greedy decoding where step i's logits are table[i] (random, position-heavy)."""
    def step_fn(token, cache, index):
        return tf.gather(table, index), cache

    processor = None
    if constrained:
        processor = position_constraint(num_kept, first_position_id=FIRST,
                                        num_position_tokens=POSITIONS)
    return greedy_loop(step_fn, tf.zeros([]), table.shape[1], STEPS, logits_processor=processor)


def test_random_logits_respect_the_constraint():
    rng = np.random.default_rng(0)
    batch = 64
    table = rng.normal(size=(STEPS, batch, VOCAB)).astype(np.float32)
    table[:, :, FIRST:FIRST + POSITIONS] += 1.0  # position tokens win most steps
    table[:, :, 1] -= 2.0  # EOS rarely
    num_kept = rng.integers(0, POSITIONS + 3, size=batch).astype(np.int32)
    free = decode_random(tf.constant(table), tf.constant(num_kept), False).numpy()
    assert violations(free, num_kept), "the test needs scores that violate without the constraint"
    constrained = decode_random(tf.constant(table), tf.constant(num_kept), True).numpy()
    assert not violations(constrained, num_kept)
    assert position_count(constrained) > batch  # positions are still emitted, just legal ones


def test_only_position_tokens_are_touched():
    logits = tf.constant(np.random.default_rng(1).normal(size=(2, VOCAB)), tf.float32)
    generated = tf.constant([[FIRST + 4, 40, 0, 0], [0, 0, 0, 0]], tf.int32)
    processor = position_constraint(tf.constant([6, 2]), first_position_id=FIRST,
                                    num_position_tokens=POSITIONS)
    out = processor(logits, tf.constant(2), generated).numpy()
    k = np.arange(VOCAB) - FIRST
    is_position = (k >= 0) & (k < POSITIONS)
    np.testing.assert_array_equal(out[:, ~is_position], logits.numpy()[:, ~is_position])
    allowed_row0 = is_position & (k >= 4) & (k <= 6)  # previous <pos_4>, 6 kept
    allowed_row1 = is_position & (k <= 2)  # nothing emitted yet, 2 kept
    for row, allowed in enumerate((allowed_row0, allowed_row1)):
        np.testing.assert_array_equal(out[row, allowed], logits.numpy()[row, allowed])
        assert (out[row, is_position & ~allowed] == FORBIDDEN).all()


def test_tokens_at_or_after_index_are_ignored():
    """`generated` may hold stale ids past `index` (it does not, but padding is 0 anyway)."""
    logits = tf.zeros((1, VOCAB))
    generated = tf.constant([[FIRST + 1, FIRST + 9]], tf.int32)  # <pos_9> is at index 1
    processor = position_constraint(tf.constant([10]), first_position_id=FIRST,
                                    num_position_tokens=POSITIONS)
    out = processor(logits, tf.constant(1), generated).numpy()[0]
    assert out[FIRST + 1] == 0.0 and out[FIRST] == FORBIDDEN  # only <pos_1> counts so far
