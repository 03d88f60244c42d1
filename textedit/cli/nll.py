"""Validation NLL per target token of a trained run on a task split (teacher forcing).

    textedit nll --model workdir/runs/gemma2_mini_lm --task lm_clean_text --converter lm \\
        --split validation --targets_length 128

Prints the mean negative log-likelihood (nats) of the split's target tokens, its perplexity and
the argmax accuracy (textedit/training/validation_loss.py). Positions count with their loss
weights, so under `--converter prefix_lm` only the completion is scored, the tokens a seq2seq
model (`--converter enc_dec`) is scored on. `--json FILE` also writes the numbers.
"""

from __future__ import annotations

import argparse
import json
import time

from textedit.cli.teacher_logits import add_converter_flags, run_and_dataset

HELP = "validation NLL per target token of a trained run on a task split"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, help="a run directory (latest checkpoint)")
    parser.add_argument("--json", default=None, help="also write the result to this file")
    add_converter_flags(parser)
    parser.set_defaults(split="validation")


def run(args: argparse.Namespace) -> int:
    loaded, dataset, _, model_features = run_and_dataset(args, args.model)
    from textedit.training.validation_loss import validation_loss

    start = time.perf_counter()
    result = validation_loss(loaded.model, dataset, model_features, args.batch_size)
    seconds = time.perf_counter() - start
    print(f"{args.model} (step {loaded.step}) on {args.task} {args.split}: NLL "
          f"{result.nll_per_token:.4f} nats/token, perplexity {result.perplexity:.2f}, token "
          f"accuracy {result.token_accuracy:.4f} ({result.tokens} tokens, {result.examples} "
          f"examples, {seconds:.0f}s)", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"model": args.model, "step": loaded.step, "task": args.task,
                       "split": args.split, **result.__dict__,
                       "perplexity": result.perplexity}, f, indent=1)
    return 0
