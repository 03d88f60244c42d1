"""Rewards from a trained reward model (a `rm_hh` run): for JSONL lines, or on the HH pairs.

    textedit score --model workdir/runs/rm_hh --input requests.jsonl --output rewards.jsonl
    textedit score --model workdir/runs/rm_hh --pairs validation [--max_pairs 500]

--input: one JSON object per line with string "prompt" and "response"; each output line is the
input object with "reward" added. The model reads the prompt's last 400 characters and the
response, as in training (textedit/data/preference_views.py, `scored_text`). A malformed line
stops with file:line (or, with --skip_bad_lines, is counted and left out).
--pairs SPLIT: pairwise accuracy and expected calibration error on the HH pairs of that split
(docs/algorithms.md#reward-models); --json FILE also writes them.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from textedit.cli.flags import add_data_flags, apply_data_flags

HELP = "reward-model scores of JSONL (prompt, response) lines, or accuracy / ECE on HH pairs"
_FORMAT = 'a JSON object with string "prompt" and "response"'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, help="a reward-model run directory")
    parser.add_argument("--input", help="JSONL of {prompt, response} objects to score")
    parser.add_argument("--output", help="where --input's scored lines go (default: stdout)")
    parser.add_argument("--pairs", choices=["train", "validation", "test"],
                        help="report pairwise accuracy and ECE on this HH split")
    parser.add_argument("--max_pairs", type=int, default=None, help="the split's first N pairs")
    parser.add_argument("--length", type=int, default=192, help="scored pieces per text")
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--json", default=None, help="also write --pairs' result to this file")
    add_data_flags(parser, vocab_dir=False)


def _read_requests(path: str, skip) -> list[dict]:
    from textedit.data.readers.malformed_input import MalformedInputError, handle
    from textedit.data.readers.text_lines import read_json_objects

    records = []
    for number, record, line in read_json_objects(path):
        if not (record and isinstance(record.get("prompt"), str)
                and isinstance(record.get("response"), str)):
            handle(MalformedInputError(path, number, _FORMAT, line), skip)
            continue
        records.append(record)
    return records


def run(args: argparse.Namespace) -> int:
    if (args.input is None) == (args.pairs is None):
        raise SystemExit("give exactly one of --input FILE and --pairs SPLIT")
    apply_data_flags(args)
    from textedit.benchmarks.reward_model_eval import evaluate_pairs, score_texts
    from textedit.data.preference_views import load_preferences, scored_text
    from textedit.data.readers.malformed_input import SkipReport
    from textedit.runs.run_artifacts import load_run

    loaded = load_run(args.model)
    start = time.perf_counter()
    if args.pairs:
        data = load_preferences(args.pairs, args.skip_bad_lines)
        pairs = data.pairs[:args.max_pairs]
        result = evaluate_pairs(loaded.model, loaded.vocabulary, pairs, args.length,
                                args.batch_size)
        print(f"{args.model} (step {loaded.step}) on HH {args.pairs}: pairwise accuracy "
              f"{result.pairwise_accuracy:.4f}, ECE {result.expected_calibration_error:.4f} "
              f"({result.pairs} pairs, {result.truncated} texts cut at {args.length} pieces, "
              f"{time.perf_counter() - start:.0f}s); data: {data.report()}", flush=True)
        summary = dict(model=args.model, step=loaded.step, split=args.pairs, **result.__dict__)
        if args.json:
            Path(args.json).parent.mkdir(parents=True, exist_ok=True)
            Path(args.json).write_text(json.dumps(summary, indent=1) + "\n")
        return 0
    skip = SkipReport() if args.skip_bad_lines else None
    records = _read_requests(args.input, skip)
    scores, _ = score_texts(loaded.model, loaded.vocabulary,
                            [scored_text(r["prompt"], r["response"]) for r in records],
                            args.length, args.batch_size)
    lines = [json.dumps({**r, "reward": float(s)}, ensure_ascii=False)
             for r, s in zip(records, scores, strict=True)]
    text = "\n".join(lines) + ("\n" if lines else "")
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        print(text, end="")
    if skip is not None:
        print(skip.summary(), flush=True)
    return 0
