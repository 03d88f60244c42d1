"""gin/models/gemma2_*.gin and the Gemma 2 / distillation experiments: parsed with the CLI's
configurables, they build the named configs, the decoder-only formatting and the objectives."""

import sys
from pathlib import Path

import gin
import pytest

from textedit.models import Gemma2Config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def parsed():
    sys.path.insert(0, str(ROOT))
    from textedit.cli import gin_configurables
    from textedit.cli.train import configurable_train

    gin_configurables.register_training()
    configurable_train()  # the run file binds train.*

    def parse(*files, bindings=()):
        gin.clear_config()
        gin.parse_config_files_and_bindings([str(ROOT / f) for f in files], list(bindings),
                                            finalize_config=False)
        return gin.query_parameter

    yield parse
    gin.clear_config()


@pytest.mark.parametrize("name, size", [("gemma2_mini.gin", "mini"),
                                        ("gemma2_small.gin", "small")])
def test_model_files_build_the_named_sizes(parsed, name, size):
    parsed("gin/runs/train.gin", f"gin/models/{name}")
    config = gin.get_configurable("gemma2_config")()
    assert config == Gemma2Config.named(size, vocab_size=16128, dropout_rate=0.0)
    converter = gin.query_parameter("TrainDataConfig.feature_converter").scoped_configurable_fn()
    assert type(converter).__name__ == "PrefixLMFeatureConverter"
    assert converter._loss_on_targets_only  # loss on the completion only
    objective = gin.query_parameter("%OBJECTIVE").scoped_configurable_fn()
    assert objective.model_features == ("decoder_input_tokens",)


def test_lm_experiment_trains_on_plain_text(parsed):
    parsed("gin/experiments/gemma2_lm_clean_text.gin")
    assert gin.query_parameter("%MIXTURE_OR_TASK_NAME") == "lm_clean_text"
    converter = gin.query_parameter("TrainDataConfig.feature_converter").scoped_configurable_fn()
    assert type(converter).__name__ == "LMFeatureConverter"
    assert gin.query_parameter("%EVAL_MIXTURE_OR_TASK_NAMES") == []


@pytest.mark.parametrize("name", ["distill_gemma2_lm_clean_text.gin", "distill_seq2seq_gec.gin",
                                  "distill_on_policy_seq2seq_gec.gin", "distill_edit5_gec.gin",
                                  "distill_edit5_from_edit5_gec.gin"])
def test_distillation_experiments_need_a_teacher(parsed, name):
    from textedit.cli.gin_configurables import required_macros_unset

    parsed(f"gin/experiments/{name}")
    assert "TEACHER_DIR" in required_macros_unset()
    assert gin.query_parameter("%KL_WEIGHT") == 0.5 and gin.query_parameter("%TEMPERATURE") == 1.0


def test_on_policy_experiment_uses_the_on_policy_objective(parsed):
    parsed("gin/experiments/distill_on_policy_seq2seq_gec.gin")
    assert gin.query_parameter("%ON_POLICY_FRACTION") == 0.5
    objective = gin.query_parameter("%OBJECTIVE")
    assert objective.selector == "on_policy_distill_objective"


def test_edit5_distillation_experiment_wires_the_teacher_features(parsed):
    """An EdiT5 mini student on the teacher variant of the edit task, whose converter adds the
    teacher's features (and so needs a "targets" length), with the EdiT5 distillation objective."""
    parsed("gin/experiments/distill_edit5_gec.gin")
    assert gin.query_parameter("%MIXTURE_OR_TASK_NAME") == "edit5_gec_wi_fce_with_teacher"
    assert gin.query_parameter("%TASK_FEATURE_LENGTHS") == {
        "inputs": 128, "decoder_targets": 64, "targets": 128}
    assert gin.query_parameter("%LENGTH_BUCKETS") == []
    converter = gin.query_parameter("TrainDataConfig.feature_converter").scoped_configurable_fn()
    assert type(converter).__name__ == "EditFeatureConverter" and converter.teacher_features
    objective = gin.query_parameter("%OBJECTIVE")
    assert objective.selector == "edit5_distill_objective"
    assert gin.query_parameter("edit5_distill_objective.teacher").selector == "teacher_from_run"
    assert gin.query_parameter("%MODEL").selector == "edit5_model"
    config = gin.get_configurable("edit5_config")(t5=gin.get_configurable("t5_config")())
    assert (config.t5.d_model, config.t5.num_encoder_layers, config.t5.num_decoder_layers) == (
        128, 2, 1)  # gin/models/edit5_mini.gin
    assert gin.query_parameter("%EVAL_MIXTURE_OR_TASK_NAMES") == [
        "gec_wi_fce", "gec_jfleg", "gec_conll"]  # scored on the plain tasks, as edit5_gec.gin


def test_edit5_teacher_experiment_trains_the_micro_student_of_the_main_recipe(parsed):
    """An EdiT5 teacher on the plain edit task (no teacher features, buckets kept): the main
    job's recipe at gin/models/edit5_micro.gin's sizes, with the whole-edit objective."""
    parsed("gin/experiments/distill_edit5_from_edit5_gec.gin")
    assert gin.query_parameter("%MIXTURE_OR_TASK_NAME") == "edit5_gec_wi_fce"
    assert gin.query_parameter("%LENGTH_BUCKETS")  # the main recipe's
    assert gin.query_parameter("%POSITION_INPUTS") and gin.query_parameter("%POSITION_LOGITS")
    assert gin.query_parameter("%OBJECTIVE").selector == "edit5_edit_distill_objective"
    assert gin.query_parameter(
        "edit5_edit_distill_objective.teacher").selector == "teacher_from_run"
    config = gin.get_configurable("edit5_config")(t5=gin.get_configurable("t5_config")())
    assert (config.t5.d_model, config.t5.d_ff, config.t5.num_encoder_layers,
            config.t5.num_decoder_layers, config.max_input_length) == (32, 128, 2, 1, 128)
