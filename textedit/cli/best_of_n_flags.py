"""`--best_of_n N --reward R` of `textedit infer` and `eval`: Best-of-N decoding for seq2seq
and EdiT5 runs (an EdiT5 run samples edits under the task vocabulary's word guards).

    textedit infer --gin_file=gin/models/t5_mini.gin --gin.CHECKPOINT_PATH="'RUN'" \\
        --gin.MIXTURE_OR_TASK_NAME="'gec_jfleg'" --gin.OUTPUT_DIR="'OUT'" \\
        --best_of_n 8 --reward ngram_f1

R is a metric reward against the task's target, `ngram_f1`, `gleu` or `sari` (sentence GLEU or
SARI on ids): an oracle choice, for measurements; or the run directory of a reward model
(`textedit train` with gin/experiments/rm_hh.gin). The flags become gin bindings (`DECODE_FN =
@best_of_n_decode_fn` and its `n` / `reward`); the sampling seed is
`--gin.best_of_n_decode_fn.seed=S`.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

METRIC_REWARDS = ("ngram_f1", "gleu", "sari")  # textedit/objectives/metric_rewards.py


def add_best_of_n_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--best_of_n", type=int, metavar="N",
                        help="sample N outputs per input and keep the one of highest --reward")
    parser.add_argument("--reward", metavar="R",
                        help=f"Best-of-N's reward: {' or '.join(METRIC_REWARDS)} (against the "
                             f"task's target) or a reward-model run directory")


def best_of_n_bindings(args: argparse.Namespace) -> list[str]:
    """Gin bindings for the flags ([] without --best_of_n); SystemExit on a bad combination."""
    if args.best_of_n is None:
        if args.reward:
            raise SystemExit("--reward is only used with --best_of_n N")
        return []
    if args.best_of_n < 1:
        raise SystemExit(f"--best_of_n {args.best_of_n}: expected at least 1")
    if not args.reward:
        raise SystemExit(f"--best_of_n needs --reward ({', '.join(METRIC_REWARDS)} or a "
                         f"reward-model run)")
    if getattr(args, "constraint", None):
        raise SystemExit("--best_of_n and --constraint are different decoders; give one")
    bindings = ["DECODE_FN = @best_of_n_decode_fn",
                f"best_of_n_decode_fn.n = {args.best_of_n}"]
    if args.reward in METRIC_REWARDS:
        bindings.append(f"best_of_n_decode_fn.reward = @{args.reward}_reward()")
    else:
        bindings += ["best_of_n_decode_fn.reward = @reward_model_reward()",
                     "reward_model_reward.reward_model = @reward_run/teacher_from_run()",
                     f"reward_run/teacher_from_run.model_dir = {json.dumps(args.reward)}"]
    return bindings


def report_best_of_n(decode) -> None:
    """Prints the mean reward of the kept samples and of all samples (nothing for decoders
    without `rewards`), and clears them for the next task."""
    rewards = getattr(decode, "rewards", None)
    if not rewards:
        return
    every = np.concatenate(rewards, axis=0)  # [examples (padding rows included), n]
    print(f"best of {every.shape[1]}: mean reward {every.max(axis=1).mean():.4f} kept, "
          f"{every.mean():.4f} over all samples ({every.shape[0]} rows incl. batch padding)",
          flush=True)
    rewards.clear()
