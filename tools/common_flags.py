"""Flags every data-reading tool takes, worded once: --data_dir, --vocab_dir, --skip_bad_lines."""

from __future__ import annotations

import argparse


def add_data_flags(parser: argparse.ArgumentParser, vocab_dir: bool = True) -> None:
    """Adds --data_dir, --skip_bad_lines and (unless vocab_dir=False) --vocab_dir."""
    parser.add_argument("--data_dir", help="data directory (default: $TEXTEDIT_DATA_DIR, else "
                        "../shared/data next to the repository, else /work/shared/data)")
    if vocab_dir:
        parser.add_argument("--vocab_dir", help="vocabulary directory (default: "
                            "$TEXTEDIT_VOCAB_DIR, else workdir/vocab)")
    parser.add_argument("--skip_bad_lines", action="store_true",
                        help="skip (and count) malformed input lines instead of failing")
