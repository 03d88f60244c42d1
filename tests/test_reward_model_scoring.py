"""Reward-model scoring: fixed-shape batches give the model's own scores, cuts are counted, and
the paired feature converter pads both sides of a pair."""

import pytest
import tensorflow as tf

from textedit.benchmarks.reward_model_eval import evaluate_pairs, score_texts
from textedit.data.paired_score_features import PairedScoreFeatureConverter
from textedit.data.readers.preference_reader import split_prompt
from textedit.models.reward import T5ScalarModel
from textedit.models.t5.t5_config import T5Config


class CharVocabulary:
    """One id per character (2..41), enough to tokenise test strings."""

    def encode(self, text):
        return [2 + ord(c) % 40 for c in text]


@pytest.fixture(scope="module")
def model():
    config = T5Config.named("tiny", vocab_size=48, dropout_rate=0.0, d_model=16, d_ff=16,
                            num_heads=2, num_encoder_layers=1, num_decoder_layers=1)
    scorer = T5ScalarModel(config)
    head = scorer.score_head.kernel
    head.assign(tf.random.stateless_normal(head.shape, seed=(0, 1)))
    return scorer


def test_scores_match_direct_calls_and_cuts_are_counted(model):
    texts = ["abc", "a much longer text", "xyz"]
    scores, truncated = score_texts(model, CharVocabulary(), texts, length=8, batch_size=2)
    assert truncated == 1  # 18 characters + EOS > 8
    for text, score in zip(texts, scores, strict=True):
        ids = (CharVocabulary().encode(text) + [1])[:8]
        row = tf.constant([ids + [0] * (8 - len(ids))], tf.int32)
        direct = float(model({"encoder_input_tokens": row})[0])
        assert score == pytest.approx(direct, abs=1e-5)


def test_evaluate_pairs_accuracy(model):
    pair = split_prompt("\n\nHuman: hi\n\nAssistant: yes", "\n\nHuman: hi\n\nAssistant: no")
    swapped = split_prompt(pair.rejected_full, pair.chosen_full)
    result = evaluate_pairs(model, CharVocabulary(), [pair, swapped], length=32)
    # The same two texts in both orders: one pair is ordered right, the other wrong.
    assert result.pairwise_accuracy == 0.5
    assert result.pairs == 2 and result.truncated == 0
    assert 0.0 <= result.expected_calibration_error <= 0.5


def test_paired_feature_converter():
    ds = tf.data.Dataset.from_tensors({"chosen": tf.constant([5, 6, 1]),
                                       "rejected": tf.constant([7, 8, 9, 1])})
    out = next(iter(PairedScoreFeatureConverter()(ds, {"chosen": 4, "rejected": 4})))
    assert out["chosen_encoder_input_tokens"].numpy().tolist() == [5, 6, 1, 0]
    assert out["rejected_encoder_input_tokens"].numpy().tolist() == [7, 8, 9, 1]
    with pytest.raises(ValueError, match="does not pack"):
        PairedScoreFeatureConverter(pack=True)
    assert PairedScoreFeatureConverter().get_model_feature_lengths(
        {"chosen": 4, "rejected": 6}) == {"chosen_encoder_input_tokens": 4,
                                          "rejected_encoder_input_tokens": 6}
