"""`textedit experiment preference`: DRO-V (a τ sweep), KTO, DPO and IPO from one SFT policy,
judged against it by a reward model trained on other prompts: reward, KL(π‖π_ref) and win rate.

    textedit experiment preference --dry_run
    textedit experiment preference --policy workdir/runs/sft_hh_policy --judge workdir/runs/judge
    textedit experiment preference --objectives dro_v,kto --taus 1 --policy_steps 600

What follows is the library's account (textedit/benchmarks/preference_experiment.py).
"""

from __future__ import annotations

import argparse

LIBRARY = "textedit.benchmarks.preference_experiment"
HELP = "DRO-V / KTO / DPO / IPO policies vs their SFT start, judged by a held-out reward model"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from textedit.benchmarks.preference_experiment import PreferenceExperimentSettings

    defaults = PreferenceExperimentSettings()
    parser.add_argument("--policy", default=None,
                        help="an existing hh_sft_policy run (default: train one)")
    parser.add_argument("--judge", default=None,
                        help="an existing judge reward model on hh_pairs_judge (default: train)")
    parser.add_argument("--out_dir", default=defaults.out_dir)
    parser.add_argument("--sft_steps", type=int, default=defaults.sft_steps)
    parser.add_argument("--judge_steps", type=int, default=defaults.judge_steps)
    parser.add_argument("--policy_steps", type=int, default=defaults.policy_steps,
                        help="of every policy run (default %(default)s)")
    parser.add_argument("--taus", default=",".join(f"{t:g}" for t in defaults.taus),
                        help="DRO-V's τ values, comma-separated (default %(default)s)")
    parser.add_argument("--objectives", default=",".join(defaults.objectives),
                        help="of dro_v, kto, dpo, ipo, comma-separated (default %(default)s)")
    parser.add_argument("--eval_prompts", type=int, default=defaults.eval_prompts,
                        help="first N validation prompts judged (default %(default)s)")
    parser.add_argument("--best_of_n", default=defaults.best_of_n,
                        help="Best-of-N points of π_ref ('' for none; default %(default)s)")
    parser.add_argument("--workers", type=int, default=defaults.workers,
                        help="commands at once, one per core (default %(default)s)")
    parser.add_argument("--dry_run", action="store_true", help="print the jobs and stop")


def run(args: argparse.Namespace) -> int:
    from textedit.benchmarks.preference_experiment import (
        PreferenceExperimentSettings,
        run_preference_experiment,
    )

    def items(text: str) -> list[str]:
        return [item.strip() for item in text.split(",") if item.strip()]

    settings = PreferenceExperimentSettings(
        policy=args.policy, judge=args.judge, out_dir=args.out_dir, sft_steps=args.sft_steps,
        judge_steps=args.judge_steps, policy_steps=args.policy_steps,
        taus=tuple(float(t) for t in items(args.taus)), objectives=tuple(items(args.objectives)),
        eval_prompts=args.eval_prompts, best_of_n=args.best_of_n, workers=args.workers)
    print(run_preference_experiment(settings, dry_run=args.dry_run), end="")
    return 0
