"""The in-graph rewards of online RL: n-gram F1 on constructed ids, and the reward model's input
built from a prompt and a sampled response."""

import numpy as np
import pytest
import tensorflow as tf

from textedit.models.reward import T5ScalarModel
from textedit.models.t5.t5_config import T5Config
from textedit.objectives.metric_rewards import metric_reward
from textedit.objectives.ngram_f1_reward import ngram_f1, ngram_f1_reward
from textedit.objectives.reward_model_reward import prompt_then_response, reward_model_reward


def test_ngram_f1_on_constructed_ids():
    references = tf.constant([[5, 6, 7, 1, 0], [5, 6, 7, 1, 0], [5, 5, 1, 0, 0], [1, 0, 0, 0, 0]])
    responses = tf.constant([[5, 6, 7, 1, 0], [7, 6, 5, 1, 0], [5, 5, 5, 5, 1], [1, 0, 0, 0, 0]])
    scores = ngram_f1(responses, references, max_order=2).numpy()
    # Identical: 1. Reversed: unigram F1 1, no shared bigram -> 0.5.
    # [5 5 5 5] vs [5 5]: unigrams clipped to 2 -> 2*2/(4+2); bigrams "5 5": 3 vs 1, clipped to
    # 1 -> 2*1/(3+1). Both empty: 1.
    np.testing.assert_allclose(scores, [1.0, 0.5, 0.5 * (4 / 6 + 2 / 4), 1.0], rtol=1e-6)
    reward = ngram_f1_reward(max_order=1)
    np.testing.assert_allclose(reward(None, responses[:2], references[:2]), [1.0, 1.0])
    with pytest.raises(ValueError):
        ngram_f1_reward(max_order=0)
    np.testing.assert_allclose(metric_reward("ngram_f1")(None, responses, references), scores)
    with pytest.raises(ValueError, match="gleu"):
        metric_reward("bleu")


def test_prompt_then_response_keeps_the_tail():
    prompts = tf.constant([[5, 6, 7, 1], [8, 1, 0, 0]])
    responses = tf.constant([[9, 1, 0], [10, 11, 1]])
    np.testing.assert_array_equal(prompt_then_response(prompts, responses, 6),
                                  [[5, 6, 7, 9, 1, 0], [8, 10, 11, 1, 0, 0]])
    np.testing.assert_array_equal(prompt_then_response(prompts, responses, 3),
                                  [[7, 9, 1], [10, 11, 1]])


def test_reward_model_reward_scores_each_row():
    config = T5Config.named("tiny", vocab_size=16, dropout_rate=0.0, d_model=8, d_ff=8,
                            num_heads=2, num_encoder_layers=1, num_decoder_layers=1)
    model = T5ScalarModel(config)
    model.score_head.kernel.assign(tf.ones_like(model.score_head.kernel))
    prompts = tf.constant([[5, 6, 1], [5, 6, 1]])
    responses = tf.constant([[9, 1, 0], [12, 13, 1]])
    scores = reward_model_reward(model, max_length=6)(prompts, responses, None)
    expected = model({"encoder_input_tokens": prompt_then_response(prompts, responses, 6)})
    np.testing.assert_allclose(scores, expected, rtol=1e-6)
    assert scores.shape == (2,) and not model.trainable
