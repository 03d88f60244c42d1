"""MultiWorkerMirroredStrategy with two worker processes on this machine (TF_CONFIG on loopback
ports, each worker pinned to one core with taskset): the real trainer on the stand-in model.

- Two workers x 4 steps give the one-process run's losses and weights: losses at 1e-5 relative,
  weights at 1e-5 absolute (the same tolerance as the MirroredStrategy test: only the order of
  the float32 sums differs), and both workers end with the same weights.
- The checkpoints are written once, by the chief, into the run directory (the other worker's
  temporary copies are deleted), and a one-process run restores them: resuming the multi-worker
  run to step 6 in one process gives the weights of a one-process run of 6 steps.
- A worker killed (SIGKILL) after checkpoint 2 makes the other fail within a bound (5 s
  heartbeats; 90 s allowed) with WorkerLostError naming the step and the checkpoint to resume
  from, instead of waiting in its all-reduce forever.

Slow (each process starts TensorFlow: about a minute in all on 2 cores).
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from textedit.training.summaries import read_scalars

SCRIPT = Path(__file__).with_name("multiworker_check.py")
pytestmark = pytest.mark.slow


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _environment(tmp_dir):
    # TMPDIR: the non-chief worker's temporary checkpoints must be gone afterwards.
    return {**os.environ, "CUDA_VISIBLE_DEVICES": "", "TMPDIR": str(tmp_dir),
            "TF_NUM_INTEROP_THREADS": "1", "TF_NUM_INTRAOP_THREADS": "1"}


def _start_workers(model_dir, outputs, tmp_dir, extra=((), ())):
    """Two worker processes, worker i on core i (modulo the cores this process may use)."""
    cores = sorted(os.sched_getaffinity(0))
    ports = ",".join(str(p) for p in _free_ports(2))
    taskset = shutil.which("taskset")
    processes = []
    for index in range(2):
        pin = [taskset, "-c", str(cores[index % len(cores)])] if taskset else []
        processes.append(subprocess.Popen(
            pin + [sys.executable, str(SCRIPT), "worker", str(index), ports, str(model_dir),
                   str(outputs[index]), *extra[index]],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=_environment(tmp_dir)))
    return processes


def _weights(path):
    with np.load(f"{path}.npz") as data:
        return [data[key] for key in sorted(data.files, key=lambda k: int(k.split("_")[1]))]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("multiworker")
    worker_tmp = root / "worker_tmp"
    worker_tmp.mkdir()
    workers = _start_workers(root / "multi", [root / "w0", root / "w1"], worker_tmp)
    # Meanwhile the one-process reference: 4 steps, then resumed to 6 in the same directory.
    single = subprocess.run(
        [sys.executable, str(SCRIPT), "single", str(root / "single"), "4", str(root / "s4"),
         str(root / "single"), "6", str(root / "s6")],
        capture_output=True, text=True, timeout=600, env=_environment(root))
    assert single.returncode == 0, single.stderr[-3000:]
    logs = [process.communicate(timeout=600)[0] for process in workers]
    for process, log in zip(workers, logs, strict=True):
        assert process.returncode == 0, log[-3000:]
    resumed = subprocess.run(
        [sys.executable, str(SCRIPT), "single", str(root / "multi"), "6", str(root / "r6")],
        capture_output=True, text=True, timeout=600, env=_environment(root))
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    return root, logs, resumed.stdout + resumed.stderr


def test_two_workers_match_one_process(runs):
    root, logs, _ = runs
    assert '{"replicas": 2}' in logs[0] and '{"replicas": 2}' in logs[1]
    multi = read_scalars(root / "multi" / "train")
    single = read_scalars(root / "single" / "train")
    multi_losses = [value for step, value in multi["loss"] if step <= 4]
    single_losses = [value for step, value in single["loss"] if step <= 4]
    assert len(multi_losses) == 4
    assert multi_losses == pytest.approx(single_losses, rel=1e-5)
    assert [v for s, v in multi["grad_norm"] if s <= 4] == pytest.approx(
        [v for s, v in single["grad_norm"] if s <= 4], rel=1e-5)
    chief, other, reference = _weights(root / "w0"), _weights(root / "w1"), _weights(root / "s4")
    assert max(np.max(np.abs(a - b)) for a, b in zip(chief, other, strict=True)) == 0.0
    assert max(np.max(np.abs(a - b)) for a, b in zip(chief, reference, strict=True)) < 1e-5
    # Two more steps move the weights far beyond the tolerance, so the comparison can fail.
    step_gap = max(np.max(np.abs(a - b)) for a, b in zip(chief, _weights(root / "s6"),
                                                            strict=True))
    assert step_gap > 1e-4


def test_checkpoints_written_once_and_restored_in_one_process(runs):
    root, _, resumed_log = runs
    files = sorted(path.name for path in (root / "multi" / "checkpoints").iterdir())
    assert files == ["checkpoint", "ckpt-2.data-00000-of-00001", "ckpt-2.index",
                     "ckpt-4.data-00000-of-00001", "ckpt-4.index", "ckpt-6.data-00000-of-00001",
                     "ckpt-6.index"]  # ckpt-6 by the one-process resume
    assert list((root / "worker_tmp").iterdir()) == []  # worker 1's copies deleted
    assert "resumed from" in resumed_log and "at step 4" in resumed_log
    resumed, reference = _weights(root / "r6"), _weights(root / "s6")
    assert max(np.max(np.abs(a - b)) for a, b in zip(resumed, reference, strict=True)) < 1e-5


def test_killed_worker_fails_the_run_with_a_message(tmp_path):
    worker_tmp = tmp_path / "worker_tmp"
    worker_tmp.mkdir()
    start = time.monotonic()
    chief, victim = _start_workers(tmp_path / "run", [tmp_path / "w0", tmp_path / "w1"],
                                   worker_tmp, extra=((), ("--kill_after_step", "2")))
    victim.communicate(timeout=600)
    killed_at = time.monotonic()
    try:
        log = chief.communicate(timeout=90)[0]
    except subprocess.TimeoutExpired:
        chief.kill()
        pytest.fail(f"the chief still waits {90}s after its peer died")
    assert victim.returncode == -9
    assert chief.returncode != 0
    assert "WorkerLostError: multi-worker training stopped at step" in log, log[-3000:]
    assert "ckpt-2" in log.rsplit("WorkerLostError", 1)[1]
    assert time.monotonic() - killed_at < 90, time.monotonic() - start
