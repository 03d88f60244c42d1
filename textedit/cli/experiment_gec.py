"""`textedit experiment gec`: EdiT5 against seq2seq of the same size on GEC (W&I + FCE) at the
same CPU budget, from scratch and after synthetic pre-training, scored every few minutes: a
Markdown table and a learning-curve plot (quality against training minutes).

    textedit experiment gec --dry_run                     # the chunks and their commands
    textedit experiment gec --minutes 60 --eval_every_minutes 15 --variants scratch
    textedit experiment gec --models edit5 --gin LOSS_REDUCTION="'sum'" --out_dir workdir/x

Each run trains in chunks of --eval_every_minutes of train-step time (one core each, `taskset`),
then is scored on JFLEG dev (GLEU) and the first --wi_examples W&I dev sentences (ERRANT F0.5),
beside the copy baseline on the same sentences. Library: textedit/benchmarks/gec_experiment.py,
whose docstring lists every run and binding.
"""

from __future__ import annotations

import argparse

from textedit.cli import flags

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
    parser.add_argument("--out_dir", default=str(DEFAULT_OUT_DIR),
                        help="where runs, logs, tables and the plot go (default %(default)s)")
    parser.add_argument("--minutes", type=float, default=defaults.minutes,
                        help="train-step minutes of each run (default %(default)s)")
    parser.add_argument("--eval_every_minutes", type=float, default=defaults.eval_every_minutes,
                        help="score each run after every this many minutes (default %(default)s)")
    parser.add_argument("--synthetic_minutes", type=float, default=defaults.synthetic_minutes,
                        help="minutes of gec_synthetic pre-training (default %(default)s)")
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument("--size", choices=sorted(MODEL_FILES), default=defaults.size,
                        help="model size (default %(default)s)")
    # Not the shared --batch_size (flags.add_model_flags): the training batch of every run.
    parser.add_argument("--batch_size", type=int, default=defaults.batch_size)
    parser.add_argument("--learning_rate", type=float, default=defaults.learning_rate)
    parser.add_argument("--jfleg_examples", type=int, default=defaults.jfleg_examples,
                        help="JFLEG dev sentences scored (0 = all 754)")
    parser.add_argument("--wi_examples", type=int, default=defaults.wi_examples,
                        help="first W&I dev sentences scored (0 = all; default %(default)s)")
    parser.add_argument("--workers", type=int, default=defaults.workers,
                        help="runs at once, one per core (default %(default)s)")
    parser.add_argument("--gin", action="append", default=[], metavar="NAME=VALUE",
                        help="an extra gin binding for every run (repeatable)")
    flags.add_data_flags(parser, vocab_dir=False)
    parser.add_argument("--dry_run", action="store_true", help="print the chunks and stop")


def settings(args: argparse.Namespace):
    import dataclasses

    from textedit.benchmarks.gec_experiment import GecExperimentSettings

    return GecExperimentSettings(**{field.name: getattr(args, field.name)
                                    for field in dataclasses.fields(GecExperimentSettings)})


def arguments(args: argparse.Namespace) -> list[str]:
    """The flags that repeat this experiment (shown in results.md)."""
    argv = ["--out_dir", args.out_dir, "--minutes", f"{args.minutes:g}",
            "--eval_every_minutes", f"{args.eval_every_minutes:g}",
            "--synthetic_minutes", f"{args.synthetic_minutes:g}", "--models", *args.models,
            "--variants", *args.variants, "--size", args.size,
            "--batch_size", str(args.batch_size), "--learning_rate", f"{args.learning_rate:g}",
            "--jfleg_examples", str(args.jfleg_examples), "--wi_examples", str(args.wi_examples),
            "--workers", str(args.workers)]
    for binding in args.gin:
        argv += ["--gin", binding]
    if args.data_dir:
        argv += ["--data_dir", args.data_dir]
    return argv


def copy_scores(args: argparse.Namespace) -> dict[str, float]:
    """The copy baseline's headline scores on the sentences the runs are scored on."""
    from textedit.benchmarks.gec_experiment import HEADLINE
    from textedit.metrics import task_evaluation

    flags.register_tasks(args)
    limits = {"gec_jfleg": args.jfleg_examples, "gec_wi_fce": args.wi_examples}
    scores = {}
    for task, metric in HEADLINE.items():
        split = task_evaluation.read_split(task, "validation")
        if limits[task]:
            split = task_evaluation.SplitExamples(task, split.split,
                                                  split.examples[:limits[task]],
                                                  split.targets[:limits[task]])
        values = {k: v for result in task_evaluation.score(split, split.sources())
                  for k, v in result.scores.items()}
        scores[f"{task}/{metric}"] = values.get(metric)
    return scores


def run(args: argparse.Namespace) -> int:
    from textedit.benchmarks.gec_experiment import run_experiment

    flags.apply_data_flags(args)
    return run_experiment(settings(args), arguments(args), lambda: copy_scores(args),
                          dry_run=args.dry_run)
