"""Trains a model from gin files, T5X style: run file + model file, joined by an experiment file.

    textedit train --gin_file=gin/experiments/seq2seq_gec.gin \\
        --gin.MODEL_DIR="'workdir/runs/seq2seq_gec'"
    textedit train --gin_file=gin/experiments/seq2seq_gec.gin \\
        --gin_file=gin/models/t5_small_slim.gin --gin.MODEL_DIR="'workdir/runs/slim'" \\
        --gin.TRAIN_STEPS=5000 --gin.BATCH_SIZE=64 --strategy=mirrored

Gin: `--gin_file FILE` (repeatable; later files override earlier bindings) and `--gin.NAME=VALUE`
(a binding or a macro; strings need gin quotes). Includes name files from the repository root
(`include 'gin/runs/train.gin'`), found from any working directory. The run file
gin/runs/train.gin documents the REQUIRED macros (MODEL_DIR, MIXTURE_OR_TASK_NAME,
TASK_FEATURE_LENGTHS, TRAIN_STEPS); one left unset stops the command with a message naming it.
The effective configuration is written to MODEL_DIR/config.gin before training, the settings
other commands read to MODEL_DIR/run.json, and the operative configuration (the values actually
used) to MODEL_DIR/operative_config.gin at the end.

Running the same command again resumes from MODEL_DIR's latest checkpoint and stops at
TRAIN_STEPS. `--strategy` picks the tf.distribute strategy (default, mirrored, multiworker, tpu);
`--check_config` parses and checks the configuration, prints it and exits without training.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from textedit.cli.flags import add_data_flags, apply_data_flags, register_tasks

HELP = "train a model from gin files (seq2seq, EdiT5, pre-training); resumes"
ACCEPTS_GIN = True


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--strategy", default="default",
                        choices=["default", "mirrored", "multiworker", "tpu"],
                        help="tf.distribute strategy (default %(default)s)")
    parser.add_argument("--tpu", default="", help="with --strategy=tpu: TPU name or address "
                        "('' = the local TPU VM)")
    parser.add_argument("--check_config", action="store_true",
                        help="parse and check the configuration, print it, do not train")
    add_data_flags(parser)


def task_vocabulary(mixture_or_task_name: str):
    """The targets vocabulary; a task without targets (a reward model's chosen / rejected pairs)
    gives its first feature's."""
    import seqio

    features = seqio.get_mixture_or_task(mixture_or_task_name).output_features
    return features.get("targets", next(iter(features.values()))).vocabulary


def task_vocab_size(mixture_or_task_name: str) -> int:
    """Ids of the targets vocabulary (SentencePiece pieces plus sentinels)."""
    return task_vocabulary(mixture_or_task_name).vocab_size


def task_vocab_dir(mixture_or_task_name: str) -> Path:
    """The directory of the task vocabulary's SentencePiece model (data/vocab/vocabulary.py)."""
    return Path(task_vocabulary(mixture_or_task_name).sentencepiece_model_file).parent


def check_position_tokens(config, vocab_dir: Path) -> None:
    """An EdiT5 config's `<pos_k>` range must be the vocabulary's (its manifest)."""
    from textedit.data.vocab.vocabulary import read_manifest

    manifest = read_manifest(vocab_dir)
    expected = (manifest.position_id(0), manifest.num_position_tokens)
    if (config.first_position_id, config.num_position_tokens) != expected:
        raise SystemExit(
            f"the model's position tokens are ids {config.first_position_id} + "
            f"{config.num_position_tokens} but the vocabulary ({vocab_dir}) reserves "
            f"{expected[0]} + {expected[1]}: set NUM_POSITION_TOKENS = {expected[1]}")


def checked_model_factory(model: Callable, vocab_size: int, vocab_dir: Path) -> Callable:
    """`model` that refuses a model whose embedding has fewer rows than the vocabulary has ids,
    or an EdiT5 model whose position tokens are not the vocabulary's."""

    def build():
        built = model()
        if hasattr(getattr(built, "config", None), "num_position_tokens"):
            check_position_tokens(built.config, vocab_dir)
        config = getattr(built, "config", None)
        # T5Config has vocab_size; Edit5Config has it on its backbone.
        rows = getattr(config, "vocab_size", None) or getattr(getattr(config, "t5", None),
                                                              "vocab_size", None)
        if rows is not None and rows < vocab_size:
            raise SystemExit(f"the model has {rows} vocabulary rows but the task vocabulary has "
                             f"{vocab_size} ids: set VOCAB_SIZE >= {vocab_size} (e.g. "
                             f"{-(-vocab_size // 128) * 128}, a multiple of 128)")
        return built

    return build


def settings_of(data, evaluation):
    """The run.json of this run (textedit/runs/run_settings.py): its tasks, the evaluation lengths
    and, for EdiT5, the insertion decoder's steps (the MAX_INSERT_LENGTH macro)."""
    import gin

    from textedit.runs.run_settings import DEFAULT_INSERT_LENGTH, RunSettings

    lengths = dict((evaluation.task_feature_lengths if evaluation else None)
                   or data.task_feature_lengths)
    try:
        insert_length = int(gin.query_parameter("%MAX_INSERT_LENGTH"))
    except ValueError:  # not an EdiT5 model file
        insert_length = DEFAULT_INSERT_LENGTH
    eval_tasks = tuple(evaluation.mixture_or_task_names) if evaluation else ()
    return RunSettings(task=data.mixture_or_task_name, eval_tasks=eval_tasks,
                       input_length=int(lengths["inputs"]),
                       decode_length=int(lengths.get("targets", lengths["inputs"])),
                       insert_length=insert_length)


def write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def train(config, data, model: Callable, objective, optimizer: Callable,
          evaluation=None, decode_fn: Callable | None = None, strategy=None,
          check_only: bool = False, vocab_dir: str | None = None):
    """The run: gin binds everything but `strategy` and `check_only` (see gin/runs/train.gin).

    The tasks are tokenised with the run's vocabulary (textedit/cli/run_vocabulary.py): `vocab_dir`
    (VOCAB_DIR), else INIT_CHECKPOINT's when that is a Hugging Face T5 directory, else the one the
    tasks were registered with. Arguments: see `train_with_vocabulary`.
    """
    from textedit.cli.run_vocabulary import run_vocabulary

    with run_vocabulary(vocab_dir, config.init_checkpoint):
        return train_with_vocabulary(config, data, model, objective, optimizer, evaluation,
                                     decode_fn, strategy, check_only)


def train_with_vocabulary(config, data, model: Callable, objective, optimizer: Callable,
                          evaluation=None, decode_fn: Callable | None = None, strategy=None,
                          check_only: bool = False):
    """The run, once the tasks have the run's vocabulary.

    Args:
      config: a TrainConfig (model_dir, steps, batch size, checkpoints, logging, precision).
      data: a TrainDataConfig (task or mixture, feature lengths, split).
      model: factory () -> Keras model, e.g. @t5_encoder_decoder; a model with a `config.vocab_size`
        smaller than the task vocabulary is refused (naming VOCAB_SIZE).
      objective: an Objective, e.g. @seq2seq_objective().
      optimizer: factory () -> Keras optimiser, e.g. @make_optimizer.
      evaluation: an EvalConfig; None or no task names = no evaluation.
      decode_fn: factory (max_decode_length) -> decode function for evaluation.
    """
    import gin
    import seqio

    from textedit.cli import gin_configurables
    from textedit.runs.run_artifacts import copy_vocabulary
    from textedit.runs.run_settings import write_run_settings
    from textedit.training.evaluation import TaskEvaluator
    from textedit.training.trainer import train as run_training

    for name in [data.mixture_or_task_name] + list(evaluation.mixture_or_task_names
                                                   if evaluation else []):
        if name not in seqio.TaskRegistry.names() and name not in seqio.MixtureRegistry.names():
            raise SystemExit(f"unknown task or mixture {name!r}; known tasks: "
                             f"{', '.join(sorted(seqio.TaskRegistry.names()))}")
    vocab_size = task_vocab_size(data.mixture_or_task_name)
    model_dir = Path(config.model_dir)
    print(f"model directory: {model_dir}\ntraining on {data.mixture_or_task_name} "
          f"({data.split}), lengths {dict(data.task_feature_lengths)}, {config.train_steps} steps "
          f"of {config.batch_size}; task vocabulary {vocab_size} ids", flush=True)
    if check_only:
        return None
    model_dir.mkdir(parents=True, exist_ok=True)
    config_path = model_dir / "config.gin"
    text = gin.config_str()
    if config_path.exists() and config_path.read_text() != text:
        previous = model_dir / f"config.{time.strftime('%Y%m%d-%H%M%S')}.gin"
        os.replace(config_path, previous)
        print(f"note: the configuration differs from the previous run's (kept as {previous})",
              flush=True)
    write_atomically(config_path, text)
    copy_vocabulary(model_dir, task_vocab_dir(data.mixture_or_task_name))
    write_run_settings(model_dir, settings_of(data, evaluation))

    evaluators = []
    if evaluation and evaluation.mixture_or_task_names:
        if decode_fn is None:
            raise SystemExit("evaluation needs DECODE_FN (set it in the model file)")
        eval_lengths = dict(evaluation.task_feature_lengths or data.task_feature_lengths)
        if "targets" not in eval_lengths:
            raise SystemExit(f"evaluation lengths {eval_lengths} name no 'targets': set "
                             "EVAL_TASK_FEATURE_LENGTHS (e.g. {'inputs': 128, 'targets': 128})")
        decode = decode_fn(max_decode_length=eval_lengths["targets"],
                           **gin_configurables.word_guard_arguments(
                               decode_fn, data.mixture_or_task_name))
        for name in evaluation.mixture_or_task_names:
            start = time.perf_counter()
            evaluators.append(TaskEvaluator(
                name, eval_lengths, decode, log_dir=model_dir / "eval",
                split=evaluation.split, max_examples=evaluation.max_examples,
                batch_size=evaluation.batch_size,
                feature_converter=evaluation.feature_converter))
            counts = ", ".join(f"{k} {v}" for k, v in evaluators[-1].num_examples.items())
            print(f"evaluation: {name} {evaluation.split}: {counts} examples "
                  f"(read in {time.perf_counter() - start:.0f}s)", flush=True)
    build_model = checked_model_factory(model, vocab_size,
                                        task_vocab_dir(data.mixture_or_task_name))
    result = run_training(config, build_model, objective, optimizer, data.dataset_fn(),
                          strategy=strategy, evaluators=evaluators)
    write_atomically(model_dir / "operative_config.gin", gin.operative_config_str())
    return result


def _quiet_epoch_warning(record: logging.LogRecord) -> bool:
    """SeqIO warns at every epoch that an uncached FunctionDataset shuffles poorly on restarts;
    here each epoch reshuffles the whole split with its own seed (train_data.py), so it is noise."""
    return "uncached FunctionDataset" not in record.getMessage()


@functools.cache
def configurable_train() -> Callable:
    """`train` registered as the gin configurable "train" (once per process)."""
    import gin

    return gin.external_configurable(train, name="train")


def run(args: argparse.Namespace) -> int:
    if not args.gin_files:
        raise SystemExit("textedit train: at least one --gin_file is needed "
                         "(e.g. gin/experiments/seq2seq_gec.gin)")
    apply_data_flags(args)
    import gin

    from textedit.cli import gin_configurables

    register_tasks(args)
    logging.getLogger("absl").addFilter(_quiet_epoch_warning)
    gin_configurables.register_training()
    train_fn = configurable_train()
    gin.parse_config_files_and_bindings(args.gin_files, args.gin_bindings,
                                        finalize_config=False)
    gin_configurables.check_required_macros()  # before gin's own check, with a clearer message
    gin.finalize()
    gin_configurables.user_parallel_tasks_configurable()()
    if args.check_config:
        print(gin.config_str())
        train_fn(check_only=True)
        return 0
    from textedit.training.distribution import make_strategy

    strategy = make_strategy(args.strategy, tpu=args.tpu)
    result = train_fn(strategy=strategy)
    print(f"done: {result.step} steps; checkpoints kept at steps {result.checkpoints}", flush=True)
    return 0
