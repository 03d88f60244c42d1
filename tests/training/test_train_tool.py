"""`textedit train`: required macros, every experiment file, and a tiny T5 run that is killed,
restarted with the same command, and finishes with checkpoints, eval metrics and summaries."""

import ast
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import gin
import pytest

from textedit.training.summaries import read_scalars

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENTS = sorted((ROOT / "gin" / "experiments").glob("*.gin"))
# Experiments that train from their own data alone; the others need another run's output first (a
# teacher, a policy, candidate or rationale files: a REQUIRED macro) and are trained by their own
# tests (e.g. tests/training/test_edit5_distill_train.py); the parse test below covers them all.
SELF_CONTAINED = [p for p in EXPERIMENTS
                  if not re.search(r"^\w+ = %gin.REQUIRED", p.read_text(), flags=re.M)]
TINY_VOCAB_ROWS = 2176  # the test vocabulary's 2,100 ids rounded up to a multiple of 128


@pytest.fixture
def train_tool():
    from textedit.cli import main

    yield lambda argv: main.main(["train", *argv])
    gin.clear_config()


def test_unset_required_macros_are_named(train_tool, tiny_vocab, capsys):
    with pytest.raises(SystemExit) as exit_info:
        train_tool(["--gin_file=gin/runs/train.gin", "--gin.MODEL_DIR='unused'"])
    message = str(exit_info.value)
    for name in ("MIXTURE_OR_TASK_NAME", "TASK_FEATURE_LENGTHS", "TRAIN_STEPS"):
        assert name in message
    assert "MODEL_DIR" not in message.split("not set:")[1].split(".")[0]


@pytest.mark.parametrize("experiment", EXPERIMENTS, ids=lambda p: p.stem)
def test_every_experiment_file_parses_and_names_known_tasks(train_tool, tiny_vocab, experiment,
                                                            tmp_path, capsys):
    required = re.findall(r"^(\w+) = %gin.REQUIRED", experiment.read_text(), flags=re.M)
    if required:  # inputs of their own (a teacher run, a candidate file): named when missing
        with pytest.raises(SystemExit, match="not set") as exit_info:
            train_tool([f"--gin_file={experiment}", f"--gin.MODEL_DIR='{tmp_path}'",
                        "--check_config"])
        for name in required:
            assert name in str(exit_info.value)
        return
    assert train_tool([f"--gin_file={experiment}", f"--gin.MODEL_DIR='{tmp_path}'",
                       "--check_config"]) == 0
    out = capsys.readouterr().out
    # The model file's size binding (MuCoCO's classifier has only a width macro).
    assert re.search(r"(t5_config|gemma2_config)\.size = '\w+'|CLASSIFIER_D_MODEL = \d+",
                     out), out[-2000:]
    assert re.search(r"training on \w+ \(train\)", out)
    if experiment.stem.endswith("_slim"):
        assert "t5_config.num_decoder_layers = 1" in out


def _tiny_experiment(directory: Path, train_file: str, validation_file: str, steps: int
                     ) -> tuple[Path, Path]:
    """(experiment file, its task + model part, which `textedit infer` reuses)."""
    model_and_task = directory / "tiny_model_and_task.gin"
    model_and_task.write_text(f"""
include 'gin/models/t5_tiny.gin'
VOCAB_SIZE = {TINY_VOCAB_ROWS}
DROPOUT_RATE = 0.0
user_parallel_tasks.tasks = [
    {{"name": "tool_copy", "train": "{train_file}", "validation": "{validation_file}"}}]
MIXTURE_OR_TASK_NAME = "tool_copy"
TASK_FEATURE_LENGTHS = {{"inputs": 16, "targets": 16}}
""")
    experiment = directory / "tiny.gin"
    experiment.write_text(f"""
include 'gin/runs/train.gin'
include '{model_and_task}'
TRAIN_STEPS = {steps}
BATCH_SIZE = 8
LEARNING_RATE = 0.01
WARMUP_STEPS = 10
LOG_EVERY = 20
CHECKPOINT_EVERY = 20
EVAL_EVERY = 0
MAX_EVAL_EXAMPLES = 8
EVAL_BATCH_SIZE = 8
""")
    return experiment, model_and_task


# ~60 s; tests/training/test_trainer_interruptions.py covers resume in the fast run.
@pytest.mark.slow
def test_killed_run_resumes_with_the_same_command(tiny_vocab, copy_task_files, tmp_path):
    """SIGKILL after the step-40 checkpoint, restart: resumes from a checkpoint >= 40, ends at
    step 200 with loss still falling, eval metrics, summaries and the effective config."""
    experiment, _ = _tiny_experiment(tmp_path, *copy_task_files, steps=200)
    model_dir = tmp_path / "run"
    command = [sys.executable, "-m", "textedit", "train", f"--gin_file={experiment}",
               f"--gin.MODEL_DIR='{model_dir}'"]
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             env=env, cwd=tmp_path)
    output = []
    for line in first.stdout:
        output.append(line)
        if "ckpt-40" in line:
            first.send_signal(signal.SIGKILL)
            break
    first.wait(timeout=60)
    assert first.returncode == -signal.SIGKILL, "".join(output)[-3000:]

    second = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path,
                            timeout=300)
    log = second.stdout + second.stderr
    assert second.returncode == 0, log[-3000:]
    resumed = int(re.search(r"resumed from \S+ at step (\d+)", log).group(1))
    assert 40 <= resumed < 200
    assert "done: 200 steps" in log
    assert re.search(r"eval step 200 tool_copy .*exact_match", log)

    assert {p.name for p in (model_dir / "checkpoints").glob("ckpt-*.index")} >= {"ckpt-200.index"}
    losses = dict(read_scalars(model_dir / "train")["loss"])
    after_restart = min(step for step in losses if step > resumed)
    assert losses[after_restart] < 0.7 * losses[1]  # continued, not restarted from scratch
    last_three = [losses[step] for step in (160, 180, 200)]
    assert sum(last_three) / 3 < losses[after_restart]  # and still falling
    assert {"learning_rate", "grad_norm", "token_accuracy", "examples_per_second"} <= set(
        read_scalars(model_dir / "train"))
    assert read_scalars(model_dir / "eval" / "tool_copy")["eval/exact_match"][-1][0] == 200
    metrics = [json.loads(line) for line in
               (model_dir / "eval" / "tool_copy-metrics.jsonl").read_text().splitlines()]
    assert metrics[-1]["step"] == 200
    config = (model_dir / "config.gin").read_text()
    assert f"MODEL_DIR = '{model_dir}'" in config and "TRAIN_STEPS = 200" in config
    assert (model_dir / "operative_config.gin").exists()


@pytest.mark.slow
def test_infer_and_eval_run_files_use_a_trained_run(train_tool, tiny_vocab, copy_task_files,
                                                     tmp_path):
    """`textedit infer` / `textedit eval`: infer.gin writes one prediction per example in task
    order, eval.gin scores them with the task's metrics, both with the trained weights and step."""
    experiment, model_and_task = _tiny_experiment(tmp_path, *copy_task_files, steps=20)
    model_dir = tmp_path / "run"
    assert train_tool([f"--gin_file={experiment}", f"--gin.MODEL_DIR='{model_dir}'",
                            "--gin.EVAL_MIXTURE_OR_TASK_NAMES=[]"]) == 0
    from textedit.cli.main import main as cli

    for run in ("infer", "eval"):
        gin.clear_config()
        assert cli([run, f"--gin_file={model_and_task}",
                           f"--gin.CHECKPOINT_PATH='{model_dir}'",
                           f"--gin.OUTPUT_DIR='{tmp_path / run}'", "--gin.MAX_EXAMPLES=5",
                           "--gin.INFER_BATCH_SIZE=8"]) == 0
    predictions = (tmp_path / "infer" / "tool_copy-validation-20.txt").read_text().splitlines()
    assert len(predictions) == 5
    assert read_scalars(tmp_path / "eval" / "tool_copy")["eval/exact_match"][0][0] == 20


@pytest.mark.slow
@pytest.mark.parametrize("experiment", SELF_CONTAINED, ids=lambda p: p.stem)
def test_every_experiment_trains_with_a_tiny_model(train_tool, tiny_vocab, experiment, tmp_path):
    """Each experiment's real data through 2 steps of a tiny model of its kind (T5 or EdiT5) and
    a 4-example evaluation of each of its evaluation tasks (with their metrics)."""
    if experiment.stem.startswith("edit5"):
        model = ["--gin_file=gin/models/edit5_tiny.gin", "--gin.NUM_POSITION_TOKENS=65",
                 "--gin.TASK_FEATURE_LENGTHS={'inputs': 32, 'decoder_targets': 32}",
                 "--gin.EVAL_TASK_FEATURE_LENGTHS={'inputs': 32, 'targets': 32}"]
        if re.search(r"^LENGTH_BUCKETS = \[\{", experiment.read_text(), re.M):
            # Its buckets are cut for the real lengths (64 / 32); one within the tiny lengths
            # keeps the bucketed path in the run.
            model.append("--gin.LENGTH_BUCKETS=[{'inputs': 16, 'decoder_targets': 8}]")
        # The model file re-binds the position options to its defaults; the experiment's back.
        model += [f"--gin.{name}={value}" for name, value in re.findall(
            r"^(POSITION_(?:INPUTS|LOGITS|SUCCESSORS)) = (\w+)", experiment.read_text(), re.M)]
    else:
        # The experiment's own feature names (a reward model reads "chosen" / "rejected").
        lengths = re.search(r"^TASK_FEATURE_LENGTHS = (\{.*\})", experiment.read_text(), re.M)
        names = ast.literal_eval(lengths.group(1)) if lengths else ("inputs", "targets")
        model = ["--gin_file=gin/models/t5_tiny.gin",
                 f"--gin.TASK_FEATURE_LENGTHS={ {name: 32 for name in names} }"]
    # The model file comes last and binds its kind's training converter; an experiment whose
    # data needs its own (an image tower's) gets it back.
    converter = re.search(r"^TrainDataConfig.feature_converter = (\S+)", experiment.read_text(),
                          re.M)
    if converter:
        model.append(f"--gin.TrainDataConfig.feature_converter={converter.group(1)}")
    assert train_tool([
        f"--gin_file={experiment}", *model,
        f"--gin.MODEL_DIR='{tmp_path}'", f"--gin.VOCAB_SIZE={TINY_VOCAB_ROWS}",
        "--gin.TRAIN_STEPS=2", "--gin.BATCH_SIZE=4", "--gin.WARMUP_STEPS=1",
        "--gin.MAX_EVAL_EXAMPLES=4", "--gin.EVAL_BATCH_SIZE=4"]) == 0
    assert (tmp_path / "checkpoints" / "ckpt-2.index").exists()
    if re.search(r"^POSITION_SUCCESSORS = True", experiment.read_text(), re.M):
        saved = json.loads((tmp_path / "model.json").read_text())
        assert saved["config"]["config"]["position_successors"] is True
    if not re.search(r"^EVAL_MIXTURE_OR_TASK_NAMES = \[\]", experiment.read_text(), re.M):
        assert list((tmp_path / "eval").glob("*-metrics.jsonl"))


@pytest.mark.slow  # 40-100 s; the main job runs the same path (train, evaluate, edit) end to end
def test_edit5_run_trains_evaluates_and_edits(train_tool, tiny_vocab, tmp_path):
    """A tiny EdiT5 through `textedit train` on edit5_gec_wi_fce: loss parts logged, evaluated by
    editing gec_jfleg inputs with GLEU, and the run directory loads into an Editor."""
    from textedit.inference.editor import Editor

    model_dir = tmp_path / "run"
    assert train_tool([
        "--gin_file=gin/experiments/edit5_gec_main.gin", "--gin_file=gin/models/edit5_tiny.gin",
        f"--gin.MODEL_DIR='{model_dir}'", f"--gin.VOCAB_SIZE={TINY_VOCAB_ROWS}",
        "--gin.NUM_POSITION_TOKENS=65", "--gin.TRAIN_STEPS=6", "--gin.WARMUP_STEPS=1",
        "--gin.BATCH_SIZE=4",
        "--gin.LOG_EVERY=3", "--gin.MAX_EVAL_EXAMPLES=8", "--gin.EVAL_BATCH_SIZE=4",
        # One batch shape: each length bucket would compile the step again
        # (tests/training/test_length_buckets.py covers bucketed streams).
        "--gin.LENGTH_BUCKETS=[]"]) == 0
    scalars = read_scalars(model_dir / "train")
    for part in ("tag", "pointer", "insertion"):
        assert f"{part}_loss" in scalars and f"{part}_accuracy" in scalars
    assert read_scalars(model_dir / "eval" / "gec_jfleg")["eval/gleu"][-1][0] == 6
    assert {p.name for p in (model_dir / "vocab").iterdir()} == {"textedit.model",
                                                                 "manifest.json"}
    editor = Editor.load(model_dir, batch_size=2)
    assert editor.source.endswith("(step 6)")
    outputs = editor.edit(["She go to school .", ""])
    assert len(outputs) == 2 and outputs[1] == ""


def test_edit5_position_tokens_must_match_the_vocabulary(train_tool, tiny_vocab, tmp_path):
    with pytest.raises(SystemExit, match="NUM_POSITION_TOKENS = 65"):
        train_tool([
            "--gin_file=gin/experiments/edit5_gec_main.gin",
            "--gin_file=gin/models/edit5_tiny.gin", f"--gin.MODEL_DIR='{tmp_path}'",
            f"--gin.VOCAB_SIZE={TINY_VOCAB_ROWS}", "--gin.TRAIN_STEPS=1"])
