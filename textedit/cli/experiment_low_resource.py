"""`textedit experiment low_resource`: the EdiT5 paper's Table 2 on our data: sentence fusion
from 1%, 10% and 100% of WikiSplit's training pairs, EdiT5 against seq2seq, each with and without
pre-training, every run with the same CPU budget.

    textedit experiment low_resource         # the default run: about an hour on 2 cores
    textedit experiment low_resource --finetune_minutes 20 --out_dir workdir/experiments/long
    textedit experiment low_resource --dry_run   # print the plan and the commands

Before the runs, `textedit data --no_table` prepares the vocabulary (not with --dry_run). What
follows is the library's account of the runs and outputs (textedit/benchmarks/experiment.py).
"""

from __future__ import annotations

import argparse
import os

from textedit.cli import flags

LIBRARY = "textedit.benchmarks.experiment"
HELP = "the low-resource sentence-fusion experiment: EdiT5 vs seq2seq, with and without " \
       "pre-training"


def _share(value: str) -> float:
    from textedit.benchmarks.experiment import REGISTERED_SHARES

    share = float(value)
    if share not in REGISTERED_SHARES:
        raise argparse.ArgumentTypeError(
            f"registered shares are {sorted(REGISTERED_SHARES)}; register others with "
            "tasks.low_resource.register_train_share_task in a task module")
    return share


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from textedit.benchmarks.experiment import DEFAULT_OUT_DIR, MODELS, SIZE_FILES

    flags.add_experiment_flags(parser, out_dir=str(DEFAULT_OUT_DIR), models=MODELS,
                               variants=("pretrained", "scratch"), sizes=SIZE_FILES, size="mini",
                               batch_size=32, learning_rate=1e-3, workers=os.cpu_count() or 1)
    parser.add_argument("--pretrain_minutes", type=float, default=10.0,
                        help="train-step time of each of the 3 pre-training runs (default "
                        "%(default)s)")
    parser.add_argument("--finetune_minutes", type=float, default=5.0,
                        help="train-step time of each fine-tuning run (default %(default)s)")
    parser.add_argument("--shares", type=_share, nargs="+", default=[1.0, 10.0, 100.0],
                        help="percent of the training pairs (1, 10 are registered tasks; "
                        "default %(default)s)")
    parser.add_argument("--eval_examples", type=int, default=1000,
                        help="first N validation pairs scored (0 = all 5,000; default "
                        "%(default)s)")
    parser.add_argument("--pretrain_eval_examples", type=int, default=200,
                        help="validation examples each pre-training run is scored on")


def settings(args: argparse.Namespace):
    """The parsed flags as `ExperimentSettings`."""
    from textedit.benchmarks.experiment import ExperimentSettings

    return flags.settings_from_args(ExperimentSettings, args)


def arguments(args: argparse.Namespace) -> list[str]:
    """The flags that repeat this experiment, every setting spelled out (shown in results.md)."""
    import dataclasses

    from textedit.benchmarks.experiment import ExperimentSettings

    return flags.repeat_arguments(args, [f.name for f in dataclasses.fields(ExperimentSettings)])


def run(args: argparse.Namespace) -> int:
    from textedit.benchmarks.experiment import run_experiment

    # The results tables read fusion_wikisplit from the data directory in this process; the
    # runs get --data_dir passed on.
    flags.apply_data_flags(args)
    return run_experiment(settings(args), arguments(args), dry_run=args.dry_run)
