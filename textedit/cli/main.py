"""`textedit COMMAND ...`: the one command-line entry (console script and `python -m textedit`).

Each command is a module of this package with `HELP` (one line), a docstring (its --help text),
`add_arguments(parser)` and `run(args) -> exit code`; a module with `ACCEPTS_GIN = True` also gets
`args.gin_files` and `args.gin_bindings` from `--gin_file FILE` / `--gin.NAME=VALUE`. Command
modules import TensorFlow, SeqIO and gin inside `run`, so `textedit --help` answers at once.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

# name -> module (textedit.cli.<module>); the order is the order of `textedit --help`.
COMMANDS = {
    "main": "main_job",
    "data": "data",
    "cache_tasks": "cache_tasks",
    "train": "train",
    "infer": "infer",
    "eval": "eval",
    "evaluate": "evaluate",
    "edit": "edit",
    "export": "export",
    "benchmark": "benchmark",
    "experiment": "experiment",
    "report": "report",
    "teacher_logits": "teacher_logits",
    "nll": "nll",
    "diagnose": "diagnose",
    "rationales": "rationales",
    "candidates": "candidates",
    "score": "score",
    "west_of_n": "west_of_n",
    "reward_kl": "reward_kl",
}

DESCRIPTION = """\
textedit: text-editing models (EdiT5 and seq2seq T5) on Keras 3 / TensorFlow, fed by SeqIO.

  textedit main                      vocabulary, a few minutes of EdiT5 on GEC, the edit tool
  textedit data                      the task table (examples, lengths, unchanged share)
  textedit train --gin_file=gin/experiments/edit5_gec.gin --gin.MODEL_DIR="'workdir/runs/x'"
  echo "She go to school ." | textedit edit --model workdir/runs/x

`textedit COMMAND --help` explains each command.
"""


def set_environment_defaults() -> None:
    """Before TensorFlow or SeqIO is imported: SeqIO imports JAX, which must not claim a GPU, and
    TensorFlow's C++ start-up chatter is kept to warnings."""
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="textedit", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(f"textedit.cli.{module_name}")
        accepts_gin = getattr(module, "ACCEPTS_GIN", False)
        epilog = ("Gin: --gin_file FILE (repeatable; later files override earlier bindings) and "
                  "--gin.NAME=VALUE (strings need gin quotes: --gin.MODEL_DIR=\"'dir'\")."
                  if accepts_gin else None)
        command = commands.add_parser(name, help=module.HELP, description=module.__doc__,
                                      epilog=epilog,
                                      formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(command)
        command.set_defaults(run=module.run, accepts_gin=accepts_gin)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from textedit.cli.flags import split_gin_args

    set_environment_defaults()
    gin_files, gin_bindings, rest = split_gin_args(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    args = parser.parse_args(rest)
    if (gin_files or gin_bindings) and not args.accepts_gin:
        parser.error(f"`textedit {args.command}` takes no gin arguments")
    args.gin_files, args.gin_bindings = gin_files, gin_bindings
    return int(args.run(args) or 0)


def console_main() -> None:
    """The `textedit` console script."""
    sys.exit(main())
