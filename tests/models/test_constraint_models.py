"""The constraint models of MuCoCO (textedit/models/constraints): soft sequences read through an
embedding give exactly the hard values when one-hot, and each value matches a hand computation."""

import keras
import numpy as np
import pytest
from keras import ops

from textedit.models import T5Config, T5EncoderDecoder
from textedit.models.constraints import (
    ClassifierConstraint,
    KeywordInclusion,
    LengthBudget,
    SemanticCloseness,
    SimplicityClassifier,
    SoftSequence,
    soft_embed,
)

VOCAB = 48
TOKENS = np.array([[5, 9, 12, 1, 0], [7, 1, 0, 0, 0]], np.int32)
MASK = (np.arange(5)[None, :] < np.array([[4], [2]])).astype(np.float32)


@pytest.fixture(scope="module")
def classifier():
    keras.utils.set_random_seed(3)
    return SimplicityClassifier(vocab_size=VOCAB, d_model=16)


def one_hot(tokens, vocab=VOCAB):
    return ops.one_hot(tokens, vocab)


def test_soft_embedding_of_one_hot_equals_the_embedding_lookup():
    table = np.random.default_rng(0).normal(size=(VOCAB + 16, 8)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(soft_embed(one_hot(TOKENS), table)), table[TOKENS],
                               rtol=1e-6)
    # a mixture reads as the mixture of rows
    probs = 0.25 * one_hot(TOKENS) + 0.75 * one_hot(np.full_like(TOKENS, 3))
    np.testing.assert_allclose(np.asarray(soft_embed(probs, table)),
                               0.25 * table[TOKENS] + 0.75 * table[3], rtol=1e-5, atol=1e-6)


def test_classifier_reads_one_hot_soft_sequences_as_tokens(classifier):
    hard = np.asarray(classifier(TOKENS))
    soft = np.asarray(classifier.soft_logits(one_hot(TOKENS), MASK))
    assert hard.shape == (2,) and hard[0] != hard[1]
    np.testing.assert_allclose(soft, hard, rtol=1e-5, atol=1e-6)
    value = ClassifierConstraint(classifier)(SoftSequence(one_hot(TOKENS), MASK, TOKENS))
    np.testing.assert_allclose(np.asarray(value), np.log1p(np.exp(-hard)), rtol=1e-5)


def test_classifier_round_trips_through_its_keras_config(classifier):
    rebuilt = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(
        classifier))
    assert isinstance(rebuilt, SimplicityClassifier)
    assert (rebuilt.vocab_size, rebuilt.d_model) == (VOCAB, 16)
    assert len(rebuilt.trainable_variables) == len(classifier.trainable_variables)


def test_length_budget_counts_piece_sizes_relative_to_the_source():
    sizes = np.zeros(VOCAB, np.float32)
    sizes[[5, 9, 12, 7]] = [3, 4, 5, 2]
    source = np.array([[5, 9, 12, 12, 1], [7, 7, 7, 1, 0]], np.int32)  # 17 and 6 characters
    soft = SoftSequence(one_hot(TOKENS), MASK, source)
    np.testing.assert_allclose(np.asarray(LengthBudget(sizes)(soft)), [12 / 17, 2 / 6],
                               rtol=1e-6)
    np.testing.assert_allclose(np.asarray(LengthBudget(sizes, relative=False)(soft)), [12, 2])
    # a table shorter than the model's (rounded-up) vocabulary counts the extra ids as 0
    np.testing.assert_allclose(np.asarray(LengthBudget(sizes[:20])(soft)), [12 / 17, 2 / 6],
                               rtol=1e-6)


def test_keyword_inclusion_is_zero_exactly_when_every_piece_is_present():
    soft = SoftSequence(one_hot(TOKENS), MASK, TOKENS)
    np.testing.assert_allclose(np.asarray(KeywordInclusion([9, 12])(soft)), [0.0, 1.0])
    np.testing.assert_allclose(np.asarray(KeywordInclusion([9, 7])(soft)), [0.5, 0.5])
    # a piece after EOS does not count
    assert float(KeywordInclusion([0])(soft)[0]) == 1.0
    with pytest.raises(ValueError, match="at least one keyword"):
        KeywordInclusion([])


def test_semantic_closeness_is_zero_for_the_source_itself_and_positive_otherwise():
    keras.utils.set_random_seed(1)
    model = T5EncoderDecoder(T5Config.named("tiny", vocab_size=VOCAB))
    closeness = SemanticCloseness(model)
    source = TOKENS
    same = np.asarray(closeness(SoftSequence(one_hot(TOKENS), MASK, source)))
    np.testing.assert_allclose(same, [0.0, 0.0], atol=1e-5)
    other = np.array([[30, 31, 32, 1, 0], [40, 1, 0, 0, 0]], np.int32)
    different = np.asarray(closeness(SoftSequence(one_hot(other), MASK, source)))
    assert (different > 1e-3).all() and (different <= 2.0).all()
