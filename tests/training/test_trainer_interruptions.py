"""The trainer's time budget stops where it says, and a run interrupted while a checkpoint is
being written resumes from the previous checkpoint to the weights of an uninterrupted run: in
this process (the interruption an exception raised inside TensorFlow's write path), with a real
SIGKILL (slow: a process per run), and under MirroredStrategy (the data position restored; the
whole interrupted run slow). The runs and interruption points: tests/training/interrupted_run.py.
"""

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest
from interrupted_run import (
    CHECKPOINT_EVERY,
    POINTS,
    Interrupted,
    checkpoint_tensors,
    interrupted_save,
    raise_interrupted,
    train_stand_in,
)

from textedit.training import trainer

SCRIPT = Path(__file__).with_name("interrupted_run.py")
STEPS, KILL_STEP = 9, 6


class FakeClock:
    """perf_counter that advances `tick` seconds per call: a train step (two calls) costs one
    tick of the budget whatever the machine's load."""

    def __init__(self, tick: float):
        self.tick, self.now = tick, 0.0

    def perf_counter(self) -> float:
        self.now += self.tick
        return self.now


def test_time_budget_stops_at_the_first_step_past_it(tmp_path, monkeypatch):
    monkeypatch.setattr(trainer, "time", types.SimpleNamespace(perf_counter=FakeClock(0.25)
                                                                .perf_counter))
    # The first step compiles and is not counted; steps 2..5 spend 4 x 0.25 s = the 1 s budget.
    result = train_stand_in(tmp_path, 1000, max_train_seconds=1.0)
    assert (result.start_step, result.step) == (0, 5)
    assert result.checkpoints == [3, 5]  # the last step is saved as a run's end
    # A rerun resumes and spends a new budget: 4 more counted steps (its first compiles).
    again = train_stand_in(tmp_path, 1000, max_train_seconds=1.0)
    assert (again.start_step, again.step) == (5, 10)


def test_time_budget_on_the_real_clock(tmp_path, monkeypatch):
    """The counted seconds after each step, as the trainer's clock saw them: the run ends at the
    first step where they reach the budget, long before train_steps."""
    seen = []

    class RecordingClock(trainer.TrainingClock):
        def spent(self) -> bool:
            seen.append(self.seconds)
            return super().spent()

    monkeypatch.setattr(trainer, "TrainingClock", RecordingClock)
    result = train_stand_in(tmp_path, 10**6, max_train_seconds=0.5)
    assert 2 <= result.step < 10**6 and len(seen) == result.step
    assert seen[-1] >= 0.5 > seen[-2]
    assert seen[0] == 0.0  # the compiling first step is not counted


@pytest.fixture(scope="module")
def straight_run(tmp_path_factory):
    directory = tmp_path_factory.mktemp("straight")
    result = train_stand_in(directory, STEPS)
    return result, checkpoint_tensors(directory / "checkpoints" / f"ckpt-{STEPS}")


# Mid-write in the default run; the other point (and both with a real SIGKILL) slow.
@pytest.mark.parametrize("point", ["merge", pytest.param("state", marks=pytest.mark.slow)])
def test_a_save_interrupted_in_process_resumes_to_the_straight_run(tmp_path, point,
                                                                   straight_run):
    straight, straight_tensors = straight_run
    with pytest.raises(Interrupted), interrupted_save(KILL_STEP, point, raise_interrupted):
        train_stand_in(tmp_path, STEPS)
    _check_resume(tmp_path, point, straight, straight_tensors)


def _check_resume(run_dir, point, straight, straight_tensors):
    """The interrupted save left ckpt-3 the latest; resuming gives the straight run's result."""
    checkpoints = run_dir / "checkpoints"
    previous = KILL_STEP - CHECKPOINT_EVERY
    assert (checkpoints / "checkpoint").read_text().startswith(
        f'model_checkpoint_path: "ckpt-{previous}"')
    if point == "merge":  # the shards of ckpt-6 were left in its temporary directory
        assert (checkpoints / f"ckpt-{KILL_STEP}_temp").is_dir()
        assert not (checkpoints / f"ckpt-{KILL_STEP}.index").exists()
    else:  # ckpt-6 is complete on disk but was never named the latest
        assert (checkpoints / f"ckpt-{KILL_STEP}.index").exists()

    resumed = train_stand_in(run_dir, STEPS)
    assert (resumed.start_step, resumed.step) == (previous, STEPS)
    assert resumed.stats == straight.stats
    tensors = checkpoint_tensors(checkpoints / f"ckpt-{STEPS}")
    assert sorted(tensors) == sorted(straight_tensors) and len(tensors) > 8
    assert [k for k in tensors if not (tensors[k] == straight_tensors[k]).all()] == []


@pytest.mark.slow
@pytest.mark.parametrize("point", POINTS)
def test_sigkill_while_saving_resumes_from_the_previous_checkpoint(tmp_path, point, straight_run):
    straight, straight_tensors = straight_run
    run_dir = tmp_path / "run"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "kill", str(run_dir), str(STEPS), str(KILL_STEP), point],
        capture_output=True, text=True, timeout=300, env={**os.environ, "CUDA_VISIBLE_DEVICES": ""})
    assert done.returncode == -9, done.stderr[-3000:]  # SIGKILL, at the save of ckpt-6
    _check_resume(run_dir, point, straight, straight_tensors)


def _mirrored(*args) -> dict:
    done = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=600,
                          env={**os.environ, "MIRRORED": "1", "CUDA_VISIBLE_DEVICES": ""})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_data_position_is_restored_under_mirrored_strategy():
    """The data stream under MirroredStrategy (2 replicas), restarted from each recorded position
    (mid-epoch and at an epoch's end), gives every replica the batches of the straight stream."""
    result = _mirrored("data_position", "-")
    assert result["replica_rows"] == [8, 8]  # the global batch of 16 split over 2 replicas
    assert [tuple(p) for p in result["positions"]] == [(0, 1), (0, 2), (1, 1), (1, 2), (2, 1)]
    assert result["distinct_batches"] == 5  # shuffled anew each epoch: no batch repeats
    assert result["mismatches"] == []


@pytest.mark.slow
def test_interrupted_training_resumes_under_mirrored_strategy(tmp_path):
    """Interrupted at the save of step 6 under MirroredStrategy, resumed from step 3 (mid-epoch):
    the same statistics and weights as the straight run (~25 s of CPU: three runs)."""
    result = _mirrored("resume_check", str(tmp_path))
    assert result["replicas"] == 2
    assert (result["start_step"], result["step"]) == (KILL_STEP - CHECKPOINT_EVERY, STEPS)
    assert result["stats_equal"] and result["same_names"] and result["tensors"] > 8
    assert result["different"] == []
