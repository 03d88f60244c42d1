"""gin/models/*.gin: each file's `t5_config` bindings build the T5Config they describe.

The files are parsed with gin's own parser but nothing is registered (the `t5_config`
configurable belongs to the CLI); macros defined in the file are resolved here.
"""

from pathlib import Path

import pytest
from gin import config_parser

from textedit.models import T5Config

GIN_DIR = Path(__file__).resolve().parents[2] / "gin" / "models"


class _Delegate(config_parser.ParserDelegate):
    def configurable_reference(self, scoped_name, evaluate):
        raise AssertionError(f"unexpected reference @{scoped_name}")

    def macro(self, name):
        return ("macro", name)


def _config(name: str) -> T5Config:
    macros, bindings = {}, {}
    with open(GIN_DIR / name) as f:
        for statement in config_parser.ConfigParser(f, _Delegate()):
            assert isinstance(statement, config_parser.BindingStatement), statement
            if statement.selector == "t5_config":
                bindings[statement.arg_name] = statement.value
            else:
                assert statement.arg_name == "" and statement.selector.isupper()
                macros[statement.selector] = statement.value
    values = {k: macros[v[1]] if isinstance(v, tuple) else v for k, v in bindings.items()}
    return T5Config.named(values.pop("size"), **values)


@pytest.mark.parametrize("name, size", [("t5_tiny.gin", "tiny"), ("t5_small.gin", "small"),
                                        ("t5_base.gin", "base")])
def test_model_files_bind_the_named_sizes(name, size):
    assert _config(name) == T5Config.named(size, vocab_size=16128, dropout_rate=0.1)


def test_slim_file_has_a_one_layer_decoder():
    config = _config("t5_small_slim.gin")
    assert (config.num_encoder_layers, config.num_decoder_layers, config.d_model) == (6, 1, 256)


@pytest.mark.parametrize("name, size, max_input_length, overrides", [
    ("edit5_small.gin", "small", 512, {}),
    ("edit5_tiny.gin", "tiny", 128, {}),
    ("edit5_mini.gin", "small", 128, dict(d_model=128, d_kv=32, d_ff=512, num_encoder_layers=2)),
])
def test_edit5_files_build_their_configs(name, size, max_input_length, overrides):
    """The EdiT5 files include a T5 file and bind the objective and converter too, so they are
    parsed by gin with the CLI's configurables registered."""
    import sys

    import gin

    sys.path.insert(0, str(GIN_DIR.parents[1]))
    from textedit.cli import gin_configurables

    gin_configurables.register_training()
    gin.clear_config()
    try:
        gin.parse_config_file(str(GIN_DIR / name))
        config = gin.get_configurable("edit5_config")(t5=gin.get_configurable("t5_config")())
    finally:
        gin.clear_config()
    assert config.t5 == T5Config.named(size, vocab_size=16128, dropout_rate=0.1,
                                       num_decoder_layers=1, **overrides)
    assert (config.max_input_length, config.num_position_tokens) == (max_input_length, 513)
    assert config.pointer_position_bias and config.sinkhorn_iterations == 3


def test_every_model_file_is_tested():
    assert {p.name for p in GIN_DIR.glob("*.gin")} == {
        "t5_tiny.gin", "t5_small.gin", "t5_base.gin", "t5_small_slim.gin", "edit5_small.gin",
        "edit5_tiny.gin", "edit5_mini.gin", "t5_mini.gin",
        "t5_hf.gin", "edit5_hf.gin",  # these two: tests/runs/test_hf_warm_start.py
        "gemma2_mini.gin", "gemma2_small.gin",  # tests/models/test_gemma2_gin_files.py
        "edit5_micro.gin",  # tests/models/test_gemma2_gin_files.py (the distillation student)
        "image_tower_infer.gin"}  # tests/training/test_ocr_correct_train.py (slow)


def test_mini_t5_is_the_mini_edit5_backbone_with_a_second_decoder_layer():
    """gin/models/t5_mini.gin pre-trains the warm start of edit5_mini.gin: same encoder shapes."""
    import dataclasses
    import sys

    import gin

    sys.path.insert(0, str(GIN_DIR.parents[1]))
    from textedit.cli import gin_configurables

    gin_configurables.register_training()
    configs = {}
    for name in ("t5_mini.gin", "edit5_mini.gin"):
        gin.clear_config()
        try:
            gin.parse_config_file(str(GIN_DIR / name))
            configs[name] = gin.get_configurable("t5_config")()
        finally:
            gin.clear_config()
    mini = configs["t5_mini.gin"]
    assert mini == T5Config.named("small", vocab_size=16128, dropout_rate=0.1, d_model=128,
                                  d_kv=32, d_ff=512, num_encoder_layers=2, num_decoder_layers=2)
    assert dataclasses.replace(mini, num_decoder_layers=1) == configs["edit5_mini.gin"]
