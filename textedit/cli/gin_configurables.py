"""The library's training pieces as gin configurables (the library itself never imports gin).

`register_training()` registers, once per process, the names the gin files in gin/ use:

    t5_config                T5Config.named(size, **overrides) (gin/models/t5_*.gin bind it)
    t5_encoder_decoder       T5EncoderDecoder(config) (the run files' default MODEL)
    edit5_config             Edit5Config(t5=@t5_config(), ...) (gin/models/edit5_*.gin)
    edit5_model              Edit5Model(config) (EdiT5's MODEL)
    hf_t5_backbone           a T5Config / Edit5Config with the backbone of the Hugging Face T5
                             checkpoint in `path` (gin/models/t5_hf.gin, edit5_hf.gin)
    edit5_objective          textedit.objectives.edit5_loss.edit5_objective
    edit5_decode_fn          textedit.decoding.edit_inference.edit5_decode_fn
    task_insertion_vocabulary the pieces inserted in a task's training edits, for
                             edit5_decode_fn.insertion_vocabulary_ids (docs/algorithms.md#
                             insertion-vocabulary)
    EditFeatureConverter     textedit.data.edit5.edit_feature_converter.EditFeatureConverter
    seq2seq_objective        textedit.objectives.seq2seq.seq2seq_objective
    seq2seq_greedy_decode_fn textedit.training.evaluation.seq2seq_greedy_decode_fn
    make_optimizer           textedit.training.optimizers.make_optimizer
    WarmupDecay              textedit.training.schedules.WarmupDecay
    TrainConfig              textedit.training.trainer.TrainConfig
    TrainDataConfig          textedit.training.train_data.TrainDataConfig
    EvalConfig               textedit.training.evaluation.EvalConfig

plus the decoder-only and distillation names of `textedit.cli.gin_decoder_only`,
the MuCoCO / simplicity-classifier names of `textedit.cli.constraint_configurables`,
the calculator / GSM8K rationale names of `textedit.cli.gsm8k_configurables`,
`lmcor_task` of `textedit.cli.lmcor_configurables`,
the reward-model / DRO-V / KTO / DPO names of `textedit.cli.preference_configurables`,
the J-BOND / REINFORCE / reward names of `textedit.cli.rl_configurables`,
the image-tower names of `textedit.cli.image_tower_configurables`,
`user_parallel_tasks` (tasks/user_data.py) and the commands' own run functions (`train`,
`infer`, which textedit/cli/train.py and infer.py register). `required_macros_unset()` lists the
macros a run file declared as `NAME = %gin.REQUIRED` that nothing has set.
"""

from __future__ import annotations

import functools
import logging
import re
from pathlib import Path
from typing import Any

import gin

# gin/ sits at the repository root, beside the package (an editable install keeps it there).
GIN_DIR = Path(__file__).resolve().parents[2] / "gin"
_REQUIRED_MACRO = re.compile(r"^([A-Za-z_][A-Za-z0-9_.]*) = %gin\.REQUIRED$", re.MULTILINE)


def _ignore_search_misses(record: logging.LogRecord) -> bool:
    return not record.getMessage().startswith("Path not found:")


def t5_config(size: str = "small", lmcor_segments: int = 0, **overrides: Any):
    """`T5Config.named(size, **overrides)`: every other parameter is a T5Config field.

    `lmcor_segments` > 0: that many segment embeddings (`T5Config.num_segments`), opened by the
    task vocabulary's T5 sentinels (its manifest, `read_manifest()`), the LMCor separators: the
    source is segment 0, the candidates after it segment 1 (with 2)."""
    from textedit.models.t5.t5_config import T5Config

    if lmcor_segments:
        from textedit.data.vocab.vocabulary import read_manifest

        manifest = read_manifest()
        overrides = {"num_segments": lmcor_segments,
                     "first_separator_id": manifest.sentencepiece_size,
                     "num_separators": manifest.num_sentinels, **overrides}
    return T5Config.named(size, **overrides)


def t5_encoder_decoder(config):
    """A `T5EncoderDecoder` for `config` (a T5Config, e.g. @t5_config())."""
    from textedit.models.t5.t5_encoder_decoder import T5EncoderDecoder

    return T5EncoderDecoder(config, name="t5")


def edit5_config(t5=None, **overrides: Any):
    """`Edit5Config(t5=t5, **overrides)`: every parameter but `t5` is an Edit5Config field."""
    from textedit.models.edit5.edit5_config import Edit5Config

    return Edit5Config(t5=t5, **overrides) if t5 is not None else Edit5Config(**overrides)


def edit5_model(config):
    """An `Edit5Model` for `config` (an Edit5Config, e.g. @edit5_config())."""
    from textedit.models.edit5.edit5_model import Edit5Model

    return Edit5Model(config, name="edit5")


def hf_t5_backbone(config, path: str | None = None):
    """`config` (a T5Config or Edit5Config) with the architecture of the Hugging Face T5 directory
    `path` (textedit.runs.hf_warm_start.hf_model_config); path is INIT_CHECKPOINT in the files."""
    if not path:
        raise SystemExit("hf_t5_backbone: set INIT_CHECKPOINT to a local Hugging Face T5 "
                         "directory (config.json, model.safetensors or pytorch_model.bin, "
                         "spiece.model), e.g. --gin.INIT_CHECKPOINT=\"'ckpt/flan-t5-small'\"")
    from textedit.runs.hf_warm_start import hf_model_config

    return hf_model_config(config, path)


def task_insertion_vocabulary(task: str, size: int | None = None) -> list[int]:
    """The piece ids inserted in text task `task`'s training edits (the edit tasks' conversion,
    position tokens of the default vocabulary), sorted; with `size`, only the `size` inserted
    most often. In gin: `edit5_decode_fn.insertion_vocabulary_ids =
    @task_insertion_vocabulary()` and `task_insertion_vocabulary.task = "gec_wi_fce"`."""
    import tasks  # noqa: F401  (registers the task)
    from textedit.cli.edit_task_stats import inserted_pieces, most_inserted
    from textedit.data.vocab.vocabulary import read_manifest

    return most_inserted(inserted_pieces(task, read_manifest().num_position_tokens), size)


@functools.cache
def register_training() -> None:
    """Registers the configurables listed in the module docstring (idempotent)."""
    from textedit.cli.gin_decoder_only import register_decoder_only
    from textedit.data.edit5.edit_feature_converter import EditFeatureConverter
    from textedit.decoding.edit_inference import edit5_decode_fn
    from textedit.objectives.edit5_loss import edit5_objective
    from textedit.objectives.seq2seq import seq2seq_objective
    from textedit.training.evaluation import EvalConfig, seq2seq_greedy_decode_fn
    from textedit.training.optimizers import make_optimizer
    from textedit.training.schedules import WarmupDecay
    from textedit.training.train_data import TrainDataConfig
    from textedit.training.trainer import TrainConfig
    gin.external_configurable(t5_config, name="t5_config")
    gin.external_configurable(t5_encoder_decoder, name="t5_encoder_decoder")
    gin.external_configurable(seq2seq_objective, name="seq2seq_objective")
    gin.external_configurable(edit5_config, name="edit5_config")
    gin.external_configurable(edit5_model, name="edit5_model")
    gin.external_configurable(hf_t5_backbone, name="hf_t5_backbone")
    gin.external_configurable(edit5_objective, name="edit5_objective")
    gin.external_configurable(edit5_decode_fn, name="edit5_decode_fn")
    gin.external_configurable(task_insertion_vocabulary, name="task_insertion_vocabulary")
    gin.external_configurable(EditFeatureConverter, name="EditFeatureConverter")
    gin.external_configurable(seq2seq_greedy_decode_fn, name="seq2seq_greedy_decode_fn")
    gin.external_configurable(make_optimizer, name="make_optimizer")
    gin.external_configurable(WarmupDecay, name="WarmupDecay")
    gin.external_configurable(TrainConfig, name="TrainConfig")
    gin.external_configurable(TrainDataConfig, name="TrainDataConfig")
    gin.external_configurable(EvalConfig, name="EvalConfig")
    user_parallel_tasks_configurable()
    register_decoder_only()  # Gemma 2, decoder-only training, distillation
    from textedit.cli.constraint_configurables import register_constrained_decoding

    register_constrained_decoding()  # MuCoCO's DECODE_FN, the simplicity classifier
    from textedit.cli.gsm8k_configurables import register_gsm8k

    register_gsm8k()  # the calculator's DECODE_FN, GSM8K rationale tasks
    from textedit.cli.lmcor_configurables import register_lmcor

    register_lmcor()  # LMCor corrector tasks over candidate files
    from textedit.cli.preference_configurables import register_preference

    register_preference()  # reward models, DRO-V, KTO, DPO
    from textedit.cli.rl_configurables import register_online_rl

    register_online_rl()  # J-BOND, REINFORCE and their rewards
    from textedit.cli.west_of_n_configurables import register_west_of_n

    register_west_of_n()  # reward-model tasks over West-of-N pair files
    from textedit.cli.image_tower_configurables import register_image_tower

    register_image_tower()  # the optional image tower (ocr_correct)
    # Includes name files from the repository root (`include 'gin/runs/train.gin'`): found
    # relative to the working directory first, then to the repository. Gin's resource reader logs
    # an error for every search-path miss; those misses are expected here.
    gin.add_config_file_search_path(str(GIN_DIR.parent))
    logging.getLogger().addFilter(_ignore_search_misses)


def required_macros_unset() -> list[str]:
    """Macros still bound to %gin.REQUIRED after parsing, in config order."""
    return _REQUIRED_MACRO.findall(gin.config_str())


def check_required_macros() -> None:
    """Exits with a message naming every unset required macro."""
    missing = required_macros_unset()
    if missing:
        settings = " ".join(f"--gin.{name}=..." for name in missing)
        raise SystemExit(
            f"required gin macro(s) not set: {', '.join(missing)}. Set them in an experiment "
            f"file or on the command line ({settings}; strings in quotes, e.g. "
            f"--gin.MODEL_DIR=\"'runs/x'\").")


def apply_gin(files: list[str], bindings: list[str]) -> None:
    """Parses gin files then bindings; unknown names fail with gin's own message."""
    if files or bindings:
        gin.parse_config_files_and_bindings(files, bindings)


@functools.cache
def user_parallel_tasks_configurable():
    """`user_parallel_tasks` (tasks/user_data.py) as a gin configurable, registered once."""
    from tasks.user_data import user_parallel_tasks

    return gin.external_configurable(user_parallel_tasks, name="user_parallel_tasks")


def word_guard_arguments(decode_fn, mixture_or_task_name: str) -> dict:
    """{"word_start_table": the task vocabulary's} for a decode function that takes one (EdiT5's
    word guards at evaluation, as `Editor` applies them); {} otherwise."""
    import inspect

    function = getattr(decode_fn, "__wrapped__", decode_fn)
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return {}
    if "word_start_table" not in parameters:
        return {}
    import seqio

    from textedit.data.vocab.vocabulary import word_start_table

    provider = seqio.get_mixture_or_task(mixture_or_task_name)
    return {"word_start_table": word_start_table(provider.output_features["inputs"].vocabulary)}
