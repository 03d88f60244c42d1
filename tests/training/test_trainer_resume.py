"""The trainer on a stand-in model: an interrupted run resumes to exactly the uninterrupted one;
optimisers, mixed precision and checkpoint-mismatch messages."""

import keras
import numpy as np
import pytest
from stand_in import StandInSeq2Seq, copy_task_arrays, in_memory_dataset_fn

from textedit.objectives.seq2seq import seq2seq_objective
from textedit.training.checkpoints import CheckpointMismatchError
from textedit.training.optimizers import make_optimizer
from textedit.training.schedules import WarmupDecay
from textedit.training.summaries import read_scalars
from textedit.training.trainer import TrainConfig, train


def _train(model_dir, steps, optimizer="adamw", precision="float32", dropout=0.2, width=16,
           **config):
    keras.utils.set_random_seed(0)
    settings = dict(checkpoint_every=7, log_every=5, keep_checkpoints=2)
    settings.update(config)
    return train(
        TrainConfig(model_dir, train_steps=steps, batch_size=16, precision=precision, **settings),
        lambda: StandInSeq2Seq(dropout=dropout, width=width, name="m"),
        seq2seq_objective(label_smoothing=0.1),
        lambda: make_optimizer(optimizer, WarmupDecay(1e-2, 5, "cosine", 40), weight_decay=0.01),
        in_memory_dataset_fn(copy_task_arrays(40)),  # 2 batches per epoch: resumes mid-epoch
        log=lambda line: None)


def test_interrupted_run_resumes_to_the_same_result(tmp_path):
    """Stopping at step 17 (checkpoints 7, 14, 17) and restarting gives bit-identical statistics
    at step 30: model, optimiser, dropout RNG and data position are all restored."""
    straight = _train(tmp_path / "straight", 30)
    first = _train(tmp_path / "split", 17)
    resumed = _train(tmp_path / "split", 30)
    assert (first.step, resumed.start_step, resumed.step) == (17, 17, 30)
    assert resumed.stats == straight.stats
    assert resumed.checkpoints == [28, 30]  # keep_checkpoints=2
    losses = dict(read_scalars(tmp_path / "straight" / "train")["loss"])
    assert losses[30] < losses[1]
    again = _train(tmp_path / "split", 30)  # already complete: no step taken
    assert (again.start_step, again.step) == (30, 30)


@pytest.mark.parametrize("optimizer, precision", [("adafactor", "float32"),
                                                  ("adamw", "mixed_bfloat16")])
def test_optimizers_and_precisions_train(tmp_path, optimizer, precision):
    result = _train(tmp_path, 12, optimizer=optimizer, precision=precision, dropout=0.0)
    losses = dict(read_scalars(tmp_path / "train")["loss"])
    assert result.step == 12 and np.isfinite(result.stats["loss"])
    assert losses[12] < losses[1]


def test_changed_model_in_an_existing_run_directory_is_refused(tmp_path):
    _train(tmp_path, 7)
    with pytest.raises(CheckpointMismatchError, match="shape mismatches"):
        _train(tmp_path, 14, width=8)


def test_an_objective_that_trains_part_of_the_model_leaves_the_rest_and_resumes(tmp_path):
    """Objective.trained_variables_fn: the optimiser steps over the named part only, the rest
    keeps its values in every checkpoint, and a resumed run matches a straight one."""
    import dataclasses

    import tensorflow as tf

    part = dataclasses.replace(seq2seq_objective(label_smoothing=0.1),
                               trained_variables_fn=lambda model: model.out.trainable_variables)

    def run(model_dir, steps):
        keras.utils.set_random_seed(0)
        lines = []
        result = train(TrainConfig(model_dir, train_steps=steps, batch_size=16,
                                   checkpoint_every=7, log_every=5, keep_checkpoints=5),
                       lambda: StandInSeq2Seq(dropout=0.0, name="m"), part,
                       lambda: make_optimizer("adamw", WarmupDecay(1e-2, 5, "cosine", 40)),
                       in_memory_dataset_fn(copy_task_arrays(40)), log=lines.append)
        return result, lines

    straight, lines = run(tmp_path / "straight", 14)
    assert any("of them trained by the objective, the rest frozen" in line for line in lines)
    run(tmp_path / "split", 7)
    resumed, _ = run(tmp_path / "split", 14)
    assert resumed.stats == straight.stats

    def values(step):
        reader = tf.train.load_checkpoint(str(tmp_path / "straight" / "checkpoints" /
                                              f"ckpt-{step}"))
        return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()
                if name.startswith("model/") and ".OPTIMIZER_SLOT" not in name}

    first, last = values(7), values(14)
    moved = {name for name in first if not np.array_equal(first[name], last[name])}
    assert moved and all("out" in name for name in moved), moved
    assert any("embedding" in name for name in first) and any("hidden" in name for name in first)


def test_init_seed_fixes_the_initial_weights(tmp_path):
    """TrainConfig.init_seed: two fresh runs with the same seed start (and so end) alike
    whatever the global random state was; another seed starts elsewhere."""

    def initial_weights(name, seed):
        keras.utils.set_random_seed(len(name))  # a different global state before each run
        models = []

        def model_fn():
            models.append(StandInSeq2Seq(dropout=0.0, name="m"))
            return models[-1]

        train(TrainConfig(tmp_path / name, train_steps=1, batch_size=16, init_seed=seed),
              model_fn, seq2seq_objective(),
              lambda: make_optimizer("adamw", WarmupDecay(0.0, 1, "constant", 1)),
              in_memory_dataset_fn(copy_task_arrays(32)), log=lambda line: None)
        return [np.asarray(w) for w in models[0].weights]

    first, again, other = (initial_weights("a", 3), initial_weights("bb", 3),
                           initial_weights("ccc", 4))
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, c) for a, c in zip(first, other, strict=True))
