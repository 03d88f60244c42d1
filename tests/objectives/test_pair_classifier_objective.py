"""The pair classifier objective (textedit/objectives/simplicity_classifier.py): sources are the
negative class, targets the positive one; loss and accuracy by hand."""

import numpy as np
from keras import ops

from textedit.objectives.simplicity_classifier import (
    binary_cross_entropy_sums,
    pair_classifier_objective,
)


def test_loss_and_accuracy_by_hand():
    negative = ops.convert_to_tensor([-2.0, 1.0])  # right, wrong
    positive = ops.convert_to_tensor([3.0, 0.0])  # right, wrong (0 is not > 0)
    loss, correct = binary_cross_entropy_sums(negative, positive)
    softplus = lambda x: np.log1p(np.exp(x))  # noqa: E731
    expected = softplus(-3.0) + softplus(0.0) + softplus(-2.0) + softplus(1.0)
    np.testing.assert_allclose(float(loss), expected, rtol=1e-6)
    assert float(correct) == 2.0


def test_objective_runs_the_classifier_on_sources_and_targets():
    objective = pair_classifier_objective()
    batch = {"encoder_input_tokens": np.array([[4, 5, 1]]), "decoder_target_tokens":
             np.array([[4, 1, 0]])}

    def length_model(tokens, training=False):  # "simple" = shorter than 2.5 tokens
        return 2.5 - ops.sum(ops.cast(ops.not_equal(tokens, 0), "float32"), axis=1)

    outputs = objective.forward(length_model, batch, training=False)
    out = objective.loss_fn(outputs, batch)
    np.testing.assert_allclose([float(o[0]) for o in outputs], [-0.5, 0.5])
    assert float(out.normalizer) == 2.0 and float(out.metrics["accuracy"]) == 2.0
    assert objective.features == ("encoder_input_tokens", "decoder_target_tokens")
