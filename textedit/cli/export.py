"""Exports a trained EdiT5 run as a TensorFlow SavedModel for serving (tokenisation inside).

    textedit export --model workdir/runs/edit5_gec --output export/edit5_gec
    textedit export --model workdir/runs/edit5_gec/checkpoints/ckpt-3000 \\
        --output export/edit5_gec --max_input_length 64 --max_insert_length 32 --overwrite

--model is a run directory written by `textedit train` (model.json, checkpoints/, vocab/; its
latest checkpoint) or one `<run>/checkpoints/ckpt-N` prefix. The SavedModel has two signatures:

    serving_default   text string [batch] -> {"outputs": string [batch]}: SentencePiece
                      tokenisation, EdiT5 editing (XLA) and realisation, detokenisation
    edit_ids          encoder_input_tokens int32 [batch, max_input_length] (pieces, EOS, 0s)
                      -> {"tags", "pointers", "order", "insertion_tokens"} int32

Inputs longer than max_input_length - 1 pieces come back unchanged (whitespace-normalised),
empty ones as "". The output directory also holds assets/textedit.model and
textedit_export.json (ids, lengths, the run and step). Serve it with TensorFlow Serving, load it
with `tf.saved_model.load`, or edit with it through `textedit edit --model OUTPUT`.
See textedit/inference/edit_export.py.

A seq2seq run (T5EncoderDecoder, or T5WithImageTower with an image tower) exports the same way,
with signatures that decode greedily up to the run's decode_length (textedit/inference/
seq2seq_export.py): serving_default takes text string [batch] and, with a tower, image uint8
[batch, H, W] (the line image as drawn or read from a PNG); decode_ids takes
encoder_input_tokens (and encoder_image float32 [batch, H, W]) -> tokens int32. An EdiT5 run
with an image tower (Edit5Config.image_tower) likewise gets serving_default text and image uint8
[batch, H, W], and edit_ids encoder_input_tokens and encoder_image float32 [batch, H, W]; the
image shape is recorded in textedit_export.json ("image_shape") for `textedit edit --model`.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from textedit.cli.flags import add_model_flags

HELP = "export a trained EdiT5 or seq2seq run as a SavedModel (strings in, strings out)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_flags(parser, batch_size=None, model_help="a run directory (its latest checkpoint) "
                    "or a <run>/checkpoints/ckpt-N prefix")
    parser.add_argument("--output", required=True, metavar="DIR",
                        help="the SavedModel directory to write (must not exist or be empty, "
                        "unless --overwrite)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace the contents of a non-empty --output directory")


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
    from textedit.runs.run_artifacts import MODEL_CONFIG_FILE, run_dir_of

    run_dir = run_dir_of(path)
    if not (run_dir / MODEL_CONFIG_FILE).exists():
        raise SystemExit(f"export: {path} is not a run directory written by `textedit train` "
                         f"({run_dir / MODEL_CONFIG_FILE} missing)")


def run(args: argparse.Namespace) -> int:
    model_path, output = Path(args.model), Path(args.output)
    _check_run(model_path)
    _check_output(output, args.overwrite)

    from textedit.inference.edit_export import export_edit_model
    from textedit.runs.run_artifacts import RUN_VOCAB_DIR, load_run
    from textedit.runs.run_settings import read_run_settings

    start = time.perf_counter()
    try:
        run = load_run(model_path)
    except (FileNotFoundError, ValueError) as error:
        raise SystemExit(f"export: {error}") from error
    from textedit.inference.seq2seq_editor import is_seq2seq_model

    config = getattr(run.model, "config", None)
    seq2seq = is_seq2seq_model(run.model)
    if not seq2seq and not hasattr(config, "num_position_tokens"):
        raise SystemExit(f"export: {args.model} holds a {type(run.model).__name__}, neither an "
                         "EdiT5 model (Edit5Model) nor a seq2seq T5 (T5EncoderDecoder, "
                         "T5WithImageTower)")
    print(f"model: {run.checkpoint} (step {run.step})", flush=True)
    settings = read_run_settings(run.run_dir)
    vocab_file = run.run_dir / RUN_VOCAB_DIR / "textedit.model"
    metadata = {"run_dir": str(run.run_dir.resolve()), "checkpoint": str(run.checkpoint),
                "step": run.step}
    try:
        if seq2seq:
            from textedit.inference.seq2seq_export import export_seq2seq_model

            written = export_seq2seq_model(
                run.model, vocab_file, output,
                max_input_length=args.max_input_length or settings.input_length,
                max_decode_length=settings.decode_length, metadata=metadata)
        else:
            written = export_edit_model(
                run.model, vocab_file, output,
                max_input_length=args.max_input_length or min(settings.input_length,
                                                               config.max_input_length),
                max_insert_length=args.max_insert_length or settings.insert_length,
                metadata=metadata)
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
                                              "max_insert_length", "max_decode_length",
                                              "image_shape") if k in written}), flush=True)
    return 0

