"""`textedit train` on ocr_correct with and without the image tower: a few steps each, evaluated
with CER and exact match, and `textedit eval` of the image run (reads the clean-text corpora:
slow)."""

import json
from pathlib import Path

import gin
import pytest

from textedit.runs.variable_keys import variable_key

ROOT = Path(__file__).resolve().parents[2]
TINY_VOCAB_ROWS = 2176  # the test vocabulary's ids rounded up to a multiple of 128
SHORT_RUN = ["--gin.TRAIN_STEPS=3", "--gin.BATCH_SIZE=4", "--gin.WARMUP_STEPS=1",
             "--gin.LOG_EVERY=1", "--gin.EVAL_EVERY=0", "--gin.MAX_EVAL_EXAMPLES=8",
             "--gin.EVAL_BATCH_SIZE=4", f"--gin.VOCAB_SIZE={TINY_VOCAB_ROWS}"]


@pytest.fixture
def train_tool():
    from textedit.cli import main

    yield lambda argv: main.main(["train", *argv])
    gin.clear_config()


def _trained_keys(model_dir: Path) -> set[str]:
    import tensorflow as tf

    names = [name for name, _ in tf.train.list_variables(str(model_dir / "checkpoints"))]
    return {name for name in names if "image" in name}


@pytest.mark.slow
def test_seq2seq_trains_on_ocr_correct_with_and_without_the_tower(train_tool, tiny_vocab,
                                                                   tmp_path, capsys):
    runs = {}
    for experiment in ("seq2seq_ocr_correct", "seq2seq_ocr_correct_image"):
        model_dir = tmp_path / experiment
        assert train_tool([f"--gin_file={ROOT / 'gin' / 'experiments' / experiment}.gin",
                           f"--gin.MODEL_DIR='{model_dir}'",
                           "--gin.image_tower_config.num_layers=1", *SHORT_RUN]) == 0
        gin.clear_config()
        out = capsys.readouterr().out
        assert "done: 3 steps" in out, out[-2000:]
        metrics = metrics_of(model_dir / "eval")
        assert metrics["step"] == 3 and {"cer", "exact_match"} <= set(metrics)
        runs[experiment] = model_dir
    plain = json.loads((runs["seq2seq_ocr_correct"] / "model.json").read_text())
    tower = json.loads((runs["seq2seq_ocr_correct_image"] / "model.json").read_text())
    assert plain["class_name"] == "T5EncoderDecoder" and tower["class_name"] == "T5WithImageTower"
    assert tower["config"]["image_tower"]["num_layers"] == 1
    # The tower's weights are in the checkpoint of the image run only.
    assert not _trained_keys(runs["seq2seq_ocr_correct"])
    assert any("image_tower" in key for key in _trained_keys(runs["seq2seq_ocr_correct_image"]))
    assert variable_key("t5/image_begin") == "image_begin"

    # `textedit eval` with the image model file scores the run as its training evaluation did.
    from textedit.cli import main

    trained = metrics_of(runs["seq2seq_ocr_correct_image"] / "eval")
    try:
        assert main.main([
            "eval", "--gin_file=gin/models/t5_mini.gin",
            "--gin_file=gin/models/image_tower_infer.gin",
            f"--gin.CHECKPOINT_PATH='{runs['seq2seq_ocr_correct_image']}'",
            "--gin.MIXTURE_OR_TASK_NAME='ocr_correct'", "--gin.MAX_EXAMPLES=8",
            "--gin.TASK_FEATURE_LENGTHS={'inputs': 40, 'targets': 32}",
            "--gin.image_tower_config.num_layers=1", f"--gin.VOCAB_SIZE={TINY_VOCAB_ROWS}",
            f"--gin.OUTPUT_DIR='{tmp_path / 'eval'}'"]) == 0
    finally:
        gin.clear_config()
    assert metrics_of(tmp_path / "eval")["cer"] == pytest.approx(trained["cer"])


def metrics_of(directory: Path) -> dict:
    """The last line of the ocr_correct metrics a TaskEvaluator wrote into `directory`."""
    lines = (directory / "ocr_correct-metrics.jsonl").read_text().splitlines()
    return json.loads(lines[-1])
