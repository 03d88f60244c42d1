"""Sampled responses: the sampler's log-probabilities equal teacher-forced ones (policy and an
anchor with other weights), and the teacher-forcing weights stop after EOS."""

import numpy as np
import tensorflow as tf
from rl_tiny_models import RL_TINY_CONFIG, prompts_and_references

from textedit.decoding.response_samples import (
    response_features,
    response_log_probs,
    sample_responses,
)
from textedit.models.t5.t5_encoder_decoder import T5EncoderDecoder


def test_response_features_weights_stop_after_eos():
    tokens = tf.constant([[5, 6, 1, 0], [5, 1, 0, 0], [5, 6, 7, 8]])
    inputs, weights = response_features(tokens, start_id=0)
    np.testing.assert_array_equal(inputs, [[0, 5, 6, 1], [0, 5, 1, 0], [0, 5, 6, 7]])
    np.testing.assert_array_equal(weights, [[1, 1, 1, 0], [1, 1, 0, 0], [1, 1, 1, 1]])


def test_sampling_log_probs_equal_teacher_forced_for_policy_and_anchor():
    prompts, _ = prompts_and_references(6)
    for seed, model in enumerate((T5EncoderDecoder(RL_TINY_CONFIG),
                                  T5EncoderDecoder(RL_TINY_CONFIG))):
        sample = tf.function(lambda p, s, m=model: sample_responses(
            m, p, 7, s, return_log_probs=True), jit_compile=True)
        tokens, sampled = sample(prompts, tf.constant([seed, 3], tf.int32))
        # Untrained tiny models rarely say EOS early; the check covers rows with and without.
        forced = response_log_probs(model, prompts, tokens)
        np.testing.assert_allclose(sampled.numpy(), forced.numpy(), rtol=1e-4, atol=1e-4)
        assert np.all(sampled.numpy() < 0)
