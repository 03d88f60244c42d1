"""`--constraint` / `--classifier` of `textedit infer` and `eval`: decode with MuCoCO.

    textedit infer --gin_file=gin/models/t5_mini.gin --gin.CHECKPOINT_PATH="'RUN'" \\
        --gin.MIXTURE_OR_TASK_NAME="'simplify_asset'" --gin.OUTPUT_DIR="'OUT'" \\
        --constraint simple:0.6 --constraint close:0.8 --classifier CLASSIFIER_RUN

The flags become gin bindings (`DECODE_FN = @mucoco_decode_fn` and its `constraints` /
`classifier_dir`); other MuCoCO settings are gin bindings too (`--gin.mucoco_decode_fn.steps=60`,
see gin/runs/mucoco.gin). Next to each predictions file `<task>-<split>-<step>.txt` goes
`<task>-<split>-<step>.constraints.jsonl`: one record per prediction with its constraint values,
whether it satisfies them and whether the initial (greedy) output already did.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path


def add_constraint_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--constraint", action="append", default=[], metavar="SPEC",
                        help="decode with MuCoCO under SPEC (repeatable): simple[:P], close[:C], "
                             "length[:R], keyword:WORD[+WORD]")
    parser.add_argument("--classifier", metavar="DIR",
                        help="the simplicity classifier's run directory (for simple[:P])")


def check_constraint_flags(args: argparse.Namespace) -> None:
    """ValueError for --classifier without --constraint, or a spec that does not parse."""
    if args.classifier and not args.constraint:
        raise ValueError("--classifier is only used with --constraint simple[:P]")
    from textedit.decoding.constraint_specs import parse_spec

    try:
        for spec in args.constraint:
            parse_spec(spec)
    except ValueError as error:
        raise ValueError(f"--constraint: {error}") from None


def constraint_bindings(args: argparse.Namespace) -> list[str]:
    """Gin bindings for the flags ([] without --constraint); SystemExit on a bad spec."""
    try:
        check_constraint_flags(args)
    except ValueError as error:
        raise SystemExit(str(error)) from None
    if not args.constraint:
        return []
    bindings = ["DECODE_FN = @mucoco_decode_fn",
                f"mucoco_decode_fn.constraints = {json.dumps(args.constraint)}"]
    if args.classifier:
        bindings.append(f"mucoco_decode_fn.classifier_dir = {json.dumps(args.classifier)}")
    return bindings


def write_constraint_records(decode, predictions_path: Path, count: int) -> Path | None:
    """Writes the records a MuCoCO decode function kept (one per prediction) beside the
    predictions file and clears them; None for a decode function that keeps none."""
    records = getattr(decode, "records", None)
    if records is None:
        return None
    if len(records) != count:
        raise RuntimeError(f"{len(records)} constraint records for {count} predictions")
    path = predictions_path.with_suffix(".constraints.jsonl")
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    os.replace(temporary, path)
    satisfied = sum(r["satisfied"] for r in records)
    initially = sum(r["initial_satisfied"] for r in records)
    print(f"constraints: {satisfied}/{count} satisfied ({initially} already by the initial "
          f"output); values in {path}", flush=True)
    records.clear()
    return path
