"""gin: the preference configurables are registered, sft_hh.gin trains T5-mini on hh_sft, and the
policy experiments (dpo_hh, kto_hh, dro_v_hh) start from POLICY_DIR with their macros."""

import sys
from pathlib import Path

import gin

ROOT = Path(__file__).resolve().parents[1]


def test_sft_experiment_and_preference_names():
    sys.path.insert(0, str(ROOT))
    from textedit.cli import gin_configurables
    from textedit.cli.train import configurable_train

    gin_configurables.register_training()
    configurable_train()
    gin.clear_config()
    try:
        gin.parse_config_files_and_bindings(
            [str(ROOT / "gin/experiments/sft_hh.gin")],
            ["dro_v_objective.tau = 5.0", "kto_objective.beta = 0.2", "dpo_objective.kind = 'ipo'"],
            finalize_config=False)
        assert gin.query_parameter("%MIXTURE_OR_TASK_NAME") == "hh_sft"
        assert gin.query_parameter("t5_config.d_model") == 128
        assert gin.query_parameter("dro_v_objective.tau") == 5.0
        assert gin.query_parameter("dpo_objective.kind") == "ipo"
        assert gin.query_parameter("kto_objective.beta") == 0.2
    finally:
        gin.clear_config()


def parse_experiment(name, bindings=()):
    sys.path.insert(0, str(ROOT))
    from textedit.cli import gin_configurables
    from textedit.cli.train import configurable_train

    gin_configurables.register_training()
    configurable_train()
    gin.clear_config()
    gin.parse_config_files_and_bindings([str(ROOT / f"gin/experiments/{name}.gin")],
                                        ["POLICY_DIR = 'sft'", *bindings], finalize_config=False)


def test_policy_experiments_start_from_the_sft_run():
    expected = {"dpo_hh": ("hh_policy_pairs", "PairedPolicyFeatureConverter", "dpo_objective"),
                "kto_hh": ("hh_trajectories", "TrajectoryFeatureConverter", "kto_objective"),
                "dro_v_hh": ("hh_trajectories", "TrajectoryFeatureConverter", "dro_v_objective")}
    try:
        for name, (task, converter, objective) in expected.items():
            parse_experiment(name)
            assert gin.query_parameter("%MIXTURE_OR_TASK_NAME") == task
            assert gin.query_parameter("TrainDataConfig.feature_converter").selector == converter
            assert gin.query_parameter("%OBJECTIVE").selector == objective
            assert str(gin.query_parameter("%INIT_CHECKPOINT")) == "%POLICY_DIR"
            assert str(gin.query_parameter("reference/teacher_from_run.model_dir")) == \
                "%POLICY_DIR"
            assert gin.query_parameter(f"{objective}.reference").selector == "teacher_from_run"
            lengths = gin.query_parameter("%TASK_FEATURE_LENGTHS")
            assert lengths["inputs"] == 192 and set(lengths.values()) == {192, 64}
            assert gin.query_parameter("t5_config.d_model") == 128  # T5-mini, the SFT model
            assert gin.query_parameter("%EVAL_EVERY") == 0
        parse_experiment("dro_v_hh", ["DRO_TAU = 0.5"])
        assert gin.query_parameter("%DRO_TAU") == 0.5
        assert str(gin.query_parameter("dro_v_objective.tau")) == "%DRO_TAU"
        assert gin.query_parameter("%MODEL").selector == "policy_with_value"
        assert gin.query_parameter("policy_with_value.value").selector == "t5_scalar_model"
        parse_experiment("kto_hh", ["KTO_BETA = 0.3"])
        assert gin.query_parameter("%KTO_BETA") == 0.3
        parse_experiment("dpo_hh", ["DPO_BETA = 0.2", "dpo_objective.kind = 'ipo'"])
        assert gin.query_parameter("%DPO_BETA") == 0.2
        assert gin.query_parameter("dpo_objective.kind") == "ipo"
    finally:
        gin.clear_config()
