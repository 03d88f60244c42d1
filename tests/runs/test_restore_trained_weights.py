"""`restore_trained_weights`: a trained checkpoint goes into the model it was trained as, and
nothing else: missing weights and weights the model lacks (trained with other options) are
errors naming them."""

import keras
import numpy as np
import pytest

from textedit.models import Edit5Config, Edit5Model, T5Config
from textedit.runs.run_artifacts import restore_trained_weights
from textedit.training.checkpoints import RunCheckpoints
from textedit.training.optimizers import make_optimizer


def tiny_edit5(position_inputs: bool, seed: int) -> Edit5Model:
    keras.utils.set_random_seed(seed)
    t5 = T5Config.named("tiny", vocab_size=64, num_decoder_layers=1, dropout_rate=0.0)
    return Edit5Model(Edit5Config(t5=t5, max_input_length=16, num_position_tokens=17,
                                  position_inputs=position_inputs))


def saved_run(tmp_path, position_inputs: bool):
    model = tiny_edit5(position_inputs, seed=1)
    optimizer = make_optimizer("adamw", 1e-3)
    optimizer.build(model.trainable_variables)
    RunCheckpoints(tmp_path / "checkpoints", model, optimizer).save(11)
    return model


def test_the_same_model_gets_every_weight(tmp_path):
    trained = saved_run(tmp_path, position_inputs=True)
    fresh = tiny_edit5(True, seed=2)
    _, step = restore_trained_weights(tmp_path, fresh)
    assert step == 11
    np.testing.assert_array_equal(fresh.position_input.kernel.numpy(),
                                  trained.position_input.kernel.numpy())


def test_a_model_without_an_option_of_the_run_is_refused(tmp_path):
    saved_run(tmp_path, position_inputs=True)
    with pytest.raises(ValueError, match="unused: .*position_input"):
        restore_trained_weights(tmp_path, tiny_edit5(False, seed=2), "the plain model")


def test_a_model_with_an_option_the_run_lacks_is_refused(tmp_path):
    saved_run(tmp_path, position_inputs=False)
    with pytest.raises(ValueError, match="missing .*position_input"):
        restore_trained_weights(tmp_path, tiny_edit5(True, seed=2))
