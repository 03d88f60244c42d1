#!/usr/bin/env python3
"""Decodes a task's split with a trained model: predictions to a file (infer), or scored (eval).

    .venv/bin/python tools/infer.py --gin_file=gin/runs/infer.gin \\
        --gin_file=gin/models/t5_small.gin --gin.CHECKPOINT_PATH="'workdir/runs/seq2seq_gec'" \\
        --gin.MIXTURE_OR_TASK_NAME="'gec_jfleg'" --gin.OUTPUT_DIR="'workdir/out'"
    .venv/bin/python tools/infer.py --gin_file=gin/runs/eval.gin ...   # same, scored

The model (MODEL, from the model file the run was trained with) gets the weights of
CHECKPOINT_PATH; every trainable variable must be found there with its shape. `infer.gin` writes
OUTPUT_DIR/<task>-<split>-<step>.txt, one prediction per line in task order (score it with
`tools/evaluate.py --task <task> --predictions FILE`). `eval.gin` runs seqio.Evaluator with the
task's metric_fns instead and writes TensorBoard and JSON logs to OUTPUT_DIR. Gin arguments as in
tools/train.py; an unset REQUIRED macro stops the tool with a message naming it.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools import gin_flags  # noqa: E402
from tools.common_flags import add_data_flags  # noqa: E402


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str], list[str]]:
    gin_files, gin_bindings, rest = gin_flags.split_gin_args(argv)
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Gin: --gin_file FILE (repeatable) and --gin.NAME=VALUE.")
    add_data_flags(parser)
    args = parser.parse_args(rest)
    if not gin_files:
        parser.error("at least one --gin_file is needed (gin/runs/infer.gin or eval.gin)")
    return args, gin_files, gin_bindings


def load_trained_weights(checkpoint: str, model) -> int:
    """Loads every trainable variable from `checkpoint`; returns the checkpoint's step."""
    from textedit.training.run_artifacts import restore_trained_weights

    try:
        report, step = restore_trained_weights(checkpoint, model,
                                               "the model (check the model file)")
    except ValueError as error:
        raise SystemExit(str(error)) from None
    print(f"weights: {report.checkpoint} (step {step}, {report.loaded_parameters:,} "
          f"parameters)", flush=True)
    return step


def write_predictions(task, model, decode, lengths: Mapping[str, int], split: str,
                      max_examples: int | None, batch_size: int, path: Path) -> int:
    """Decodes `split` of `task` in order into `path`, one line per example; returns the count."""
    import seqio

    from textedit.training.evaluation import make_predict_fn

    dataset = seqio.get_dataset(task, dict(lengths), seqio.EncDecFeatureConverter(pack=False),
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
          score: bool = False) -> dict:
    """The run gin/runs/infer.gin and eval.gin configure; returns {task: scores or line count}."""
    import seqio

    from textedit.training.evaluation import TaskEvaluator

    provider = seqio.get_mixture_or_task(mixture_or_task_name)
    built = model()
    step = load_trained_weights(checkpoint, built)
    decode = decode_fn(max_decode_length=task_feature_lengths["targets"])
    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if score:
        evaluator = TaskEvaluator(mixture_or_task_name, task_feature_lengths, decode,
                                  log_dir=output, split=split, max_examples=max_examples,
                                  batch_size=batch_size)
        results = evaluator.evaluate(built, step)
        for task, values in results.items():
            shown = ", ".join(f"{k} {v:.4g}" for k, v in values.items())
            print(f"{task} {split} ({evaluator.num_examples[task]} examples, step {step}): "
                  f"{shown}", flush=True)
    else:
        results = {}
        for task in seqio.get_subtasks(provider):
            path = output / f"{task.name}-{split}-{step}.txt"
            results[task.name] = write_predictions(
                task, built, decode, task_feature_lengths, split, max_examples, batch_size, path)
            print(f"wrote {results[task.name]} predictions to {path}", flush=True)
    print(f"done in {time.perf_counter() - start:.0f}s", flush=True)
    return results


@functools.cache
def configurable_infer() -> Callable:
    import gin

    return gin.external_configurable(infer, name="infer")


def main(argv: Sequence[str]) -> int:
    args, gin_files, gin_bindings = parse_args(list(argv))
    if args.vocab_dir:
        os.environ["TEXTEDIT_VOCAB_DIR"] = str(Path(args.vocab_dir).resolve())
    import gin

    from textedit.data.data_dir import set_data_dir
    from tools import gin_configurables

    set_data_dir(args.data_dir)
    import tasks  # noqa: F401  (registers the built-in tasks)
    from tasks.registration import SETTINGS

    SETTINGS.skip_bad_lines = args.skip_bad_lines
    gin_configurables.register_training()
    run = configurable_infer()
    gin.parse_config_files_and_bindings(gin_files, gin_bindings, finalize_config=False)
    gin_configurables.check_required_macros()
    gin.finalize()
    gin_flags.user_parallel_tasks_configurable()()
    run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
