"""`textedit benchmark train` with its transformers row on a tiny T5 (slow: two spawned
processes): both sides train the same network, so with dropout off the first step's loss (the
initial weights, the same batch) is the same number, and the parameter counts are equal."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from reference_packages import require_reference

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_train_benchmark_runs_the_same_step_in_transformers():
    require_reference("torch")
    require_reference("transformers")
    result = subprocess.run(
        [sys.executable, "-m", "textedit", "benchmark", "train", "--size", "tiny",
         "--vocab_size", "128", "--batch_size", "3", "--input_length", "8",
         "--target_length", "6", "--warmup", "1", "--steps", "2", "--threads", "1",
         "--matmul_size", "128", "--dropout_rate", "0", "--json"],
        capture_output=True, text=True, check=True, timeout=600, cwd=ROOT)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    theirs = report["transformers"]
    assert report["threads"] == {"tf_intra_op": 1, "tf_inter_op": 1}
    assert theirs["threads"] == {"torch_intra_op": 1, "torch_inter_op": 1}
    assert theirs["parameters"] == report["parameters"] == 57_984
    # Same weights, batch and loss (cross-entropy + z-loss per target token): the same value,
    # near ln(128) = 4.85 for an untrained model over 128 ids.
    assert 4.0 < report["first_loss"] < 7.0
    assert theirs["first_loss"] == pytest.approx(report["first_loss"], rel=1e-5)
    assert len(theirs["step_seconds_all"]) == len(report["step_seconds_all"]) == 2
    assert min(theirs["step_seconds_all"] + report["step_seconds_all"]) > 0
    # Both MFUs count the same FLOPs against the same peak: their ratio is the step-time ratio.
    assert report["peer_ratio"] == pytest.approx(
        theirs["step_seconds_median"] / report["step_seconds_median"], rel=1e-9)
