"""`textedit experiment low_resource`: the EdiT5 paper's Table 2 on our data: sentence fusion
from 1%, 10% and 100% of WikiSplit's training pairs, EdiT5 against seq2seq, each with and without
pre-training, every run with the same CPU budget.

    textedit experiment low_resource         # the default run: about an hour on 2 cores
    textedit experiment low_resource --finetune_minutes 20 --out_dir workdir/experiments/long
    textedit experiment low_resource --dry_run   # print the plan and the commands

Runs (each a `textedit train` command, printed and kept in the run's log under OUT_DIR/logs/):
1. pretrain_t5: a T5 pre-trained with span corruption on clean_text (--pretrain_minutes).
2. pretrain_edit5 / pretrain_seq2seq: from pretrain_t5, edit-noise pre-training on the same
   clean_text (spans dropped, swapped, added): EdiT5 on edit5_pretrain_edit_noise, seq2seq on
   its plain twin pretrain_edit_noise (--pretrain_minutes each). Both models get the same
   pre-training data and time.
3. For every share (fusion_wikisplit_1pct: 50 pairs, _10pct: 500, fusion_wikisplit: 5,000;
   tasks/low_resource.py) and model: a run from scratch and one from its model's pre-training
   run (INIT_CHECKPOINT), each --finetune_minutes of train-step time (MAX_TRAIN_SECONDS; the
   compiling first step and the evaluation are not counted), then evaluated on the first
   --eval_examples pairs of fusion_wikisplit's validation split: exact match and SARI (and BLEU).
Before them, `textedit data --no_table` prepares the vocabulary (not with --dry_run).
Models: the mini sizes (gin/models/t5_mini.gin: 2+2 layers; edit5_mini.gin: 2+1 layers; d_model
128), batch 32, AdamW 1e-3 constant after 100 warm-up steps; dropout 0 in pre-training, 0.1 in
fine-tuning. The runs share --workers cores, one run per core (textedit/benchmarks/job_queue.py).

Outputs in OUT_DIR: runs/<run>/ (run directories; `textedit edit` and `textedit report` take
them), results.md (the tables), results.json, quality_vs_share.png. Re-running the command skips
the runs that finished (their runs/<run>/experiment_done.json) and rewrites the tables.
Library: textedit/benchmarks/experiment.py.
"""

from __future__ import annotations

import argparse
import os

from textedit.cli import flags

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

    parser.add_argument("--out_dir", default=str(DEFAULT_OUT_DIR),
                        help="where runs, logs, tables and the plot go (default %(default)s)")
    parser.add_argument("--pretrain_minutes", type=float, default=10.0,
                        help="train-step time of each of the 3 pre-training runs (default "
                        "%(default)s)")
    parser.add_argument("--finetune_minutes", type=float, default=5.0,
                        help="train-step time of each fine-tuning run (default %(default)s)")
    parser.add_argument("--shares", type=_share, nargs="+", default=[1.0, 10.0, 100.0],
                        help="percent of the training pairs (1, 10 are registered tasks; "
                        "default %(default)s)")
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--variants", nargs="+", choices=["pretrained", "scratch"],
                        default=["pretrained", "scratch"])
    parser.add_argument("--size", choices=sorted(SIZE_FILES), default="mini",
                        help="model size (default %(default)s)")
    # Not the shared --batch_size (flags.add_model_flags): the training batch of every run.
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--learning_rate", type=float, default=1e-3)
    parser.add_argument("--eval_examples", type=int, default=1000,
                        help="first N validation pairs scored (0 = all 5,000; default "
                        "%(default)s)")
    parser.add_argument("--pretrain_eval_examples", type=int, default=200,
                        help="validation examples each pre-training run is scored on")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="runs at once, one per core (default: the cores, %(default)s)")
    flags.add_data_flags(parser, vocab_dir=False)
    parser.add_argument("--dry_run", action="store_true", help="print the runs and stop")


def settings(args: argparse.Namespace):
    """The parsed flags as `ExperimentSettings`."""
    import dataclasses

    from textedit.benchmarks.experiment import ExperimentSettings

    return ExperimentSettings(**{field.name: getattr(args, field.name)
                                 for field in dataclasses.fields(ExperimentSettings)})


def arguments(args: argparse.Namespace) -> list[str]:
    """The flags that repeat this experiment, every setting spelled out (shown in results.md)."""
    argv = ["--out_dir", args.out_dir, "--pretrain_minutes", f"{args.pretrain_minutes:g}",
            "--finetune_minutes", f"{args.finetune_minutes:g}",
            "--shares", *(f"{s:g}" for s in args.shares), "--models", *args.models,
            "--variants", *args.variants, "--size", args.size,
            "--batch_size", str(args.batch_size), "--learning_rate", f"{args.learning_rate:g}",
            "--eval_examples", str(args.eval_examples),
            "--pretrain_eval_examples", str(args.pretrain_eval_examples),
            "--workers", str(args.workers)]
    if args.data_dir:
        argv += ["--data_dir", args.data_dir]
    if args.skip_bad_lines:
        argv.append("--skip_bad_lines")
    return argv


def run(args: argparse.Namespace) -> int:
    from textedit.benchmarks.experiment import run_experiment

    # The results tables read fusion_wikisplit from the data directory in this process; the
    # runs get --data_dir passed on.
    flags.apply_data_flags(args)
    return run_experiment(settings(args), arguments(args), dry_run=args.dry_run)
