"""gin/experiments/{dpo,kto,dro_v}_hh.gin end to end: `textedit train` for 2 steps on the real HH
tasks, T5-mini at T5-tiny widths, from a tiny SFT run made here (the frozen reference and
INIT_CHECKPOINT). At step 1 the policy is the reference, so DPO's margin and the log-ratios are
0; the losses are finite; the DRO-V run's value network has keys of its own and the run reloads
(strict restore)."""

import math
import os

import gin
import keras
import pytest

from textedit.training.summaries import read_scalars

TINY_VOCAB_ROWS = 2176  # the test vocabulary's 2,100 ids rounded up to a multiple of 128
# The experiments' T5-mini (gin/models/t5_mini.gin) shrunk to T5-tiny widths. Bindings, not
# t5_tiny.gin: a later model file would keep t5_mini.gin's explicit widths.
TINY_WIDTHS = {"d_model": 32, "d_kv": 8, "d_ff": 64}
TINY = [*(f"--gin.t5_config.{name}={value}" for name, value in TINY_WIDTHS.items()),
        f"--gin.VOCAB_SIZE={TINY_VOCAB_ROWS}", "--gin.TRAIN_STEPS=2", "--gin.BATCH_SIZE=4",
        "--gin.WARMUP_STEPS=1", "--gin.LOG_EVERY=1"]
SHORT = "{'inputs': 32, 'targets': 16}"
SHORT_PAIRS = "{'inputs': 32, 'chosen': 16, 'rejected': 16}"


@pytest.fixture(scope="module")
def sft_run(tiny_vocab, tmp_path_factory):
    """A run directory as `textedit train` leaves it, for a tiny random T5 (the SFT policy)."""
    from textedit.models import T5Config, T5EncoderDecoder
    from textedit.runs.run_artifacts import copy_vocabulary, write_model_config
    from textedit.training.checkpoints import RunCheckpoints
    from textedit.training.optimizers import make_optimizer

    run_dir = tmp_path_factory.mktemp("sft")
    keras.utils.set_random_seed(0)
    config = T5Config.named("small", num_encoder_layers=2, num_decoder_layers=2, **TINY_WIDTHS,
                            vocab_size=TINY_VOCAB_ROWS, dropout_rate=0.0)
    model = T5EncoderDecoder(config, name="t5")
    optimizer = make_optimizer("adamw", 1e-3)
    optimizer.build(model.trainable_variables)
    write_model_config(run_dir, model)
    copy_vocabulary(run_dir, os.environ["TEXTEDIT_VOCAB_DIR"])
    RunCheckpoints(run_dir / "checkpoints", model, optimizer).save(5)
    return run_dir


def train(experiment, sft_run, model_dir, lengths, capsys):
    from textedit.cli import main

    try:
        assert main.main(["train", f"--gin_file=gin/experiments/{experiment}.gin", *TINY,
                          f"--gin.POLICY_DIR='{sft_run}'", f"--gin.MODEL_DIR='{model_dir}'",
                          f"--gin.TASK_FEATURE_LENGTHS={lengths}"]) == 0
    finally:
        gin.clear_config()
    scalars = {name: [value for _, value in values]
               for name, values in read_scalars(model_dir / "train").items()}
    assert len(scalars["loss"]) == 2 and all(math.isfinite(v) for v in scalars["loss"])
    captured = capsys.readouterr()  # progress lines go to stderr
    return scalars, captured.out + captured.err


@pytest.mark.slow  # ~20 s; DRO-V's test keeps the policy trainer path in the default tier
def test_dpo_starts_at_zero_margin(sft_run, tmp_path, capsys):
    scalars, out = train("dpo_hh", sft_run, tmp_path / "dpo", SHORT_PAIRS, capsys)
    assert "objective dpo" in out
    assert abs(scalars["log_ratio_margin"][0]) < 1e-5
    assert scalars["loss"][0] == pytest.approx(math.log(2.0), abs=1e-5)  # −log σ(0)
    assert scalars["preference_accuracy"][0] == 0.0  # h > 0 counts; h = 0 does not


@pytest.mark.slow  # ~20 s, as DPO's
def test_kto_trains_on_trajectories(sft_run, tmp_path, capsys):
    scalars, out = train("kto_hh", sft_run, tmp_path / "kto", SHORT, capsys)
    assert "objective kto" in out
    assert abs(scalars["log_ratio"][0]) < 1e-5
    assert scalars["loss"][0] == pytest.approx(0.5, abs=1e-5)  # 1 − σ(0) for every row


def test_dro_v_initialises_the_policy_and_reloads(sft_run, tmp_path, capsys):
    from textedit.models.reward import PolicyWithValue
    from textedit.runs.run_artifacts import load_run

    scalars, out = train("dro_v_hh", sft_run, tmp_path / "dro_v", SHORT, capsys)
    assert "objective dro_v" in out
    # The policy's variables all come from the SFT run; the value network's are its own.
    assert " 0 shape mismatches" in out and "missing (fresh initialisation): value/" in out
    assert abs(scalars["log_ratio"][0]) < 1e-5  # policy = reference at step 1
    assert scalars["value"][0] == 0.0  # the zero-initialised head
    assert all(math.isfinite(v) for v in scalars["value_loss"] + scalars["policy_loss"])
    run = load_run(tmp_path / "dro_v")
    assert isinstance(run.model, PolicyWithValue) and run.step == 2
