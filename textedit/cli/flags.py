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
