"""gin: the preference configurables are registered, and sft_hh.gin trains T5-mini on hh_sft."""

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
