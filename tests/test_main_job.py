"""`textedit main`'s flags: what reaches the train command, and bad values refused before any
step runs. (The whole job on the embedded data is the slow test in tests/data.)"""

import argparse
from pathlib import Path

import pytest

from textedit.cli import main_job
from textedit.data import data_dir


def _args(tmp_path, **flags):
    parser = argparse.ArgumentParser()
    main_job.add_arguments(parser)
    argv = ["--model_dir", str(tmp_path / "run"), "--data_dir", str(data_dir.DEFAULT_DATA_DIR)]
    for name, value in flags.items():
        argv += [f"--{name}", str(value)]
    return parser.parse_args(argv)


def _commands(tmp_path, monkeypatch, **flags) -> list[list[str]]:
    """The commands the job would run (none is run; the edit step's output is faked)."""
    commands = []

    def fake_step(command, stdin=None, env=None):
        commands.append(command)
        if "edit" in command:
            output = Path(command[command.index("--output") + 1])
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text("".join(f"{source}\n" for source in main_job.DEMOS))

    monkeypatch.setattr(main_job, "_step", fake_step)
    monkeypatch.setattr(data_dir, "_override", data_dir._override)  # restored after the test
    assert main_job.run(_args(tmp_path, **flags)) == 0
    return commands


def test_default_run_trains_the_experiment_files_steps_without_a_time_limit(tmp_path, monkeypatch):
    train = next(c for c in _commands(tmp_path, monkeypatch) if "train" in c)
    assert "--gin_file=gin/experiments/edit5_gec_main.gin" in train
    assert not [flag for flag in train if "TRAIN_STEPS" in flag or "MAX_TRAIN_SECONDS" in flag]


def test_steps_and_minutes_reach_the_train_command(tmp_path, monkeypatch):
    train = next(c for c in _commands(tmp_path, monkeypatch, steps=4000, minutes=2.5)
                 if "train" in c)
    assert "--gin.TRAIN_STEPS=4000" in train and "--gin.MAX_TRAIN_SECONDS=150" in train


@pytest.mark.parametrize("flag, value, message", [("steps", 0, "--steps 0: expected a positive"),
                                                  ("minutes", -1, "--minutes -1.0: expected")])
def test_bad_budgets_are_refused_before_any_step(tmp_path, monkeypatch, flag, value, message):
    monkeypatch.setattr(main_job, "_step", lambda *a, **k: pytest.fail("a step ran"))
    with pytest.raises(SystemExit, match=message):
        main_job.run(_args(tmp_path, **{flag: value}))
