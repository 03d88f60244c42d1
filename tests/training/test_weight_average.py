"""The weight average (EMA_DECAY): its update, the swap for evaluation, what checkpoints hold,
resume, and which weights a loaded run gets."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from stand_in import StandInSeq2Seq, copy_task_arrays, in_memory_dataset_fn

from textedit.objectives.seq2seq import seq2seq_objective
from textedit.runs.init_checkpoint import load_initial_weights
from textedit.runs.variable_keys import checkpoint_key, keyed_variables
from textedit.training.checkpoints import CheckpointMismatchError
from textedit.training.optimizers import make_optimizer
from textedit.training.schedules import WarmupDecay
from textedit.training.trainer import TrainConfig, train
from textedit.training.weight_average import WeightAverage


def _model():
    model = StandInSeq2Seq(dropout=0.1, width=8, name="m")
    model({"encoder_input_tokens": np.zeros([1, 6], np.int32),
           "decoder_input_tokens": np.zeros([1, 5], np.int32)})
    return model


def test_update_moves_each_average_by_one_minus_decay_and_the_swap_restores():
    model = _model()
    average = WeightAverage(model, decay=0.75)
    start = [v.numpy().copy() for v in model.trainable_variables]
    for variable in model.trainable_variables:
        variable.assign(variable + 1.0)
    average.update()
    keyed = keyed_variables(model.trainable_variables)
    for (key, variable), old in zip(keyed.items(), start, strict=True):
        np.testing.assert_allclose(average.averages[key].numpy(),
                                   0.75 * old + 0.25 * variable.numpy(), rtol=1e-6, atol=1e-6)
    trained = [v.numpy().copy() for v in model.trainable_variables]
    with average.swapped_in():
        for key, variable in keyed.items():
            np.testing.assert_array_equal(variable.numpy(), average.averages[key].numpy())
    for variable, value in zip(model.trainable_variables, trained, strict=True):
        np.testing.assert_array_equal(variable.numpy(), value)
    average.reset()
    for key, variable in keyed.items():
        np.testing.assert_array_equal(average.averages[key].numpy(), variable.numpy())


@pytest.mark.parametrize("decay", [0.0, 1.0, -0.5])
def test_decay_outside_the_open_interval_is_refused(decay):
    with pytest.raises(ValueError, match="in \\(0, 1\\)"):
        WeightAverage(_model(), decay)
    with pytest.raises(ValueError, match="ema_decay"):
        TrainConfig("unused", train_steps=1, batch_size=1, ema_decay=decay)


class _RecordingEvaluator:
    """Records the model's output-layer kernel at each evaluation."""

    def __init__(self):
        self.seen = {}

    def evaluate(self, model, step):
        self.seen[step] = model.out.kernel.numpy().copy()
        return {"probe": {"kernel_sum": float(self.seen[step].sum())}}


def _train(model_dir, steps, ema_decay=0.8, evaluators=()):
    keras.utils.set_random_seed(0)
    return train(
        TrainConfig(model_dir, train_steps=steps, batch_size=16, checkpoint_every=1,
                    keep_checkpoints=10, log_every=5, ema_decay=ema_decay),
        lambda: StandInSeq2Seq(dropout=0.1, width=8, name="m"),
        seq2seq_objective(),
        lambda: make_optimizer("adamw", WarmupDecay(1e-2, 2, "cosine", 40)),
        in_memory_dataset_fn(copy_task_arrays(40)), evaluators=evaluators,
        log=lambda line: None)


def _read(model_dir, step, attribute, key="out/kernel"):
    reader = tf.train.load_checkpoint(str(model_dir / "checkpoints" / f"ckpt-{step}"))
    return reader.get_tensor(checkpoint_key(attribute, key))


def test_trainer_keeps_the_average_evaluates_with_it_and_resumes_it(tmp_path):
    evaluator = _RecordingEvaluator()
    straight = _train(tmp_path / "straight", 4, evaluators=[evaluator])
    # The recursion across steps, as the checkpoints of steps 3 and 4 hold it.
    np.testing.assert_allclose(
        _read(tmp_path / "straight", 4, "average"),
        0.8 * _read(tmp_path / "straight", 3, "average")
        + 0.2 * _read(tmp_path / "straight", 4, "model"), rtol=1e-5, atol=1e-6)
    assert not np.allclose(_read(tmp_path / "straight", 4, "average"),
                           _read(tmp_path / "straight", 4, "model"))
    # Evaluation saw the average; training went on with the trained weights.
    np.testing.assert_array_equal(evaluator.seen[4], _read(tmp_path / "straight", 4, "average"))

    _train(tmp_path / "split", 2)
    resumed = _train(tmp_path / "split", 4)
    assert resumed.stats == straight.stats
    for attribute in ("model", "average"):
        np.testing.assert_array_equal(_read(tmp_path / "split", 4, attribute),
                                      _read(tmp_path / "straight", 4, attribute))

    # Loading the run: the average by default, the trained weights on request.
    model = _model()
    report = load_initial_weights(tmp_path / "straight", model)
    assert report.weights == "average" and not report.missing and not report.unused
    np.testing.assert_array_equal(model.out.kernel.numpy(), evaluator.seen[4])
    report = load_initial_weights(tmp_path / "straight", model, weights="trained")
    assert report.weights == "trained"
    np.testing.assert_array_equal(model.out.kernel.numpy(),
                                  _read(tmp_path / "straight", 4, "model"))


def test_turning_the_average_on_for_an_existing_run_is_refused(tmp_path):
    _train(tmp_path, 2, ema_decay=None)
    with pytest.raises(CheckpointMismatchError, match="average variables missing"):
        _train(tmp_path, 4)
    model = _model()
    assert load_initial_weights(tmp_path, model).weights == "trained"
