"""gin: the J-BOND and REINFORCE experiments parse with their macros, and `--best_of_n` /
`--reward` of `textedit infer` become the Best-of-N DECODE_FN's bindings."""

import argparse
import sys
from pathlib import Path

import gin
import pytest

from textedit.cli.best_of_n_flags import best_of_n_bindings

ROOT = Path(__file__).resolve().parents[1]


def parse(files, bindings):
    sys.path.insert(0, str(ROOT))
    from textedit.cli import gin_configurables
    from textedit.cli.infer import configurable_infer
    from textedit.cli.train import configurable_train

    gin_configurables.register_training()
    configurable_train()
    configurable_infer()
    gin.clear_config()
    gin.parse_config_files_and_bindings([str(ROOT / f) for f in files], bindings,
                                        finalize_config=False)


def test_jbond_and_reinforce_experiments():
    try:
        parse(["gin/experiments/jbond_gec.gin", "gin/models/t5_tiny.gin"],
              ["POLICY_DIR = 'sft'", "ANCHOR_ETA = 0.05"])
        assert str(gin.query_parameter("jbond_objective.eta")) == "%ANCHOR_ETA"
        assert gin.query_parameter("%ANCHOR_ETA") == 0.05
        assert str(gin.query_parameter("anchor/teacher_from_run.model_dir")) == "%POLICY_DIR"
        assert gin.query_parameter("%OBJECTIVE").selector == "jbond_objective"
        parse(["gin/experiments/reinforce_gec.gin"], ["POLICY_DIR = 'sft'", "KL_WEIGHT = 1.0"])
        assert gin.query_parameter("%OBJECTIVE").selector == "reinforce_objective"
        assert gin.query_parameter("%KL_WEIGHT") == 1.0
    finally:
        gin.clear_config()


def test_hh_experiments_reward_with_a_reward_model_run():
    try:
        parse(["gin/experiments/jbond_hh.gin"], ["POLICY_DIR = 'sft'", "REWARD_MODEL_DIR = 'rm'"])
        assert gin.query_parameter("%OBJECTIVE").selector == "jbond_objective"
        assert gin.query_parameter("%MIXTURE_OR_TASK_NAME") == "hh_sft_policy"
        assert gin.query_parameter("%REWARD").selector == "reward_model_reward"
        assert str(gin.query_parameter("rm/teacher_from_run.model_dir")) == "%REWARD_MODEL_DIR"
        parse(["gin/experiments/reinforce_hh.gin"],
              ["POLICY_DIR = 'sft'", "REWARD_MODEL_DIR = 'rm'", "KL_WEIGHT = 0.01"])
        assert gin.query_parameter("%OBJECTIVE").selector == "reinforce_objective"
        assert gin.query_parameter("%KL_WEIGHT") == 0.01
        assert gin.query_parameter("%TASK_FEATURE_LENGTHS") == {"inputs": 192, "targets": 64}
    finally:
        gin.clear_config()


def flags(**values):
    return argparse.Namespace(**{"best_of_n": None, "reward": None, "constraint": [], **values})


def test_best_of_n_flags_become_bindings():
    assert best_of_n_bindings(flags()) == []
    metric = best_of_n_bindings(flags(best_of_n=8, reward="gleu"))
    assert "best_of_n_decode_fn.n = 8" in metric
    assert "best_of_n_decode_fn.reward = @gleu_reward()" in metric
    sari = best_of_n_bindings(flags(best_of_n=4, reward="sari"))
    assert "best_of_n_decode_fn.reward = @sari_reward()" in sari
    try:  # the SARI reward is a registered gin name, as the flag's binding needs
        parse(["gin/runs/infer.gin", "gin/models/t5_tiny.gin"], sari)
        assert gin.query_parameter("best_of_n_decode_fn.reward").selector == "sari_reward"
    finally:
        gin.clear_config()
    learned = best_of_n_bindings(flags(best_of_n=2, reward="runs/rm"))
    assert 'reward_run/teacher_from_run.model_dir = "runs/rm"' in learned
    try:
        parse(["gin/runs/infer.gin", "gin/models/t5_tiny.gin"], learned)
        assert gin.query_parameter("%DECODE_FN").selector == "best_of_n_decode_fn"
        assert gin.query_parameter("best_of_n_decode_fn.n") == 2
    finally:
        gin.clear_config()
    for bad in (flags(reward="ngram_f1"), flags(best_of_n=4), flags(best_of_n=0, reward="x"),
                flags(best_of_n=2, reward="ngram_f1", constraint=["simple"])):
        with pytest.raises(SystemExit):
            best_of_n_bindings(bad)


def test_edit5_experiments_use_the_edit_policy_on_the_plain_task():
    try:
        parse(["gin/experiments/jbond_edit5_gec.gin"], ["POLICY_DIR = 'edit5'"])
        assert gin.query_parameter("%OBJECTIVE").selector == "jbond_objective"
        assert gin.query_parameter("jbond_objective.policy").selector == "edit5_rl_policy"
        assert gin.query_parameter("%MODEL").selector == "edit5_model"
        assert gin.query_parameter("%MIXTURE_OR_TASK_NAME") == "gec_wi_fce"
        assert gin.query_parameter("TrainDataConfig.feature_converter") is None
        assert gin.query_parameter("%REWARD").selector == "gleu_reward"
        parse(["gin/experiments/reinforce_edit5_gec.gin"], ["POLICY_DIR = 'edit5'"])
        assert gin.query_parameter("%OBJECTIVE").selector == "reinforce_objective"
        assert gin.query_parameter("reinforce_objective.policy").selector == "edit5_rl_policy"
        assert gin.query_parameter("%WEIGHT_DECAY") == 0.0
    finally:
        gin.clear_config()
