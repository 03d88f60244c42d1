"""Best-of-N decoding on a tiny model: the kept sample has the highest reward of its prompt's N,
and the DECODE_FN factory gives the same outputs with its per-batch seeds."""

import numpy as np
import pytest
from rl_tiny_models import RL_TINY_CONFIG, prompts_and_references

from textedit.decoding.best_of_n import best_of_n_decode, best_of_n_decode_fn
from textedit.models.t5.t5_encoder_decoder import T5EncoderDecoder
from textedit.objectives.ngram_f1_reward import ngram_f1, ngram_f1_reward

PROMPTS, REFERENCES = prompts_and_references(3, seed=1)


def test_best_of_n_keeps_the_highest_reward():
    model = T5EncoderDecoder(RL_TINY_CONFIG)
    reward = ngram_f1_reward(max_order=1)
    tokens, rewards = best_of_n_decode(model, PROMPTS, 4, 6, reward, seed=5,
                                       references=REFERENCES)
    assert tokens.shape == (3, 4) and rewards.shape == (3, 6)
    kept = ngram_f1(tokens, REFERENCES, max_order=1).numpy()
    np.testing.assert_allclose(kept, rewards.numpy().max(axis=1), rtol=1e-6)

    # The DECODE_FN factory: batch i samples with seed (seed, i); same shapes and reward, so the
    # compiled function is reused.
    decode = best_of_n_decode_fn(4, n=6, reward=reward, seed=5)
    first = decode(model, {"encoder_input_tokens": PROMPTS, "decoder_target_tokens": REFERENCES})
    again, _ = best_of_n_decode(model, PROMPTS, 4, 6, reward, seed=[5, 0], references=REFERENCES)
    np.testing.assert_array_equal(first, again)
    assert decode.rewards[0].shape == (3, 6)


@pytest.mark.slow  # one XLA compilation of N sampled edits, about 8 s
def test_edit5_best_of_n_keeps_the_highest_reward_edit():
    """An EdiT5 run's Best-of-N (the same DECODE_FN): sampled edits realised in-graph."""
    import keras
    import tensorflow as tf
    from test_edit_inference import LENGTH, RANDOM_POSITIONS, RANDOM_VOCAB, WORDS, tiny_config

    from textedit.models.edit5.edit5_model import Edit5Model

    keras.utils.set_random_seed(3)
    model = Edit5Model(tiny_config(RANDOM_VOCAB, RANDOM_POSITIONS, LENGTH))
    rng = np.random.default_rng(2)
    prompts = rng.choice(list(WORDS), size=(3, LENGTH)).astype(np.int32)
    prompts[:, -1] = 1  # EOS
    references = np.concatenate([prompts[:, :3], np.ones((3, 1), np.int32)], axis=1)
    reward = ngram_f1_reward(max_order=1)
    decode = best_of_n_decode_fn(16, n=5, reward=reward, seed=2, max_insert_length=8)
    tokens = decode(model, {"encoder_input_tokens": tf.constant(prompts),
                            "decoder_target_tokens": tf.constant(references)})
    rewards = decode.rewards[0]
    assert tokens.shape == (3, 16) and rewards.shape == (3, 5)
    assert np.ptp(rewards, axis=1).max() > 0  # the edits differ
    kept = ngram_f1(tokens, references, max_order=1).numpy()
    np.testing.assert_allclose(kept, rewards.max(axis=1), rtol=1e-6)
