"""gin/experiments/distill_edit5_gec.gin end to end: `textedit train` of an EdiT5 student with a
frozen T5 teacher run on edit5_gec_wi_fce_with_teacher, a few steps (slow: compiles two models)."""

import os

import gin
import keras
import pytest

from textedit.training.summaries import read_scalars

TINY_VOCAB_ROWS = 2176  # the test vocabulary's 2,100 ids rounded up to a multiple of 128


def make_t5_run(run_dir, vocab_dir):
    """A run directory as `textedit train` leaves it, for a tiny random T5 (the teacher)."""
    from textedit.models import T5Config, T5EncoderDecoder
    from textedit.runs.run_artifacts import copy_vocabulary, write_model_config
    from textedit.training.checkpoints import RunCheckpoints
    from textedit.training.optimizers import make_optimizer

    keras.utils.set_random_seed(0)
    model = T5EncoderDecoder(T5Config.named("tiny", vocab_size=TINY_VOCAB_ROWS,
                                            dropout_rate=0.0), name="t5")
    optimizer = make_optimizer("adamw", 1e-3)
    optimizer.build(model.trainable_variables)
    write_model_config(run_dir, model)
    copy_vocabulary(run_dir, vocab_dir)
    RunCheckpoints(run_dir / "checkpoints", model, optimizer).save(5)


def train_three_steps(experiment, teacher_dir, model_dir, *extra_flags):
    """`textedit train --gin_file=gin/experiments/<experiment>` for 3 steps of 8 with the tiny
    vocabulary and `teacher_dir` as TEACHER_DIR; returns the run's train scalars."""
    from textedit.cli import main

    try:
        assert main.main([
            "train", f"--gin_file=gin/experiments/{experiment}",
            f"--gin.TEACHER_DIR='{teacher_dir}'", f"--gin.MODEL_DIR='{model_dir}'",
            f"--gin.VOCAB_SIZE={TINY_VOCAB_ROWS}", "--gin.NUM_POSITION_TOKENS=65",
            "--gin.TRAIN_STEPS=3", "--gin.BATCH_SIZE=8", "--gin.WARMUP_STEPS=1",
            "--gin.LOG_EVERY=1", "--gin.EVAL_MIXTURE_OR_TASK_NAMES=[]", *extra_flags,
        ]) == 0
    finally:
        gin.clear_config()
    return read_scalars(model_dir / "train")


@pytest.mark.slow  # ~60 s on one core: two models in one XLA train step
def test_edit5_student_trains_with_a_t5_teacher(tiny_vocab, tmp_path):
    teacher_dir, model_dir = tmp_path / "teacher", tmp_path / "student"
    make_t5_run(teacher_dir, os.environ["TEXTEDIT_VOCAB_DIR"])
    scalars = train_three_steps(
        "distill_edit5_gec.gin", teacher_dir, model_dir,
        "--gin.TASK_FEATURE_LENGTHS={'inputs': 48, 'decoder_targets': 16, 'targets': 48}")
    for name in ("loss", "kl", "teacher_cross_entropy", "distill_insertion_loss",
                 "insertion_loss", "tag_loss", "pointer_loss"):
        assert name in scalars, sorted(scalars)
    assert any(value > 0 for _, value in scalars["kl"])


@pytest.mark.slow  # ~60 s on one core: two EdiT5 models in one XLA train step, two buckets
def test_edit5_student_trains_with_an_edit5_teacher(tiny_edit5_run, tmp_path):
    """gin/experiments/distill_edit5_from_edit5_gec.gin: the micro student of the main recipe
    (buckets, position options) with a tiny EdiT5 run (no position options) as its teacher."""
    teacher_dir, _ = tiny_edit5_run
    model_dir = tmp_path / "student"
    scalars = train_three_steps("distill_edit5_from_edit5_gec.gin", teacher_dir, model_dir)
    for part in ("tag", "pointer", "insertion"):
        for name in (f"{part}_loss", f"{part}_kl", f"teacher_{part}_loss"):
            assert name in scalars, sorted(scalars)
        assert all(value > 0 for _, value in scalars[f"{part}_kl"]), part
