"""seq2seq_cross_entropy against a NumPy computation; the objective's features and metrics."""

import numpy as np
import pytest

from textedit.objectives.objective import Objective
from textedit.objectives.seq2seq import seq2seq_cross_entropy, seq2seq_objective


def _numpy_sums(logits, targets, weights, label_smoothing=0.0, z_loss=0.0):
    vocab = logits.shape[-1]
    log_z = np.log(np.exp(logits).sum(-1))
    log_probs = logits - log_z[..., None]
    soft = np.full(logits.shape, label_smoothing / (vocab - 1) if label_smoothing else 0.0)
    np.put_along_axis(soft, targets[..., None], 1.0 - label_smoothing, axis=-1)
    entropy = -np.sum(np.where(soft > 0, soft * np.log(np.where(soft > 0, soft, 1)), 0), -1)
    cross_entropy = -np.sum(soft * log_probs, -1) - entropy
    z_term = z_loss * log_z**2
    correct = (logits.argmax(-1) == targets).astype(float)
    return {"loss": np.sum((cross_entropy + z_term) * weights),
            "cross_entropy": np.sum(cross_entropy * weights),
            "z_loss": np.sum(z_term * weights), "correct": np.sum(correct * weights),
            "weight": weights.sum()}


@pytest.mark.parametrize("label_smoothing, z_loss", [(0.0, 0.0), (0.1, 0.0), (0.0, 1e-4),
                                                     (0.2, 1e-3)])
def test_cross_entropy_matches_numpy(label_smoothing, z_loss):
    rng = np.random.RandomState(0)
    logits = rng.randn(3, 4, 7).astype(np.float32) * 3
    targets = rng.randint(0, 7, size=(3, 4))
    weights = np.array([[1, 1, 1, 0], [1, 1, 0, 0], [1, 1, 1, 1]], np.float32)
    got = seq2seq_cross_entropy(logits, targets, weights, label_smoothing, z_loss)._asdict()
    want = _numpy_sums(logits.astype(np.float64), targets, weights, label_smoothing, z_loss)
    for name in want:
        np.testing.assert_allclose(float(got[name]), want[name], rtol=1e-5, atol=1e-5,
                                   err_msg=name)


def test_label_smoothed_loss_is_zero_for_the_smoothed_distribution():
    """T5X subtracts the smoothed distribution's entropy: predicting it exactly costs 0."""
    vocab, smoothing = 5, 0.1
    probs = np.full((1, 1, vocab), smoothing / (vocab - 1))
    probs[0, 0, 2] = 1 - smoothing
    sums = seq2seq_cross_entropy(np.log(probs).astype(np.float32), np.array([[2]]),
                                 np.ones((1, 1)), label_smoothing=smoothing)
    assert abs(float(sums.cross_entropy)) < 1e-5


def test_padding_weights_do_not_count():
    logits = np.random.RandomState(1).randn(2, 3, 6).astype(np.float32)
    targets = np.array([[1, 2, 0], [3, 0, 0]])
    full = seq2seq_cross_entropy(logits, targets, np.array([[1, 1, 0], [1, 0, 0]]))
    cut = seq2seq_cross_entropy(logits[:, :1], targets[:, :1], np.ones((2, 1)))
    second = seq2seq_cross_entropy(logits[:1, 1:2], targets[:1, 1:2], np.ones((1, 1)))
    np.testing.assert_allclose(float(full.loss), float(cut.loss) + float(second.loss), rtol=1e-6)
    assert float(full.weight) == 3


def test_objective_reports_per_token_sums_and_names_its_features():
    objective = seq2seq_objective(z_loss=0.0)
    assert isinstance(objective, Objective)
    assert objective.features == ("encoder_input_tokens", "decoder_input_tokens",
                                  "decoder_target_tokens", "decoder_loss_weights")
    logits = np.zeros((2, 3, 4), np.float32)  # uniform: cross-entropy log(4) per token
    batch = {"decoder_target_tokens": np.ones((2, 3), np.int32),
             "decoder_loss_weights": np.array([[1, 1, 1], [1, 0, 0]])}
    out = objective.loss_fn(logits, batch)
    assert float(out.normalizer) == 4
    np.testing.assert_allclose(float(out.loss_sum), 4 * np.log(4), rtol=1e-6)
    assert set(out.metrics) == {"cross_entropy", "z_loss", "token_accuracy"}


def test_missing_features_are_named():
    with pytest.raises(ValueError, match="decoder_loss_weights"):
        seq2seq_objective().check_features(
            ["encoder_input_tokens", "decoder_input_tokens", "decoder_target_tokens"])
