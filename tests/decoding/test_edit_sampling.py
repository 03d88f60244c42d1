"""Sampled EdiT5 edits (LMCor candidates): tags drawn per word with their tempered P(DELETE),
their log-probability, and `sample_edit_batch` on a tiny random model - seeded, varied, and the
deterministic edit in the zero-temperature limit."""

import numpy as np
import pytest
import tensorflow as tf
from test_edit_inference import (  # tests/decoding is on the path
    BATCH,
    INSERT,
    RANDOM_VOCAB,
)
from test_word_guards import MEMBERS, WORD_START, tag_logits

from textedit.decoding.edit_inference import edit_batch, sample_edit_batch
from textedit.decoding.word_guards import tag_log_prob, word_noise, word_tags

xla = tf.function(jit_compile=True)


def logistic(shape, rng):
    uniform = rng.uniform(1e-6, 1 - 1e-6, size=shape)
    return (np.log(uniform) - np.log1p(-uniform)).astype(np.float32)


def test_sampled_tags_delete_with_the_tempered_probability():
    log_odds = np.array([[-2.0, 0.0, 1.5, 3.0]], np.float32)
    members = np.ones_like(log_odds, bool)
    draws, temperature = 4000, 2.0
    noise = logistic((draws, 4), np.random.default_rng(0))
    tags = xla(lambda lo, m, n: word_tags(lo, m, noise=n, temperature=temperature))(
        tag_logits(np.repeat(log_odds, draws, 0)), tf.constant(np.repeat(members, draws, 0)),
        tf.constant(noise)).numpy()
    deleted = (tags == 0).mean(axis=0)
    expected = 1 / (1 + np.exp(-log_odds[0] / temperature))
    np.testing.assert_allclose(deleted, expected, atol=0.03)  # 4,000 draws: sd <= 0.008


def test_a_word_is_one_draw():
    # Pieces ▁a b c ▁d e EOS pad: each word takes the noise of its first piece.
    noise = np.array([[5.0, -7.0, 9.0, -4.0, 3.0, 8.0, 8.0]], np.float32)
    shared = word_noise(tf.constant(noise), tf.constant(MEMBERS), tf.constant(WORD_START))
    np.testing.assert_array_equal(shared.numpy(), [[5.0, 5.0, 5.0, -4.0, -4.0, 0.0, 0.0]])
    # Mean log-odds of word 1 is 1/3: deleted with its noise +5, word 2 (-1) kept with -4.
    logits = tag_logits([[2.0, -1.0, 0.0, -3.0, 1.0, 0.0, 0.0]])
    tags = word_tags(logits, tf.constant(MEMBERS), tf.constant(WORD_START), noise=noise)
    assert tags.numpy().tolist() == [[0, 0, 0, 1, 1, 1, 1]]


def test_tag_log_prob_counts_each_word_once():
    logits = tag_logits([[2.0, -1.0, 0.0, -3.0, 1.0, 0.0, 0.0]])
    tags = np.array([[0, 0, 0, 1, 1, 1, 1]])
    per_word = tag_log_prob(logits, tags, tf.constant(MEMBERS), tf.constant(WORD_START))
    sigmoid = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    # word 1: P(DELETE) = sigmoid(1/3); word 2: P(KEEP) = sigmoid(+1) (mean log-odds -1).
    np.testing.assert_allclose(per_word.numpy(), [np.log(sigmoid(1 / 3)) + np.log(sigmoid(1.0))],
                               rtol=1e-5)
    per_piece = tag_log_prob(logits, tags, tf.constant(MEMBERS))
    pieces = np.log(sigmoid(np.array([2.0, -1.0, 0.0]))).sum() + np.log(sigmoid(np.array(
        [3.0, -1.0]))).sum()
    np.testing.assert_allclose(per_piece.numpy(), [pieces], rtol=1e-5)


# Three XLA compilations each (sampling at two temperatures, the plain edit): the word-guard
# case, which LMCor candidates use, runs by default.
@pytest.mark.parametrize("word_guards", [pytest.param(False, marks=pytest.mark.slow), True])
def test_sample_edit_batch_is_seeded_varied_and_cold_greedy(model_and_tokens, word_guards):
    model, tokens = model_and_tokens
    table = None
    if word_guards:  # ids 33 .. 36 open words, 37 .. 39 continue them
        table = np.zeros(RANDOM_VOCAB, bool)
        table[33:37] = True
    guards = dict(word_start_table=table)
    first, log_p = sample_edit_batch(model, tokens, INSERT, seed=0, **guards)
    again, log_p_again = sample_edit_batch(model, tokens, INSERT, seed=0, **guards)
    other, _ = sample_edit_batch(model, tokens, INSERT, seed=1, **guards)
    assert [e.tokens for e in first] == [e.tokens for e in again]
    np.testing.assert_array_equal(log_p, log_p_again)
    assert [e.tokens for e in first] != [e.tokens for e in other]
    assert log_p.shape == (BATCH,) and np.all(np.isfinite(log_p)) and np.all(log_p <= 0)
    # Near zero temperature every draw is the argmax: the deterministic edit.
    cold, _ = sample_edit_batch(model, tokens, INSERT, seed=3, temperature=1e-4, **guards)
    greedy = edit_batch(model, tokens, INSERT, **guards)
    assert [e.tokens for e in cold] == [e.tokens for e in greedy]
    assert [e.plan for e in cold] == [e.plan for e in greedy]
