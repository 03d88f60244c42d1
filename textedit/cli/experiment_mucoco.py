"""`textedit experiment mucoco`: MuCoCO constrained decoding against greedy decoding and beam
re-ranking by the simplicity classifier, on simplify_asset / simplify_turk validation.

    textedit experiment mucoco --simplifier workdir/runs/mucoco_simplifier_asset \\
        --classifier workdir/runs/simplicity_classifier_asset --max_examples 48

The simplifier is a seq2seq run (gin/experiments/seq2seq_simplify_asset.gin), the classifier a
run of gin/experiments/simplicity_classifier_asset.gin. What follows is the library's account
(textedit/benchmarks/mucoco_experiment.py).
"""

from __future__ import annotations

import argparse

LIBRARY = "textedit.benchmarks.mucoco_experiment"
HELP = "MuCoCO constrained decoding vs greedy and classifier re-ranking (simplification)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from textedit.benchmarks.mucoco_experiment import DEFAULT_OUT_DIR
    from textedit.decoding.mucoco import INITIAL_OUTPUTS

    parser.add_argument("--simplifier", required=True, help="the seq2seq run directory")
    parser.add_argument("--classifier", required=True, help="the simplicity classifier run")
    parser.add_argument("--tasks", nargs="+", default=["simplify_asset", "simplify_turk"])
    parser.add_argument("--simple", nargs="+", type=float, default=[0.5, 0.7, 0.9],
                        help="P(simple) bounds, one MuCoCO row each (default %(default)s)")
    parser.add_argument("--close", type=float, default=0.8,
                        help="minimum cosine to the source (default %(default)s)")
    parser.add_argument("--length", type=float, default=None,
                        help="also a length budget: output characters <= R * source's")
    parser.add_argument("--max_examples", type=int, default=48)
    parser.add_argument("--batch_size", type=int, default=8)
    parser.add_argument("--max_length", type=int, default=64)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--learning_rate", type=float, default=0.5,
                        help="exponentiated-gradient step on the soft sequence")
    parser.add_argument("--multiplier_learning_rate", type=float, default=3.0)
    parser.add_argument("--confidence", type=float, default=3.0,
                        help="initial log-weight margin of the initial (--initial) tokens")
    parser.add_argument("--fluency_margin", type=float, default=-1.0,
                        help="nats per position an accepted iterate may lose (negative: off)")
    parser.add_argument("--top_k", type=int, default=0,
                        help="choose each piece of an iterate among the simplifier's K most "
                        "probable (COLD's discretisation; 0: plain argmax, the paper's)")
    parser.add_argument("--resamples", type=int, default=1000,
                        help="paired bootstrap resamples of each MuCoCO row's SARI against "
                        "greedy and rerank (0: none)")
    parser.add_argument("--initial", choices=INITIAL_OUTPUTS, default="greedy",
                        help="MuCoCO's starting point: the greedy output, the best of 4 beams, "
                        "or the beam re-ranked by the row's constraints (default %(default)s)")
    parser.add_argument("--out_dir", default=str(DEFAULT_OUT_DIR))


def run(args: argparse.Namespace) -> int:
    from textedit.benchmarks.mucoco_experiment import (
        MucocoExperimentSettings,
        run_mucoco_experiment,
    )
    from textedit.cli.flags import apply_data_flags, register_tasks

    if hasattr(args, "data_dir"):
        apply_data_flags(args)
    register_tasks(args)  # the paired bootstrap reads the split as the task's metrics see it
    settings = MucocoExperimentSettings(
        simplifier=args.simplifier, classifier=args.classifier, tasks=tuple(args.tasks),
        simple=tuple(args.simple), close=args.close, length=args.length,
        max_examples=args.max_examples, batch_size=args.batch_size,
        max_length=args.max_length, steps=args.steps, learning_rate=args.learning_rate,
        multiplier_learning_rate=args.multiplier_learning_rate, confidence=args.confidence,
        fluency_margin=args.fluency_margin if args.fluency_margin >= 0 else None,
        initial=args.initial, top_k=args.top_k or None, resamples=args.resamples,
        out_dir=args.out_dir)
    print(run_mucoco_experiment(settings), end="")
    return 0
