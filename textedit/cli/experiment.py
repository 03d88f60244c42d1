"""`textedit experiment SUBCOMMAND`: the project's experiments, each a queue of `textedit`
commands (train, sample, score) on the machine's cores with tables (and plots) at the end.

    textedit experiment low_resource --dry_run   # sentence fusion at 1 / 10 / 100% of the data
    textedit experiment gec --dry_run            # GEC learning curves, EdiT5 vs seq2seq
    textedit experiment mucoco --simplifier RUN --classifier RUN   # constrained decoding
    textedit experiment gsm8k --dry_run          # chain-of-thought distillation on GSM8K
    textedit experiment west_of_n --policy RUN --dry_run   # reward-model self-training
    textedit experiment preference --dry_run     # DRO-V / KTO / DPO / IPO, judged win rates
    textedit experiment lmcor --dry_run          # LMCor correctors vs selection baselines

`textedit experiment SUBCOMMAND --help` explains each.
"""

from __future__ import annotations

import argparse
import importlib

from textedit.cli import (
    experiment_gec,
    experiment_gsm8k,
    experiment_lmcor,
    experiment_low_resource,
    experiment_mucoco,
    experiment_preference,
    experiment_west_of_n,
)

HELP = ("run an experiment: low_resource, gec, mucoco, gsm8k, west_of_n, preference or lmcor "
        "(tables and plots)")
SUBCOMMANDS = {"low_resource": experiment_low_resource, "gec": experiment_gec,
               "mucoco": experiment_mucoco, "gsm8k": experiment_gsm8k,
               "west_of_n": experiment_west_of_n, "preference": experiment_preference,
               "lmcor": experiment_lmcor}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="experiment", metavar="SUBCOMMAND", required=True)
    for name, module in SUBCOMMANDS.items():
        library = importlib.import_module(module.LIBRARY)  # light: no TensorFlow at import
        command = commands.add_parser(name, help=module.HELP,
                                      description=f"{module.__doc__}\n{library.__doc__}",
                                      formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(command)
        command.set_defaults(experiment_run=module.run)


def run(args: argparse.Namespace) -> int:
    return args.experiment_run(args)
