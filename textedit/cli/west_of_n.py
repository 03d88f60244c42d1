"""Writes West-of-N synthetic preference pairs (`textedit west_of_n`; Pace et al., 2024): the SFT
policy samples N responses per HH prompt, the base reward model scores them, and best vs worst
becomes a pair when its margin is in the top --keep_share of margins. The prompts' human labels
are not read.

    textedit west_of_n --policy workdir/runs/sft_hh_policy \\
        --reward_model workdir/runs/rm_hh_policy --n 4 --keep_share 0.5 \\
        --split train --half judge --max_prompts 2000 --output workdir/west_of_n/pairs.jsonl

Each output line: {"prompt", "chosen", "rejected", "margin": R(chosen) - R(rejected),
"source": "west_of_n"} (textedit/data/readers/pair_file_reader.py), in prompt order; a reward
model trains on them with gin/experiments/rm_hh_west_of_n.gin. --samples FILE also writes every
prompt's N responses and scores. The policy reads `policy_prompt(prompt)` as in its training
(hh_sft_policy); input and decode lengths default to the policy's run.json, the scored length to
the reward model's. Prompts are the distinct prompts of --split (on train, of one --half), in data
order; --max_prompts takes the first M.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

from textedit.cli.flags import add_data_flags, apply_data_flags

HELP = "West-of-N synthetic preference pairs: policy samples scored by a reward model"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--policy", required=True,
                        help="a seq2seq SFT run directory (or its checkpoints/ckpt-N)")
    parser.add_argument("--reward_model", required=True, help="the base reward-model run")
    parser.add_argument("--output", required=True, help="the pair JSONL file to write")
    parser.add_argument("--n", type=int, default=4, help="responses per prompt (%(default)s)")
    parser.add_argument("--keep_share", type=float, default=0.5,
                        help="share of non-tied pairs kept, largest margins first "
                        "(%(default)s)")
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--top_p", type=float, default=1.0)
    parser.add_argument("--top_k", type=int, default=0)
    parser.add_argument("--split", choices=["train", "validation"], default="train")
    parser.add_argument("--half", choices=["judge", "policy", "all"], default="judge",
                        help="on train, the prompt half (tasks/preference.py; default "
                        "%(default)s: the half whose human pairs the base RM did not see)")
    parser.add_argument("--max_prompts", type=int, default=None, help="the first M prompts")
    parser.add_argument("--input_length", type=int, default=None,
                        help="policy input pieces (default: the policy's run.json)")
    parser.add_argument("--decode_length", type=int, default=None,
                        help="response pieces (default: the policy's run.json)")
    parser.add_argument("--score_length", type=int, default=None,
                        help="scored pieces (default: the reward model's run.json)")
    parser.add_argument("--batch_size", type=int, default=16, help="prompts per sampling call")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--samples", default=None,
                        help="also write every prompt's N responses and scores (JSONL)")
    parser.add_argument("--json", default=None, help="also write the counts and timings here")
    add_data_flags(parser, vocab_dir=False)


def distinct_prompts(split: str, half: str | None, skip_bad_lines: bool = False) -> list[str]:
    """The split's distinct prompts in data order (one half of train when `half` is set)."""
    from tasks.preference import half_pairs

    return list(dict.fromkeys(p.prompt for p in half_pairs(split, half, skip_bad_lines).pairs))


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    if args.n < 2:
        raise SystemExit(f"--n {args.n}: West-of-N needs at least 2 responses per prompt")
    if not 0.0 < args.keep_share <= 1.0:
        raise SystemExit(f"--keep_share {args.keep_share}: expected a value in (0, 1]")
    apply_data_flags(args)
    from textedit.benchmarks.west_of_n_sampling import WestOfNSettings, west_of_n_pairs
    from textedit.data.readers.pair_file_reader import write_pair_file
    from textedit.runs.run_artifacts import load_run
    from textedit.runs.run_settings import read_run_settings

    # A run directory or one of its checkpoints/ckpt-N prefixes; run.json is the run's.
    policy, reward = load_run(args.policy), load_run(args.reward_model)
    policy_settings = read_run_settings(policy.run_dir)
    reward_settings = read_run_settings(reward.run_dir)
    settings = WestOfNSettings(
        n=args.n, keep_share=args.keep_share, temperature=args.temperature, top_p=args.top_p,
        top_k=args.top_k, input_length=args.input_length or policy_settings.input_length,
        decode_length=args.decode_length or policy_settings.decode_length,
        score_length=args.score_length or reward_settings.input_length,
        batch_size=args.batch_size, seed=args.seed)
    prompts = distinct_prompts(args.split, None if args.half == "all" else args.half,
                               args.skip_bad_lines)[:args.max_prompts]
    if not prompts:
        raise SystemExit(f"no prompts in {args.split} ({args.half} half)")
    _log(f"{len(prompts)} prompts of {args.split} ({args.half} half) x {settings.n} samples: "
         f"policy {args.policy} (step {policy.step}), reward model {args.reward_model} "
         f"(step {reward.step}); {settings}")
    start = time.perf_counter()
    result = west_of_n_pairs(policy, reward, prompts, settings, log=_log)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    written = write_pair_file(args.output, result.pairs)
    if args.samples:
        with open(args.samples, "w", encoding="utf-8") as file:
            for prompt, responses, scores in zip(prompts, result.responses, result.scores,
                                                 strict=True):
                file.write(json.dumps({"prompt": prompt, "responses": responses,
                                       "scores": [float(s) for s in scores]},
                                      ensure_ascii=False) + "\n")
    counts = result.counts
    margins = [p.margin for p in result.pairs]
    print(f"wrote {written} West-of-N pairs to {args.output}: of {counts['prompts']} prompts, "
          f"{counts['tied']} tied (best = worst score), {counts['below_share']} below the top "
          f"{args.keep_share:g} of margins, {counts['kept']} kept"
          + (f" (margins {min(margins):.3f}..{max(margins):.3f})" if margins else "")
          + f"; {counts['distinct_responses']} distinct of {len(prompts) * settings.n} "
          f"responses; cut: {counts['policy_inputs_cut']} policy inputs at "
          f"{settings.input_length} pieces, {counts['scored_texts_cut']} scored texts at "
          f"{settings.score_length}; sampling {result.seconds['sampling']:.1f}s, scoring "
          f"{result.seconds['scoring']:.1f}s, total {time.perf_counter() - start:.1f}s",
          flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"output": args.output, "counts": counts, "seconds": result.seconds,
             "settings": dataclasses.asdict(settings)},
            indent=1) + "\n")
    return 0
