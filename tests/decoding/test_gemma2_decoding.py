"""Decoder-only decoding through the shared XLA loops (`textedit.decoding`): a Gemma 2 model's
greedy output equals step-by-step argmax of teacher forcing on the decoder-only formatting, past
the sliding window; beam search and sampling run on the same cache (prompt + ring caches)."""

import keras
import numpy as np
import pytest
from keras import ops

from textedit.decoding import beam_search_decode, greedy_decode, sample_decode
from textedit.models import Gemma2Config, Gemma2DecoderOnly

VOCAB = 30


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(3)
    # window 3 < 8 steps: the local layer's ring cache wraps around.
    return Gemma2DecoderOnly(Gemma2Config.named("tiny", vocab_size=VOCAB, num_layers=2,
                                                sliding_window=3))


@pytest.fixture(scope="module")
def sources():
    tokens = np.random.default_rng(4).integers(2, VOCAB, size=(3, 7)).astype(np.int32)
    for row, length in enumerate((7, 4, 1)):  # source + EOS; the last row is EOS alone
        tokens[row, length - 1] = 1
        tokens[row, length:] = 0
    return tokens


def _forbid_eos(logits, index, generated):
    return ops.where(ops.arange(VOCAB) == 1, -1e9, logits)


def _step_log_probs(model, sources, row, tokens):
    """Teacher forcing on [0, source + EOS, tokens]: log-probabilities [len(tokens), vocab] of
    each generated position, EOS forbidden as in the decoding."""
    length = int((sources[row] != 0).sum())
    sequence = np.array([[0] + sources[row, :length].tolist() + list(tokens)], np.int32)
    logits = np.array(model(sequence))[0, length:length + len(tokens)]
    logits[:, 1] = -1e9
    shifted = logits - logits.max(-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))


@pytest.mark.slow  # an XLA decoding loop to compile (~30 s on a loaded core); the cached step
# itself is checked against teacher forcing in the default run (tests/models/test_gemma2_layers.py)
def test_greedy_equals_teacher_forced_argmax(model, sources):
    decoded = np.asarray(greedy_decode(model, sources, 8, logits_processor=_forbid_eos))
    for row in range(3):
        # Position i of the teacher-forced pass predicts decoded[row, i] from the tokens before.
        steps = _step_log_probs(model, sources, row, decoded[row])
        np.testing.assert_array_equal(steps.argmax(-1), decoded[row], err_msg=f"row {row}")


@pytest.mark.slow  # two more XLA loops to compile (~40 s on a loaded core)
def test_beam_search_best_beam_scores_at_least_greedy(model, sources):
    sequences, scores = beam_search_decode(model, sources, 6, beam_size=3, alpha=0.0,
                                           logits_processor=_forbid_eos)
    sequences, scores = np.asarray(sequences), np.asarray(scores)
    assert sequences.shape == (3, 3, 6) and np.all(scores[:, 0] >= scores[:, 1])
    greedy = np.asarray(greedy_decode(model, sources, 6, logits_processor=_forbid_eos))

    def log_prob(row, tokens):
        steps = _step_log_probs(model, sources, row, tokens)
        return float(steps[np.arange(len(tokens)), tokens].sum())

    for row in range(3):
        assert log_prob(row, sequences[row, 0]) >= log_prob(row, greedy[row]) - 1e-4
        assert scores[row, 0] == pytest.approx(log_prob(row, sequences[row, 0]), abs=1e-3)


@pytest.mark.slow
def test_sampling_is_seeded_and_at_temperature_near_zero_is_greedy(model, sources):
    first = np.asarray(sample_decode(model, sources, 6, seed=1))
    again = np.asarray(sample_decode(model, sources, 6, seed=1))
    np.testing.assert_array_equal(first, again)
    cold = np.asarray(sample_decode(model, sources, 6, seed=2, temperature=1e-4,
                                    logits_processor=_forbid_eos))
    greedy = np.asarray(greedy_decode(model, sources, 6, logits_processor=_forbid_eos))
    np.testing.assert_array_equal(cold, greedy)
