"""Beam search: width 1 == greedy; scores are the sequences' penalised log-probabilities."""

import numpy as np
import pytest
import tensorflow as tf
from decoding_cases import MAX_LENGTH, eos_processor
from keras import ops

from textedit.decoding import beam_search_decode, beam_search_decode_xla, greedy_decode
from textedit.decoding.beam_search import length_penalty


def test_length_penalty_is_gnmt():
    assert float(length_penalty(3, 0.6)) == pytest.approx((8 / 6) ** 0.6)
    assert float(length_penalty(7, 0.0)) == 1.0


def test_beam_width_one_equals_greedy(model, encoder_tokens):
    sequences, scores = beam_search_decode(model, encoder_tokens, MAX_LENGTH, beam_size=1,
                                           alpha=0.0, logits_processor=eos_processor)
    greedy = greedy_decode(model, encoder_tokens, MAX_LENGTH, logits_processor=eos_processor)
    assert tuple(sequences.shape) == (3, 1, MAX_LENGTH) and tuple(scores.shape) == (3, 1)
    np.testing.assert_array_equal(sequences[:, 0], greedy)


def _teacher_forced_score(model, encoder_tokens, row, sequence, alpha):
    """log P(sequence up to EOS) / length_penalty, with the same logits processor."""
    length = list(sequence).index(1) + 1 if 1 in sequence else len(sequence)
    hidden, mask = model.encode(encoder_tokens[row:row + 1])
    inputs = np.concatenate([[0], sequence[:length - 1]])[None].astype(np.int32)
    logits = model.decode(inputs, hidden, mask)[0]
    generated = np.asarray(sequence)[None].astype(np.int32)
    log_prob = 0.0
    for index in range(length):
        step = eos_processor(logits[index:index + 1], ops.convert_to_tensor(index), generated)
        log_prob += float(ops.log_softmax(step, axis=-1)[0, sequence[index]])
    full = MAX_LENGTH if 1 not in sequence else length
    return log_prob / float(length_penalty(full, alpha))


def test_beams_are_sorted_and_scored_by_their_penalised_log_probability(model, encoder_tokens):
    sequences, scores = beam_search_decode(model, encoder_tokens, MAX_LENGTH, beam_size=3,
                                           alpha=0.6, logits_processor=eos_processor)
    sequences, scores = np.asarray(sequences), np.asarray(scores)
    assert (np.diff(scores, axis=1) <= 0).all()
    for row in range(3):
        assert len({tuple(s) for s in sequences[row]}) == 3
        for beam in range(3):
            expected = _teacher_forced_score(model, encoder_tokens, row, sequences[row, beam], 0.6)
            assert scores[row, beam] == pytest.approx(expected, abs=1e-4)


def test_beam_search_compiles_to_one_xla_loop(model, encoder_tokens):
    assert isinstance(beam_search_decode_xla, tf.types.experimental.PolymorphicFunction)
    hlo = beam_search_decode_xla.experimental_get_compiler_ir(
        model, tf.constant(encoder_tokens), MAX_LENGTH, 3, 0.6, 1, eos_processor)(stage="hlo")
    assert "while" in hlo
