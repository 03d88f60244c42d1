"""One EdiT5 train step in mixed_bfloat16 (bfloat16 compute, float32 variables) against the same
step in float32 from the same weights: the loss parts, the gradient norm and the update agree to
bfloat16's precision (8 bits of mantissa, ~0.4% per operation), with the tagger, the pointer
(its projections in bfloat16, scores and Sinkhorn in float32) and the insertion decoder all in
the step."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from edit5_cases import POSITIONS, VOCAB, features

from textedit.models import T5Config
from textedit.models.edit5.edit5_config import Edit5Config
from textedit.models.edit5.edit5_model import Edit5Model
from textedit.objectives.edit5_loss import edit5_objective
from textedit.training.train_step import TrainStep
from textedit.training.trainer import dtype_policy

# About 30 s of set-up (two compiled mixed-precision steps): the slow tier.
pytestmark = pytest.mark.slow

PARTS = ("tag_loss", "pointer_loss", "insertion_loss")


def _model(precision: str, weights=None) -> Edit5Model:
    config = Edit5Config(
        t5=T5Config.named("tiny", vocab_size=VOCAB, num_decoder_layers=1, dropout_rate=0.0),
        max_input_length=8, num_position_tokens=POSITIONS)
    with dtype_policy(precision):
        model = Edit5Model(config, name="edit5")
        model(features())
    if weights is not None:
        model.set_weights(weights)
    return model


def _one_step(model):
    """(statistics of one SGD step on the case batch, the update of every variable)."""
    before = [v.numpy().copy() for v in model.trainable_variables]
    optimizer = keras.optimizers.SGD(learning_rate=0.5)
    step = TrainStep(model, edit5_objective(), optimizer, tf.distribute.get_strategy(),
                     clip_grad_norm=None)
    batch = {name: tf.constant(value) for name, value in features().items()}
    stats = {name: float(value) for name, value in step(batch).items()}
    updates = [v.numpy() - b for v, b in zip(model.trainable_variables, before, strict=True)]
    return stats, np.concatenate([u.ravel() for u in updates])


@pytest.fixture(scope="module")
def steps():
    keras.utils.set_random_seed(5)
    reference = _model("float32")
    weights = reference.get_weights()
    mixed = _model("mixed_bfloat16", weights)
    outputs = mixed(features(), training=True)
    return _one_step(reference), _one_step(mixed), (mixed, outputs)


def test_the_mixed_model_computes_in_bfloat16_with_float32_variables_and_outputs(steps):
    _, _, (model, outputs) = steps
    assert {v.dtype for v in model.trainable_variables} == {"float32"}
    assert model.pointer.query.compute_dtype == "bfloat16"
    hidden, _ = model.encode(features()["encoder_input_tokens"])
    assert keras.backend.standardize_dtype(hidden.dtype) == "bfloat16"
    for value in outputs.values():
        assert keras.backend.standardize_dtype(value.dtype) == "float32"
    # Sinkhorn in float32: every pointer row is still an exact distribution.
    rows = np.exp(outputs["pointer_logits"].numpy()).sum(axis=-1)
    np.testing.assert_allclose(rows, 1.0, atol=1e-5)


def test_one_step_is_close_to_float32(steps):
    (reference, reference_update), (mixed, mixed_update), _ = steps
    for name in ("loss", *PARTS):
        assert mixed[name] == pytest.approx(reference[name], rel=2e-2), name
    assert mixed["grad_norm"] == pytest.approx(reference["grad_norm"], rel=5e-2)
    # The update (0.5 x the gradient, every variable) points the same way, nearly as long.
    cosine = mixed_update @ reference_update / (
        np.linalg.norm(mixed_update) * np.linalg.norm(reference_update))
    assert cosine > 0.99
    relative = np.linalg.norm(mixed_update - reference_update) / np.linalg.norm(reference_update)
    assert relative < 0.1
    # bfloat16 did run: the numbers are close, not equal.
    assert mixed["loss"] != reference["loss"] and relative > 0
