"""Decodes a task's split with a trained model and writes the predictions (`textedit infer`),
or scores them with the task's metrics (`textedit eval`).

    textedit infer --gin_file=gin/models/t5_small.gin \\
        --gin.CHECKPOINT_PATH="'workdir/runs/seq2seq_gec'" \\
        --gin.MIXTURE_OR_TASK_NAME="'gec_jfleg'" --gin.OUTPUT_DIR="'workdir/out'"
    textedit eval --gin_file=gin/models/edit5_mini.gin --gin.CHECKPOINT_PATH="'workdir/runs/x'" \\
        --gin.MIXTURE_OR_TASK_NAME="'gec_jfleg'" --gin.OUTPUT_DIR="'workdir/out'"

The run file comes first by itself (gin/runs/infer.gin, or eval.gin for `textedit eval`); add the
model file the run was trained with. The model (MODEL) gets the weights of CHECKPOINT_PATH; every
trainable variable must be found there with its shape, and the model's settings must be those of
the run's model.json (settings without weights, such as absolute positions, are compared
there: textedit/runs/run_artifacts.py model_config_differences). The tasks are tokenised with
the run's own vocabulary (CHECKPOINT_PATH's <run>/vocab, written by `textedit train`) unless
--vocab_dir / $TEXTEDIT_VOCAB_DIR names one (textedit/cli/run_vocabulary.py). `infer` writes
OUTPUT_DIR/<task>-<split>-<step>.txt, one prediction per line in task order (score it with
`textedit evaluate --task <task> --predictions FILE`), and OUTPUT_DIR/timing.json (each task's
examples and decoding seconds, the first XLA compilation included). `eval` runs seqio.Evaluator
with the task's metric_fns instead and writes TensorBoard and JSON logs to OUTPUT_DIR. An unset
REQUIRED macro stops the command with a message naming it.

`--constraint SPEC` (repeatable) decodes with MuCoCO instead, under constraints such as
simple:0.6, close:0.8, length:0.9, keyword:WORD (`--classifier RUN` for simple), and writes each
example's constraint values to `<task>-<split>-<step>.constraints.jsonl` beside the predictions
(textedit/cli/constraint_flags.py).

`--best_of_n N --reward R` samples N outputs per input and keeps the one of highest reward: R is
`ngram_f1` (against the task's target, an oracle choice for measurements) or a reward-model run
(textedit/cli/best_of_n_flags.py, textedit/decoding/best_of_n.py).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from textedit.cli.best_of_n_flags import add_best_of_n_flags, best_of_n_bindings, report_best_of_n
from textedit.cli.constraint_flags import (
    add_constraint_flags,
    constraint_bindings,
    write_constraint_records,
)
from textedit.cli.flags import add_data_flags, apply_data_flags, register_tasks

HELP = "decode a task's split with a trained model into a predictions file"
ACCEPTS_GIN = True
RUN_FILE = "runs/infer.gin"  # under gin/


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_flags(parser)
    add_constraint_flags(parser)
    add_best_of_n_flags(parser)


def load_trained_weights(checkpoint: str, model) -> int:
    """Loads every trainable variable from `checkpoint`; returns the checkpoint's step."""
    from textedit.runs.run_artifacts import (
        MODEL_CONFIG_FILE,
        model_config_differences,
        restore_trained_weights,
        run_dir_of,
    )

    try:
        report, step = restore_trained_weights(checkpoint, model,
                                               "the model (check the model file)")
    except ValueError as error:
        raise SystemExit(str(error)) from None
    run_dir = run_dir_of(checkpoint)
    differences = model_config_differences(run_dir, model)
    if differences:
        raise SystemExit(
            f"the model built from the gin files is not the model of {run_dir} "
            f"(its {MODEL_CONFIG_FILE}), in settings that have no weights to tell:\n  "
            + "\n  ".join(differences)
            + "\nbind the run's values (e.g. --gin.t5_config.absolute_positions=True) or "
            "pass the model file it was trained with")
    averaged = ", the run's weight average" if report.weights == "average" else ""
    print(f"weights: {report.checkpoint} (step {step}{averaged}, {report.loaded_parameters:,} "
          f"parameters)", flush=True)
    return step


def write_predictions(task, model, decode, lengths: Mapping[str, int], split: str,
                      max_examples: int | None, batch_size: int, path: Path,
                      feature_converter=None) -> int:
    """Decodes `split` of `task` in order into `path`, one line per example; returns the count
    (`feature_converter` None = EncDecFeatureConverter without packing)."""
    import seqio

    from textedit.training.evaluation import make_predict_fn

    converter = feature_converter or seqio.EncDecFeatureConverter(pack=False)
    dataset = seqio.get_dataset(task, dict(lengths), converter,
                                dataset_split=split, shuffle=False, num_epochs=1, verbose=False)
    if max_examples:
        dataset = dataset.take(max_examples)
    predictions = sorted(make_predict_fn(model, decode, batch_size)(dataset.enumerate()))
    vocabulary = task.output_features["targets"].vocabulary
    lines = [" ".join(vocabulary.decode(tokens).split()) for _, tokens in predictions]
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    os.replace(temporary, path)
    return len(lines)


def infer(checkpoint: str, mixture_or_task_name: str, output_dir: str,
          task_feature_lengths: Mapping[str, int], model: Callable, decode_fn: Callable,
          split: str = "validation", max_examples: int | None = None, batch_size: int = 32,
          score: bool = False, feature_converter=None) -> dict:
    """The run gin/runs/infer.gin and eval.gin configure; returns {task: scores or line count}.

    The tasks are tokenised with the vocabulary the run was trained with (`trained_run_vocabulary`:
    <run>/vocab unless --vocab_dir / $TEXTEDIT_VOCAB_DIR is given). Arguments: see
    `infer_with_vocabulary`.
    """
    from textedit.cli.run_vocabulary import trained_run_vocabulary

    with trained_run_vocabulary(checkpoint):
        return infer_with_vocabulary(checkpoint, mixture_or_task_name, output_dir,
                                     task_feature_lengths, model, decode_fn, split, max_examples,
                                     batch_size, score, feature_converter)


def infer_with_vocabulary(checkpoint: str, mixture_or_task_name: str, output_dir: str,
                          task_feature_lengths: Mapping[str, int], model: Callable,
                          decode_fn: Callable, split: str = "validation",
                          max_examples: int | None = None, batch_size: int = 32,
                          score: bool = False, feature_converter=None) -> dict:
    """`infer`, once the tasks have the run's vocabulary.

    Args:
      checkpoint: CHECKPOINT_PATH (a run directory, its checkpoints/, or a ckpt-N prefix).
      mixture_or_task_name: the task, or a mixture (one output per task).
      output_dir: where predictions (and, when `score`, metrics) go.
      task_feature_lengths: {"inputs": n, "targets": m}: inputs are cut to n ids, decoding stops
        after m.
      model: builds the model the run was trained with (MODEL).
      decode_fn: DECODE_FN, called with max_decode_length (and EdiT5's word_start_table).
      split, max_examples, batch_size: which examples, how many (None: all), how many at once.
      score: score with the task's metric_fns (`textedit eval`) instead of writing predictions.
      feature_converter: None = EncDecFeatureConverter without packing; a model that reads more
        than tokens needs its own (gin/models/image_tower_infer.gin: the image tower's).
    """
    import seqio

    from textedit.training.evaluation import TaskEvaluator

    provider = seqio.get_mixture_or_task(mixture_or_task_name)
    built = model()
    step = load_trained_weights(checkpoint, built)
    from textedit.cli.gin_configurables import word_guard_arguments

    decode = decode_fn(max_decode_length=task_feature_lengths["targets"],
                       **word_guard_arguments(decode_fn, mixture_or_task_name))
    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if score:
        evaluator = TaskEvaluator(mixture_or_task_name, task_feature_lengths, decode,
                                  log_dir=output, split=split, max_examples=max_examples,
                                  batch_size=batch_size, feature_converter=feature_converter)
        results = evaluator.evaluate(built, step)
        for task, values in results.items():
            shown = ", ".join(f"{k} {v:.4g}" for k, v in values.items())
            print(f"{task} {split} ({evaluator.num_examples[task]} examples, step {step}): "
                  f"{shown}", flush=True)
    else:
        results, timing = {}, {}
        for task in seqio.get_subtasks(provider):
            path = output / f"{task.name}-{split}-{step}.txt"
            began = time.perf_counter()
            results[task.name] = write_predictions(
                task, built, decode, task_feature_lengths, split, max_examples, batch_size, path,
                feature_converter)
            timing[task.name] = {"examples": results[task.name], "step": step,
                                 "batch_size": batch_size,
                                 "seconds": round(time.perf_counter() - began, 3)}
            print(f"wrote {results[task.name]} predictions to {path}", flush=True)
            write_constraint_records(decode, path, results[task.name])
            report_best_of_n(decode)
        # Decoding time per task (first compilation included), read by experiment tables.
        (output / "timing.json").write_text(json.dumps(timing, indent=1) + "\n",
                                            encoding="utf-8")
    print(f"done in {time.perf_counter() - start:.0f}s", flush=True)
    return results


@functools.cache
def configurable_infer() -> Callable:
    import gin

    return gin.external_configurable(infer, name="infer")


def run(args: argparse.Namespace, run_file: str = RUN_FILE) -> int:
    """Parses `run_file` first, then the user's gin files and bindings, and decodes."""
    if not args.gin_files:
        raise SystemExit("at least one --gin_file is needed: the model file the run was "
                         "trained with (e.g. gin/models/edit5_mini.gin)")
    apply_data_flags(args)
    args.gin_bindings = [*args.gin_bindings, *constraint_bindings(args),
                         *best_of_n_bindings(args)]
    import gin

    from textedit.cli import gin_configurables

    register_tasks(args)
    gin_configurables.register_training()
    infer_fn = configurable_infer()
    run_path = str(gin_configurables.GIN_DIR / run_file)
    gin.parse_config_files_and_bindings([run_path, *args.gin_files], args.gin_bindings,
                                        finalize_config=False)
    gin_configurables.check_required_macros()
    gin.finalize()
    gin_configurables.user_parallel_tasks_configurable()()
    infer_fn()
    return 0
