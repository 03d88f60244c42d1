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


def test_grouped_choice_weighs_stop_against_all_positions_together():
    """EOS alone beats every single <pos_k>, but the four allowed positions together are more
    probable: grouped choice inserts (at the best position), plain argmax stops. A row whose
    content tokens together outweigh both continues its span."""
    import numpy as np

    from textedit.decoding.position_constraint import position_constraint

    first, vocab = 3, 12  # ids: 0 pad, 1 EOS, 2 content, 3..8 <pos_0..5>, 9..11 content
    logits = np.full((2, vocab), -5.0, np.float32)
    logits[0, 1] = 2.0
    logits[0, [3, 4, 5, 6]] = [1.5, 1.6, 1.5, 1.5]
    logits[1, 1] = 1.0
    logits[1, [9, 10, 11]] = 0.6
    logits[1, 3] = 0.8
    generated = np.zeros((2, 4), np.int32)
    generated[1, 0] = 3  # row 1 already opened a span at <pos_0>
    num_kept = np.array([3, 3], np.int32)
    plain = position_constraint(num_kept, first_position_id=first, num_position_tokens=6)
    grouped = position_constraint(num_kept, first_position_id=first, num_position_tokens=6,
                                  grouped_choice=True)
    index = np.array([0, 1], np.int32)
    for row, step in enumerate(index):
        assert int(np.argmax(np.asarray(plain(logits, step, generated))[row])) == 1
    first_step = np.asarray(grouped(logits, index[0], generated))[0]
    assert int(np.argmax(first_step)) == 4  # <pos_1>, the best of the position group
    assert first_step[1] < -1e8  # EOS lost as a group
    second = np.asarray(grouped(logits, index[1], generated))[1]
    assert int(np.argmax(second)) in (9, 10, 11)  # content: 3 x 0.6 beats EOS 1.0 and <pos> 0.8


def test_insert_bias_lifts_allowed_positions_only():
    """EOS (2.0) beats <pos_1> (1.6) in the plain argmax; a bias of 0.5 makes the decoder open
    the span there. Forbidden positions (k > num_kept) stay forbidden and content ids keep
    their logits."""
    first, vocab = 3, 12  # ids: 0 pad, 1 EOS, 2 content, 3..8 <pos_0..5>, 9..11 content
    logits = np.full((1, vocab), -5.0, np.float32)
    logits[0, 1], logits[0, 4], logits[0, 8], logits[0, 9] = 2.0, 1.6, 3.0, 0.3
    generated = np.zeros((1, 4), np.int32)
    num_kept = np.array([3], np.int32)
    plain = np.asarray(position_constraint(num_kept, first_position_id=first,
                                           num_position_tokens=6)(logits, 0, generated))[0]
    biased = np.asarray(position_constraint(num_kept, first_position_id=first,
                                            num_position_tokens=6, insert_bias=0.5)(
        logits, 0, generated))[0]
    assert int(np.argmax(plain)) == 1 and int(np.argmax(biased)) == 4
    np.testing.assert_allclose(biased[[3, 4, 5, 6]], logits[0, [3, 4, 5, 6]] + 0.5)
    assert biased[8] <= FORBIDDEN  # <pos_5>: k = 5 > 3 kept
    np.testing.assert_allclose(biased[[1, 2, 9, 10, 11]], logits[0, [1, 2, 9, 10, 11]])
