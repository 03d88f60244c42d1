"""validation_loss: the NLL per weighted target token over a whole split, a padded last batch
counting nothing, equal to one cross-entropy over every example at once."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from textedit.models import Gemma2Config, Gemma2DecoderOnly
from textedit.objectives.seq2seq import seq2seq_cross_entropy
from textedit.training.validation_loss import validation_loss


def test_nll_over_uneven_batches_equals_the_whole_split():
    keras.utils.set_random_seed(0)
    model = Gemma2DecoderOnly(Gemma2Config.named("tiny", vocab_size=20))
    rng = np.random.default_rng(0)
    targets = rng.integers(2, 20, size=(5, 6)).astype(np.int32)
    inputs = np.concatenate([np.zeros((5, 1), np.int32), targets[:, :-1]], axis=1)
    weights = (rng.random((5, 6)) < 0.7).astype(np.int32)
    features = {"decoder_input_tokens": inputs, "decoder_target_tokens": targets,
                "decoder_loss_weights": weights}
    result = validation_loss(model, tf.data.Dataset.from_tensor_slices(features),
                             ("decoder_input_tokens",), batch_size=2)  # 2 + 2 + 1 (padded)
    whole = seq2seq_cross_entropy(model(inputs), targets, weights)
    assert result.examples == 5 and result.tokens == int(weights.sum())
    assert result.nll_per_token == pytest.approx(float(whole.cross_entropy) / weights.sum(),
                                                 rel=1e-5)
    assert result.token_accuracy == pytest.approx(float(whole.correct) / weights.sum())
    assert result.perplexity == pytest.approx(np.exp(result.nll_per_token))
