"""Every tool takes a run as its directory, its checkpoints/ directory or a ckpt-N prefix:
`run_dir_of` finds the run directory of each, and `load_run` loads the same run from each."""

import os

import numpy as np
from run_dirs import built_tiny_t5, save_run

from textedit.runs.run_artifacts import load_run, run_dir_of


def test_run_dir_of_each_form(tmp_path):
    run = tmp_path / "runs" / "gec"
    assert run_dir_of(run) == run
    assert run_dir_of(run / "checkpoints") == run
    assert run_dir_of(str(run / "checkpoints" / "ckpt-3000")) == run


def test_load_run_from_each_form(tiny_vocab, tmp_path):
    model = built_tiny_t5(seed=3)
    run = tmp_path / "gec"
    save_run(run, model, os.environ["TEXTEDIT_VOCAB_DIR"], step=7)
    expected = model.trainable_variables[0].numpy()
    for path in (run, run / "checkpoints", run / "checkpoints" / "ckpt-7"):
        loaded = load_run(path)
        assert (loaded.run_dir, loaded.step) == (run, 7), path
        np.testing.assert_array_equal(loaded.model.trainable_variables[0].numpy(), expected)
