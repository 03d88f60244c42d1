#!/usr/bin/env python3
"""Exports a trained EdiT5 run as a TensorFlow SavedModel for serving (tokenisation inside).

    .venv/bin/python tools/export.py --model workdir/runs/edit5_gec --output export/edit5_gec
    .venv/bin/python tools/export.py --model workdir/runs/edit5_gec/checkpoints/ckpt-3000 \\
        --output export/edit5_gec --max_input_length 64 --max_insert_length 32 --overwrite

--model is a run directory written by tools/train.py (model.json, checkpoints/, vocab/; its
latest checkpoint) or one `<run>/checkpoints/ckpt-N` prefix. The SavedModel has two signatures:

    serving_default   text string [batch] -> {"outputs": string [batch]}: SentencePiece
                      tokenisation, EdiT5 editing (XLA) and realisation, detokenisation
    edit_ids          encoder_input_tokens int32 [batch, max_input_length] (pieces, EOS, 0s)
                      -> {"tags", "pointers", "order", "insertion_tokens"} int32

Inputs longer than max_input_length - 1 pieces come back unchanged (whitespace-normalised),
empty ones as "". The output directory also holds assets/textedit.model and
textedit_export.json (ids, lengths, the run and step). Serve it with TensorFlow Serving, load it
with `tf.saved_model.load`, or edit with it through tools/edit.py --model OUTPUT.
See textedit/decoding/edit_export.py.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, metavar="RUN_DIR",
                        help="a run directory (its latest checkpoint) or a "
                        "<run>/checkpoints/ckpt-N prefix")
    parser.add_argument("--output", required=True, metavar="DIR",
                        help="the SavedModel directory to write (must not exist or be empty, "
                        "unless --overwrite)")
    parser.add_argument("--max_input_length", type=int, default=128,
                        help="static input length, pieces + EOS (default %(default)s; at most "
                        "the model's max_input_length)")
    parser.add_argument("--max_insert_length", type=int, default=64,
                        help="insertion decoding steps (default %(default)s)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace the contents of a non-empty --output directory")
    return parser.parse_args(argv)


def _check_output(output: Path, overwrite: bool) -> None:
    """Refuses an --output that is a file, or a non-empty directory without --overwrite."""
    if output.exists() and not output.is_dir():
        raise SystemExit(f"export: --output {output} is a file, not a directory")
    if output.is_dir() and any(output.iterdir()):
        if not overwrite:
            raise SystemExit(f"export: --output {output} exists and is not empty; choose another "
                             "directory or pass --overwrite")
        import shutil

        shutil.rmtree(output)


def _check_run(path: Path) -> None:
    """A clear message for a --model that is not a run directory or checkpoint prefix."""
    from textedit.training.run_artifacts import MODEL_CONFIG_FILE

    run_dir = path.parent.parent if path.parent.name == "checkpoints" else path
    if not (run_dir / MODEL_CONFIG_FILE).exists():
        raise SystemExit(f"export: {path} is not a run directory written by tools/train.py "
                         f"({run_dir / MODEL_CONFIG_FILE} missing)")


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    model_path, output = Path(args.model), Path(args.output)
    _check_run(model_path)
    _check_output(output, args.overwrite)

    from textedit.decoding.edit_export import export_edit_model
    from textedit.training.run_artifacts import RUN_VOCAB_DIR, load_run

    start = time.perf_counter()
    try:
        run = load_run(model_path)
    except (FileNotFoundError, ValueError) as error:
        raise SystemExit(f"export: {error}") from error
    config = getattr(run.model, "config", None)
    if not hasattr(config, "num_position_tokens"):
        raise SystemExit(f"export: {args.model} holds a {type(run.model).__name__}, not an EdiT5 "
                         "model (Edit5Model); only EdiT5 runs can be exported")
    print(f"model: {run.checkpoint} (step {run.step})", flush=True)
    try:
        written = export_edit_model(
            run.model, run.run_dir / RUN_VOCAB_DIR / "textedit.model", output,
            max_input_length=args.max_input_length, max_insert_length=args.max_insert_length,
            metadata={"run_dir": str(run.run_dir.resolve()), "checkpoint": str(run.checkpoint),
                      "step": run.step})
    except (FileNotFoundError, ValueError) as error:
        raise SystemExit(f"export: {error}") from error
    print(f"wrote {output} in {time.perf_counter() - start:.0f}s:", flush=True)
    for name in sorted(p.relative_to(output).as_posix() for p in output.rglob("*")
                       if p.is_file()):
        print(f"  {name}", flush=True)
    print("signatures:", flush=True)
    for name, signature in written["signatures"].items():
        inputs = ", ".join(f"{k} {v}" for k, v in signature["inputs"].items())
        outputs = ", ".join(f"{k} {v}" for k, v in signature["outputs"].items())
        print(f"  {name}: {inputs} -> {outputs}", flush=True)
    print(json.dumps({k: written[k] for k in ("first_position_id", "num_position_tokens",
                                              "eos_id", "pad_id", "max_input_length",
                                              "max_insert_length")}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
