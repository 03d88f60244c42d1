"""The default run's one real path through the command line: `textedit train` (a tiny T5, two
steps, on W&I learner sentences), `textedit infer` (the run's predictions for a JFLEG slice),
`textedit evaluate` (those predictions scored with the task's own metric), in this process.

The task is a user parallel task (registered through gin, as a user would) over slices of the
real files, written to tmp_path: 64 W&I A train pairs, 8 JFLEG dev sentences with reference 0.
"""

import json

import gin
import pytest

from textedit.cli.main import main as cli
from textedit.data import readers
from textedit.data.data_dir import data_path

TINY_VOCAB_ROWS = 2176  # the test vocabulary's 2,100 ids rounded up to a multiple of 128
VALIDATION = 8


def _write(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


@pytest.fixture
def real_slices(tmp_path):
    pairs = readers.read_m2_pairs(data_path("gec/wi.A.train.m2"))[:64]
    with open(data_path("gec/jfleg.dev.src"), encoding="utf-8") as f:
        sources = f.read().splitlines()[:VALIDATION]
    with open(data_path("gec/jfleg.dev.ref0"), encoding="utf-8") as f:
        references = f.read().splitlines()[:VALIDATION]
    files = {"train": [_write(tmp_path / "train.src", [p.source for p in pairs]),
                       _write(tmp_path / "train.ref", [p.target for p in pairs])],
             "validation": [_write(tmp_path / "dev.src", sources),
                            _write(tmp_path / "dev.ref", references)]}
    yield files, references
    gin.clear_config()


def test_train_then_infer_then_evaluate(tiny_vocab, real_slices, tmp_path, capsys):
    files, references = real_slices
    task = f"[{{'name': 'cli_path_gec', 'train': {files['train']}, " \
           f"'validation': {files['validation']}}}]"
    lengths = "{'inputs': 32, 'targets': 32}"
    model = ["--gin_file=gin/models/t5_tiny.gin", f"--gin.VOCAB_SIZE={TINY_VOCAB_ROWS}",
             f"--gin.user_parallel_tasks.tasks={task}", "--gin.DROPOUT_RATE=0.0",
             "--gin.MIXTURE_OR_TASK_NAME='cli_path_gec'",
             f"--gin.TASK_FEATURE_LENGTHS={lengths}"]
    run = tmp_path / "run"
    assert cli(["train", "--gin_file=gin/runs/train.gin", *model, f"--gin.MODEL_DIR='{run}'",
                "--gin.TRAIN_STEPS=2", "--gin.BATCH_SIZE=4", "--gin.WARMUP_STEPS=1",
                "--gin.EVAL_MIXTURE_OR_TASK_NAMES=[]"]) == 0
    assert (run / "checkpoints" / "ckpt-2.index").exists() and (run / "model.json").exists()

    gin.clear_config()
    out = tmp_path / "infer"
    assert cli(["infer", "--gin_file=gin/runs/infer.gin", *model,
                f"--gin.CHECKPOINT_PATH='{run}'", f"--gin.OUTPUT_DIR='{out}'",
                f"--gin.INFER_BATCH_SIZE={VALIDATION}"]) == 0
    predictions = out / "cli_path_gec-validation-2.txt"  # task, split, the run's step
    lines = predictions.read_text(encoding="utf-8").splitlines()
    assert len(lines) == VALIDATION

    gin.clear_config()
    capsys.readouterr()
    assert cli(["evaluate", "--task", "cli_path_gec", "--predictions", str(predictions),
                f"--gin.user_parallel_tasks.tasks={task}", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["task"], report["split"], report["examples"]) == (
        "cli_path_gec", "validation", VALIDATION)
    # The task's metric, recomputed here from the file: the share of exact matches.
    matches = sum(p.strip() == r.strip() for p, r in zip(lines, references, strict=True))
    assert report["scores"] == {"exact_match": pytest.approx(100.0 * matches / VALIDATION)}
    # How much the predictions reuse their sources, beside the metric.
    assert set(report["source_overlap"]) == {
        "exact_copy", "source_words_kept", "output_words_from_source"}
    assert all(0.0 <= v <= 100.0 for v in report["source_overlap"].values())
