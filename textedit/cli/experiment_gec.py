"""`textedit experiment gec`: EdiT5 against seq2seq of the same size on GEC (W&I + FCE) at the
same CPU budget, from scratch and after synthetic pre-training, scored every few minutes: a
Markdown table and a learning-curve plot (quality against training minutes).

    textedit experiment gec --dry_run                     # the chunks and their commands
    textedit experiment gec --minutes 60 --eval_every_minutes 15 --variants scratch
    textedit experiment gec --models edit5 --gin LOSS_REDUCTION="'sum'" --out_dir workdir/x

Each run trains in chunks of --eval_every_minutes of train-step time (one core each, `taskset`),
then is scored on the first --eval_examples sentences of JFLEG dev (GLEU) and W&I dev (ERRANT
F0.5), beside the copy baseline on the same sentences. What follows is the library's account of the
runs and outputs (textedit/benchmarks/gec_experiment.py).
"""

from __future__ import annotations

import argparse

from textedit.cli import flags

LIBRARY = "textedit.benchmarks.gec_experiment"
HELP = "GEC learning curves: EdiT5 vs seq2seq, scratch vs synthetic pre-training"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from textedit.benchmarks.gec_experiment import (
        DEFAULT_OUT_DIR,
        MODEL_FILES,
        MODELS,
        VARIANTS,
        GecExperimentSettings,
    )

    defaults = GecExperimentSettings()
    flags.add_experiment_flags(parser, out_dir=str(DEFAULT_OUT_DIR), models=MODELS,
                               variants=VARIANTS, sizes=MODEL_FILES, size=defaults.size,
                               batch_size=defaults.batch_size,
                               learning_rate=defaults.learning_rate, workers=defaults.workers)
    parser.add_argument("--minutes", type=float, default=defaults.minutes,
                        help="train-step minutes of each run (default %(default)s)")
    parser.add_argument("--eval_every_minutes", type=float, default=defaults.eval_every_minutes,
                        help="score each run after every this many minutes (default %(default)s)")
    parser.add_argument("--synthetic_minutes", type=float, default=defaults.synthetic_minutes,
                        help="minutes of gec_synthetic pre-training (default %(default)s)")
    parser.add_argument("--eval_examples", type=int, default=defaults.eval_examples,
                        help="first N sentences of JFLEG dev and of W&I dev scored (0 = all; "
                        "default %(default)s)")
    parser.add_argument("--gin", action="extend", nargs="+", default=[], metavar="NAME=VALUE",
                        help="extra gin bindings for every run")


def settings(args: argparse.Namespace):
    """The parsed flags as `GecExperimentSettings`."""
    from textedit.benchmarks.gec_experiment import GecExperimentSettings

    return flags.settings_from_args(GecExperimentSettings, args)


def arguments(args: argparse.Namespace) -> list[str]:
    """The flags that repeat this experiment, every setting spelled out (shown in results.md)."""
    import dataclasses

    from textedit.benchmarks.gec_experiment import GecExperimentSettings

    return flags.repeat_arguments(args, [f.name for f in dataclasses.fields(GecExperimentSettings)])


def copy_scores(args: argparse.Namespace) -> dict[str, float]:
    """The copy baseline's headline scores on the sentences the runs are scored on."""
    from textedit.benchmarks.gec_experiment import HEADLINE
    from textedit.metrics import task_evaluation

    flags.register_tasks(args)
    limit = args.eval_examples
    scores = {}
    for task, metric in HEADLINE.items():
        split = task_evaluation.read_split(task, "validation")
        if limit:
            split = task_evaluation.SplitExamples(task, split.split, split.examples[:limit],
                                                  split.targets[:limit])
        values = {k: v for result in task_evaluation.score(split, split.sources())
                  for k, v in result.scores.items()}
        scores[f"{task}/{metric}"] = values.get(metric)
    return scores


def run(args: argparse.Namespace) -> int:
    from textedit.benchmarks.gec_experiment import run_experiment

    flags.apply_data_flags(args)
    return run_experiment(settings(args), arguments(args), lambda: copy_scores(args),
                          dry_run=args.dry_run)
