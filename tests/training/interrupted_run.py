"""A stand-in training run that can be interrupted while a checkpoint is being written; used
in-process and as a script (a process that SIGKILLs itself).

    python interrupted_run.py kill RUN_DIR STEPS KILL_STEP POINT   # SIGKILLs itself there
    python interrupted_run.py resume_check DIRECTORY   # prints `resume_check`'s JSON line
    python interrupted_run.py data_position -          # prints `data_position_check`'s

Points of the save of `ckpt-<KILL_STEP>` (TensorFlow's write path, textedit/training/
checkpoints.py):
    merge   the shards are written to the temporary `ckpt-<step>_temp/` directory, not yet merged
            into the `ckpt-<step>.index` / `.data-*` files
    state   the checkpoint files are complete, the `checkpoint` state file does not name them yet
With `MIRRORED=1` in the environment the runs train under MirroredStrategy over 2 logical CPUs
(which must be set up before TensorFlow starts: hence a script).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from pathlib import Path
from unittest import mock

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

POINTS = ("merge", "state")
CHECKPOINT_EVERY = 3


def train_stand_in(model_dir, steps: int, strategy=None, **config):
    """The stand-in copy task (40 examples, batches of 16: 2 per epoch, so resumes land mid-epoch),
    dropout on, a checkpoint every 3 steps, all kept; returns the TrainResult."""
    import keras
    from stand_in import StandInSeq2Seq, copy_task_arrays, in_memory_dataset_fn

    from textedit.objectives.seq2seq import seq2seq_objective
    from textedit.training.optimizers import make_optimizer
    from textedit.training.trainer import TrainConfig, train

    keras.utils.set_random_seed(0)
    settings = dict(checkpoint_every=CHECKPOINT_EVERY, log_every=1, keep_checkpoints=10)
    settings.update(config)
    return train(TrainConfig(model_dir, train_steps=steps, batch_size=16, **settings),
                 lambda: StandInSeq2Seq(dropout=0.2, name="m"), seq2seq_objective(),
                 lambda: make_optimizer("adamw", 1e-2, weight_decay=0.01),
                 in_memory_dataset_fn(copy_task_arrays(40)), strategy=strategy,
                 log=lambda line: None)


@contextlib.contextmanager
def interrupted_save(step: int, point: str, interrupt):
    """Calls `interrupt()` at `point` (module docstring) of the save of ckpt-<step>."""
    from tensorflow.python.checkpoint import checkpoint_management, functional_saver

    name = f"ckpt-{step}"
    if point == "merge":
        target = functional_saver.gen_io_ops
        original = target.merge_v2_checkpoints

        def merge(checkpoint_prefixes, destination_prefix, *args, **kwargs):
            if Path(destination_prefix.numpy().decode()).name == name:
                interrupt()
            return original(checkpoint_prefixes, destination_prefix, *args, **kwargs)

        with mock.patch.object(target, "merge_v2_checkpoints", merge):
            yield
    elif point == "state":
        original = checkpoint_management.update_checkpoint_state_internal

        def update(save_dir, model_checkpoint_path, *args, **kwargs):
            if Path(model_checkpoint_path).name == name:
                interrupt()
            return original(save_dir, model_checkpoint_path, *args, **kwargs)

        with mock.patch.object(checkpoint_management, "update_checkpoint_state_internal", update):
            yield
    else:
        raise ValueError(f"point={point!r}: expected one of {POINTS}")


def checkpoint_tensors(path) -> dict:
    """{name: numpy array} of every tensor in a checkpoint (model, optimiser, step, data)."""
    import tensorflow as tf

    reader = tf.train.load_checkpoint(str(path))
    return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()
            if "_CHECKPOINTABLE_OBJECT_GRAPH" not in name}


class Interrupted(Exception):
    """Raised in place of a SIGKILL by the in-process checks."""


def raise_interrupted():
    raise Interrupted()


def resume_check(directory, steps: int = 9, kill_step: int = 6, point: str = "state",
                 strategy=None) -> dict:
    """A straight run of `steps` and a run interrupted at `point` of the save of ckpt-<kill_step>
    then resumed, in `directory`; what the check needs, as plain values."""
    directory = Path(directory)
    straight = train_stand_in(directory / "straight", steps, strategy)
    try:
        with interrupted_save(kill_step, point, raise_interrupted):
            train_stand_in(directory / "split", steps, strategy)
    except Interrupted:
        pass
    state = (directory / "split" / "checkpoints" / "checkpoint").read_text()
    resumed = train_stand_in(directory / "split", steps, strategy)
    a = checkpoint_tensors(directory / "straight" / "checkpoints" / f"ckpt-{steps}")
    b = checkpoint_tensors(directory / "split" / "checkpoints" / f"ckpt-{steps}")
    return {"latest_after_interruption": state.split("\n")[0],
            "start_step": resumed.start_step, "step": resumed.step,
            "stats_equal": resumed.stats == straight.stats,
            "tensors": len(a), "same_names": sorted(a) == sorted(b),
            "different": sorted(k for k in a if k in b and not (a[k] == b[k]).all())}


def data_position_check(strategy, batches: int = 5) -> dict:
    """The stand-in data stream (2 global batches per epoch) read straight, and restarted from the
    position recorded after each batch (what a checkpoint stores): the batches that follow,
    replica by replica, must be the same."""
    import numpy as np
    from stand_in import copy_task_arrays, in_memory_dataset_fn

    from textedit.training.train_data import EpochBatches

    def stream():
        return EpochBatches(in_memory_dataset_fn(copy_task_arrays(40)), strategy, 16, seed=0)

    def replicas(batch):  # [replica] arrays of one feature
        return [np.asarray(x) for x in strategy.experimental_local_results(
            batch["encoder_input_tokens"])]

    straight, positions, reader = [], [], stream()
    for _ in range(batches):
        straight.append(replicas(next(reader)))
        positions.append(reader.position)
    mismatches = []
    for restart in range(1, batches):
        resumed = stream()
        resumed.start(*positions[restart - 1])
        for index in range(restart, batches):
            if not all((a == b).all() for a, b in zip(replicas(next(resumed)), straight[index],
                                                       strict=True)):
                mismatches.append([restart, index])
    return {"positions": positions, "mismatches": mismatches,
            "replica_rows": [len(x) for x in straight[0]],
            "distinct_batches": len({tuple(np.concatenate(b).ravel()) for b in straight})}


if __name__ == "__main__":
    import json

    strategy = None
    if os.environ.get("MIRRORED") == "1":
        from textedit.training.distribution import split_logical_cpus

        devices = split_logical_cpus(2)
    import tensorflow as tf

    if os.environ.get("MIRRORED") == "1":
        strategy = tf.distribute.MirroredStrategy(devices)
    command, run_dir = sys.argv[1], sys.argv[2]
    if command == "kill":  # kill RUN_DIR STEPS KILL_STEP POINT
        steps, kill_step, point = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
        with interrupted_save(kill_step, point, lambda: os.kill(os.getpid(), signal.SIGKILL)):
            train_stand_in(run_dir, steps, strategy)
        sys.exit("not killed: the save of the kill step never happened")
    elif command == "resume_check":  # resume_check DIRECTORY
        result = resume_check(run_dir, strategy=strategy)
        result["replicas"] = strategy.num_replicas_in_sync if strategy else 1
        print(json.dumps(result))
    elif command == "data_position":  # data_position -
        result = data_position_check(strategy or tf.distribute.get_strategy())
        print(json.dumps(result))
    else:
        sys.exit(f"unknown command {command!r}: expected kill, resume_check or data_position")
