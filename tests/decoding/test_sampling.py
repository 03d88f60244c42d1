"""Sampling: reproducible from a seed; top-k 1 == greedy; filters; the draw follows softmax."""

import numpy as np
import tensorflow as tf
from decoding_cases import MAX_LENGTH, eos_processor

from textedit.decoding import filter_logits, greedy_decode, gumbel_argmax, sample_decode


def _sample(model, encoder_tokens, seed, **kwargs):
    return np.asarray(sample_decode(model, encoder_tokens, MAX_LENGTH, seed=seed,
                                    logits_processor=eos_processor, **kwargs))


def test_a_fixed_seed_is_reproducible_and_seeds_differ(model, encoder_tokens):
    kwargs = dict(temperature=0.8, top_p=0.95)
    first = _sample(model, encoder_tokens, 7, **kwargs)
    np.testing.assert_array_equal(first, _sample(model, encoder_tokens, 7, **kwargs))
    assert not np.array_equal(first, _sample(model, encoder_tokens, 8, **kwargs))


def test_top_k_one_is_greedy(model, encoder_tokens):
    np.testing.assert_array_equal(
        _sample(model, encoder_tokens, 3, top_k=1),
        greedy_decode(model, encoder_tokens, MAX_LENGTH, logits_processor=eos_processor))


def test_filter_logits_top_k_and_top_p():
    logits = np.log(np.array([[0.5, 0.3, 0.15, 0.05]], np.float32))
    kept = lambda x: (np.asarray(x) > -1e8).astype(int).tolist()[0]  # noqa: E731
    assert kept(filter_logits(logits, top_k=2)) == [1, 1, 0, 0]
    assert kept(filter_logits(logits, top_p=0.5)) == [1, 0, 0, 0]
    assert kept(filter_logits(logits, top_p=0.6)) == [1, 1, 0, 0]
    assert kept(filter_logits(logits, top_p=0.9)) == [1, 1, 1, 0]
    assert kept(filter_logits(logits, top_k=3, top_p=0.6)) == [1, 1, 0, 0]
    assert kept(filter_logits(logits)) == [1, 1, 1, 1]


def _full_sort_top_p(logits: np.ndarray, top_p: float) -> np.ndarray:
    """The definition: sort each row, keep the tokens whose more probable ones have less than
    top_p of the mass (float64)."""
    out = logits.astype(np.float64).copy()
    for row in out:
        descending = np.sort(row)[::-1]
        probs = np.exp(descending - descending.max())
        probs /= probs.sum()
        threshold = descending[(np.cumsum(probs) - probs) < top_p].min()
        row[row < threshold] = -1e9
    return out


def test_top_p_finds_the_nucleus_among_the_first_tokens_or_sorts_them_all():
    """Peaked rows have a nucleus of a few tokens (the top-64 tier), medium rows one of hundreds
    (the top-1,024 tier), flat rows one of thousands (the full sort); batches of each and of all
    three, eager and compiled, keep what the definition keeps."""
    rng = np.random.default_rng(0)
    vocab = 4000

    def boosted(rows: int, likely: int, boost: float) -> np.ndarray:
        logits = rng.normal(size=[rows, vocab])
        logits[np.arange(rows)[:, None], rng.choice(vocab, size=[rows, likely])] += boost
        return logits

    peaked, medium = boosted(4, 5, 12.0), boosted(3, 300, 8.0)
    flat = rng.normal(size=[3, vocab]) * 0.1
    compiled = tf.function(lambda x, p: filter_logits(x, top_p=p), jit_compile=True)
    for top_p in (0.6, 0.9, 0.99):
        for rows in (peaked, medium, flat, np.concatenate([peaked, medium]),
                     np.concatenate([peaked, medium, flat])):
            rows = rows.astype(np.float32)
            expected = _full_sort_top_p(rows, top_p) > -1e8
            for got in (filter_logits(rows, top_p=top_p), compiled(rows, top_p)):
                np.testing.assert_array_equal(np.asarray(got) > -1e8, expected)
        nucleus = expected.sum(axis=1)  # of the batch of all three: each tier was needed
        assert (nucleus[:4] < 64).all(), nucleus
        assert ((64 < nucleus[4:7]) & (nucleus[4:7] < 1024)).all(), nucleus
        assert (nucleus[7:] > 1024).all(), nucleus


def test_gumbel_draw_follows_the_softmax():
    probs = np.array([0.5, 0.3, 0.15, 0.05], np.float32)
    logits = np.tile(np.log(probs), (20000, 1))
    draws = np.asarray(gumbel_argmax(logits, tf.constant([1, 2]), tf.constant(0)))
    np.testing.assert_allclose(np.bincount(draws, minlength=4) / len(draws), probs, atol=0.015)
