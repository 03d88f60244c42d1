"""Run checkpoints: model, optimiser, step and data position, written atomically, K kept.

    run = RunCheckpoints(model_dir / "checkpoints", model, optimizer, keep=3)
    step = run.restore_latest()          # 0 when the directory has no checkpoint yet
    ...
    run.save(step, data_epoch, data_offset)

Layout: `tf.train.CheckpointManager` files `ckpt-<step>.index` / `.data-*` plus the state file
`checkpoint` naming the latest. TensorFlow writes a checkpoint's shards to temporary files, merges
and renames them, and only then rewrites the state file with an atomic rename, so a process killed
while saving leaves the previous checkpoint as the latest (the half-written temporaries are
ignored and overwritten by the next save of that step).

What is stored (`tf.train.Checkpoint` attributes):
    model/<key>        every model variable, by `variable_keys.variable_key` (dropout RNG states
                       included, so a resumed run draws the same masks)
    optimizer/<i>      the optimiser's variables in `optimizer.variables` order (iterations,
                       moments); the optimiser must be built before restoring
    step               int64, the number of completed train steps
    data_epoch         int64, the epoch the data stream is in (textedit/training/train_data.py)
    data_offset        int64, global batches consumed in that epoch
    objective/<name>/<key>   the objective's own state (`Objective.state`: an EMA anchor's and
                       a frozen reference's weights, a sample counter), present only when the
                       objective keeps any
    average/<key>      the moving average of each trainable model variable, present only when
                       the run keeps one (EMA_DECAY; textedit/training/weight_average.py)
"""

from __future__ import annotations

import os

import tensorflow as tf

from textedit.runs.variable_keys import keyed_variables, keys_in_checkpoint


class CheckpointMismatchError(ValueError):
    """A checkpoint whose variables do not fit the model being trained."""


class RunCheckpoints:
    """The checkpoints of one run directory (module docstring)."""

    def __init__(self, directory: str | os.PathLike, model, optimizer, keep: int = 3,
                 objective_state=None, averages: dict | None = None):
        self.directory = str(directory)
        self.model_variables = keyed_variables(model.variables)
        self.optimizer_variables = {f"{i:05d}": v for i, v in enumerate(optimizer.variables)}
        extra = {}
        if objective_state:
            extra["objective"] = {name: keyed_variables(variables)
                                  for name, variables in objective_state.items()}
        self.average_variables = dict(averages or {})
        if self.average_variables:
            extra["average"] = self.average_variables
        self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        self.data_epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="data_epoch")
        self.data_offset = tf.Variable(0, dtype=tf.int64, trainable=False, name="data_offset")
        self.checkpoint = tf.train.Checkpoint(
            model=self.model_variables, optimizer=self.optimizer_variables, step=self.step,
            data_epoch=self.data_epoch, data_offset=self.data_offset, **extra)
        self.manager = tf.train.CheckpointManager(
            self.checkpoint, self.directory, max_to_keep=keep, checkpoint_name="ckpt")

    @property
    def latest(self) -> str | None:
        return self.manager.latest_checkpoint

    def all_steps(self) -> list[int]:
        """Steps of the checkpoints kept, oldest first."""
        return [int(path.rsplit("-", 1)[1]) for path in self.manager.checkpoints]

    def restore_latest(self) -> int:
        """Restores the latest checkpoint, if any; returns the step it was taken at (else 0)."""
        path = self.latest
        if path is None:
            return 0
        self._check_matches(path)
        self.checkpoint.restore(path).assert_consumed()
        return int(self.step.numpy())

    def save(self, step: int, data_epoch: int = 0, data_offset: int = 0) -> str:
        """Writes checkpoint `ckpt-<step>` and drops the oldest beyond `keep`; returns its path."""
        self.step.assign(step)
        self.data_epoch.assign(data_epoch)
        self.data_offset.assign(data_offset)
        return self.manager.save(checkpoint_number=step)

    def _check_matches(self, path: str) -> None:
        """Fails with the differing keys or shapes instead of TensorFlow's restore error."""
        stored = tf.train.load_checkpoint(path).get_variable_to_shape_map()
        problems = []
        for attribute, variables in (("model", self.model_variables),
                                     ("optimizer", self.optimizer_variables),
                                     ("average", self.average_variables)):
            saved = keys_in_checkpoint(stored, attribute)
            missing = sorted(set(variables) - set(saved))
            unused = sorted(set(saved) - set(variables))
            shapes = [f"{k}: checkpoint {saved[k]}, {attribute} {list(variables[k].shape)}"
                      for k in variables if k in saved and saved[k] != list(variables[k].shape)]
            if missing:
                problems.append(f"{attribute} variables missing from the checkpoint: "
                                f"{_preview(missing)}")
            if unused:
                problems.append(f"checkpoint {attribute} variables the run does not have: "
                                f"{_preview(unused)}")
            if shapes:
                problems.append(f"{attribute} shape mismatches: {_preview(shapes)}")
        if problems:
            raise CheckpointMismatchError(
                f"checkpoint {path} does not match this run's model/optimiser (was the model, "
                f"optimiser or EMA_DECAY configuration changed for an existing MODEL_DIR?):\n  "
                + "\n  ".join(problems))


def _preview(items: list[str], limit: int = 8) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f", ... ({len(items)} in all)" if len(items) > limit else "")
