"""`textedit experiment west_of_n`: West-of-N self-training of reward models: a base reward
model, one trained with West-of-N synthetic pairs added, and one with as many extra human pairs,
compared on the HH validation pairs.

    textedit experiment west_of_n --policy workdir/runs/sft_hh_policy --dry_run
    textedit experiment west_of_n --policy workdir/runs/sft_hh_policy --n 8 --max_prompts 4000
    textedit experiment west_of_n --policy RUN --base_reward_model workdir/runs/rm_hh_policy

What follows is the library's account (textedit/benchmarks/west_of_n_experiment.py).
"""

from __future__ import annotations

import argparse

LIBRARY = "textedit.benchmarks.west_of_n_experiment"
HELP = "West-of-N reward-model self-training vs base and vs as many extra human pairs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from textedit.benchmarks.west_of_n_experiment import WestOfNExperimentSettings

    defaults = WestOfNExperimentSettings()
    parser.add_argument("--policy", required=True, help="an hh_sft_policy seq2seq run")
    parser.add_argument("--base_reward_model", default=None,
                        help="an existing base reward-model run (default: train one on "
                        "hh_pairs_policy)")
    parser.add_argument("--out_dir", default=defaults.out_dir)
    parser.add_argument("--n", type=int, default=defaults.n, help="samples per prompt")
    parser.add_argument("--keep_share", type=float, default=defaults.keep_share)
    parser.add_argument("--temperature", type=float, default=defaults.temperature)
    parser.add_argument("--top_p", type=float, default=defaults.top_p)
    parser.add_argument("--max_prompts", type=int, default=defaults.max_prompts,
                        help="judge-half prompts sampled (default %(default)s)")
    parser.add_argument("--train_steps", type=int, default=defaults.train_steps,
                        help="of every reward model (default %(default)s)")
    parser.add_argument("--batch_size", type=int, default=defaults.batch_size)
    parser.add_argument("--learning_rate", type=float, default=defaults.learning_rate,
                        help="of every reward model (default %(default)s)")
    parser.add_argument("--eval_pairs", type=int, default=defaults.eval_pairs,
                        help="first N validation pairs scored (0 = all)")
    parser.add_argument("--workers", type=int, default=defaults.workers,
                        help="commands at once, one per core (default %(default)s)")
    parser.add_argument("--dry_run", action="store_true", help="print the jobs and stop")


def run(args: argparse.Namespace) -> int:
    from textedit.benchmarks.west_of_n_experiment import (
        WestOfNExperimentSettings,
        run_west_of_n_experiment,
    )

    settings = WestOfNExperimentSettings(
        policy=args.policy, base_reward_model=args.base_reward_model, out_dir=args.out_dir,
        n=args.n, keep_share=args.keep_share, temperature=args.temperature, top_p=args.top_p,
        max_prompts=args.max_prompts, train_steps=args.train_steps, batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        eval_pairs=args.eval_pairs, workers=args.workers)
    print(run_west_of_n_experiment(settings, dry_run=args.dry_run), end="")
    return 0
