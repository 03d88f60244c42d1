"""Flags shared by several commands, each worded once.

- data flags: --data_dir, --vocab_dir, --skip_bad_lines (every command that reads data);
- model flags: --model, --max_input_length, --max_insert_length, --batch_size (commands that load
  a trained EdiT5 run or export); lengths default to the run's own (run.json / model.json), else
  `DEFAULT_MAX_INPUT_LENGTH` / `DEFAULT_MAX_INSERT_LENGTH`;
- gin: `--gin_file FILE` (repeatable) and `--gin.NAME=VALUE` are split off before argparse sees
  the command line (`split_gin_args`), T5X style.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

# The lengths a model is built for when neither the flag nor the run says otherwise.
DEFAULT_MAX_INPUT_LENGTH = 128
DEFAULT_MAX_INSERT_LENGTH = 64


def add_data_flags(parser: argparse.ArgumentParser, vocab_dir: bool = True) -> None:
    """Adds --data_dir, --skip_bad_lines and (unless vocab_dir=False) --vocab_dir."""
    parser.add_argument("--data_dir", help="data directory (default: $TEXTEDIT_DATA_DIR, else "
                        "../shared/data next to the repository)")
    if vocab_dir:
        parser.add_argument("--vocab_dir", help="vocabulary directory (default: "
                            "$TEXTEDIT_VOCAB_DIR, else workdir/vocab)")
    parser.add_argument("--skip_bad_lines", action="store_true",
                        help="skip (and count) malformed input lines instead of failing")


def apply_data_flags(args: argparse.Namespace) -> None:
    """Puts the data flags into effect; call before `tasks` is imported (the task features read
    the vocabulary directory at import)."""
    from textedit.data.data_dir import set_data_dir

    if getattr(args, "vocab_dir", None):
        os.environ["TEXTEDIT_VOCAB_DIR"] = str(Path(args.vocab_dir).resolve())
    set_data_dir(getattr(args, "data_dir", None))


def register_tasks(args: argparse.Namespace) -> None:
    """Imports the built-in tasks and applies --skip_bad_lines to their readers."""
    import tasks  # noqa: F401  (registers the built-in tasks)
    from tasks.registration import SETTINGS

    SETTINGS.skip_bad_lines = bool(getattr(args, "skip_bad_lines", False))


MODEL_HELP = ("an EdiT5 run directory (its latest checkpoint), a <run>/checkpoints/ckpt-N prefix, "
              "or a SavedModel written by `textedit export`")


def add_model_flags(parser: argparse.ArgumentParser, batch_size: int | None = 32,
                    model_help: str = MODEL_HELP) -> None:
    """Adds --model, --max_input_length, --max_insert_length and (unless batch_size is None)
    --batch_size. Lengths default to None: the run's own (run.json), else the defaults above."""
    parser.add_argument("--model", required=True, help=model_help)
    parser.add_argument("--max_input_length", type=int, default=None,
                        help="longest input in pieces (default: the run's, else "
                        f"{DEFAULT_MAX_INPUT_LENGTH}); longer inputs pass through unchanged")
    parser.add_argument("--max_insert_length", type=int, default=None,
                        help="insertion decoder steps (default: the run's, else "
                        f"{DEFAULT_MAX_INSERT_LENGTH})")
    if batch_size is not None:
        parser.add_argument("--batch_size", type=int, default=batch_size,
                            help="inputs per batch (default %(default)s)")


def split_gin_args(argv: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Returns (gin files, gin bindings, remaining argv); accepts `--gin_file F`, `--gin_file=F`
    and `--gin.NAME=VALUE` (T5X style)."""
    files, bindings, rest = [], [], []
    args = iter(argv)
    for arg in args:
        if arg == "--gin_file":
            value = next(args, None)
            if value is None:
                raise SystemExit("--gin_file needs a file name")
            files.append(value)
        elif arg.startswith("--gin_file="):
            files.append(arg.split("=", 1)[1])
        elif arg.startswith("--gin."):
            name, sep, value = arg[len("--gin."):].partition("=")
            if not sep:
                raise SystemExit(f"{arg}: expected --gin.NAME=VALUE")
            bindings.append(f"{name} = {value}")
        else:
            rest.append(arg)
    return files, bindings, rest


def settings_from_args(settings_class, args: argparse.Namespace):
    """A settings dataclass (e.g. an experiment's) whose every field is the flag of that name."""
    import dataclasses

    return settings_class(**{field.name: getattr(args, field.name)
                             for field in dataclasses.fields(settings_class)})


def repeat_arguments(args: argparse.Namespace, names: list[str]) -> list[str]:
    """The flags `names` as a command line that repeats them, every value spelled out (a
    results table shows it): lists as several values, floats as %g, a true bool as a bare flag;
    None, false bools and empty lists are left out."""
    argv: list[str] = []
    for name in names:
        value = getattr(args, name)
        if value is None or value is False or (isinstance(value, (list, tuple)) and not value):
            continue
        argv.append(f"--{name}")
        if value is True:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        argv += [f"{v:g}" if isinstance(v, float) else str(v) for v in values]
    return argv


def add_experiment_flags(parser: argparse.ArgumentParser, *, out_dir: str, models, variants,
                         sizes, size: str, batch_size: int, learning_rate: float,
                         workers: int) -> None:
    """The flags every experiment shares: --out_dir, --models, --variants, --size, --batch_size,
    --learning_rate, --workers, the data flags and --dry_run (an experiment adds its budgets)."""
    parser.add_argument("--out_dir", default=out_dir,
                        help="where runs, logs, tables and the plot go (default %(default)s)")
    parser.add_argument("--models", nargs="+", choices=list(models), default=list(models))
    parser.add_argument("--variants", nargs="+", choices=list(variants), default=list(variants))
    parser.add_argument("--size", choices=sorted(sizes), default=size,
                        help="model size (default %(default)s)")
    # Not --batch_size of add_model_flags: the training batch of every run.
    parser.add_argument("--batch_size", type=int, default=batch_size,
                        help="training batch of every run (default %(default)s)")
    parser.add_argument("--learning_rate", type=float, default=learning_rate,
                        help="of every run (default %(default)s)")
    parser.add_argument("--workers", type=int, default=workers,
                        help="runs at once, one per core (default %(default)s)")
    add_data_flags(parser, vocab_dir=False)
    parser.add_argument("--dry_run", action="store_true",
                        help="print the runs and their commands, then stop")
