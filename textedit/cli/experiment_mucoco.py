"""`textedit experiment mucoco`: MuCoCO constrained decoding against greedy decoding and beam
re-ranking under the same constraints, on the validation split of the model's tasks.

    textedit experiment mucoco --model workdir/runs/mucoco_simplifier_asset \\
        --classifier workdir/runs/simplicity_classifier_asset --max_examples 48
    textedit experiment mucoco --model workdir/runs/fusion --tasks fusion_wikisplit \\
        --constraints length:0.9 close:0.8 --constraints length:0.8 close:0.8

The model is a seq2seq run (e.g. gin/experiments/seq2seq_simplify_asset.gin), the classifier a
run of gin/experiments/simplicity_classifier_asset.gin (needed by `simple` constraints). Each
constraint set is one bound of the comparison: `--constraints SPEC...` (repeatable), or by
default one set per `--simple P` with `close:C` (and `length:R`). What follows is the library's
account (textedit/benchmarks/mucoco_experiment.py).
"""

from __future__ import annotations

import argparse

LIBRARY = "textedit.benchmarks.mucoco_experiment"
HELP = "MuCoCO constrained decoding vs greedy and constraint re-ranking of a beam"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from textedit.benchmarks.mucoco_experiment import DEFAULT_OUT_DIR
    from textedit.decoding.mucoco import INITIAL_OUTPUTS

    parser.add_argument("--model", "--simplifier", dest="model", required=True,
                        help="the seq2seq run directory (--simplifier: its former name)")
    parser.add_argument("--classifier", default=None,
                        help="the simplicity classifier run: needed by simple:P constraints; "
                        "given, the table also says which outputs it calls simple")
    parser.add_argument("--tasks", nargs="+", default=["simplify_asset", "simplify_turk"])
    parser.add_argument("--constraints", nargs="+", action="append", metavar="SPEC",
                        help="one constraint set (simple:P, close:C, length:R, keyword:W+W); "
                        "repeat for more sets, each a row of greedy, rerank and MuCoCO "
                        "(replaces --simple/--close/--length)")
    parser.add_argument("--simple", nargs="+", type=float, default=[0.5, 0.7, 0.9],
                        help="without --constraints: P(simple) bounds, one set each "
                        "(default %(default)s)")
    parser.add_argument("--close", type=float, default=0.8,
                        help="without --constraints: minimum cosine to the source in every "
                        "set (default %(default)s)")
    parser.add_argument("--length", type=float, default=None,
                        help="without --constraints: also a length budget in every set, "
                        "output characters <= R * source's")
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
                        help="paired bootstrap resamples of each MuCoCO row's SARI and "
                        "satisfied share against greedy and rerank (0: none)")
    parser.add_argument("--length_offsets", nargs="+", type=int, default=[0],
                        help="output lengths MuCoCO tries, in pieces relative to its start "
                        "(first 0; e.g. 0 -2 -4 lets a length budget drop pieces)")
    parser.add_argument("--initial", choices=INITIAL_OUTPUTS, default="greedy",
                        help="MuCoCO's starting point: the greedy output, the best of 4 beams, "
                        "or the beam re-ranked by the row's constraints (default %(default)s)")
    parser.add_argument("--out_dir", default=str(DEFAULT_OUT_DIR))


def constraint_sets(args: argparse.Namespace) -> tuple[tuple[str, ...], ...]:
    """The sets of `--constraints`, else one per `--simple` P with close (and length); each spec
    checked (ValueError naming it)."""
    from textedit.decoding.constraint_specs import parse_spec

    if args.constraints:
        sets = tuple(tuple(specs) for specs in args.constraints)
    else:
        extra = (f"close:{args.close}",) + ((f"length:{args.length}",) if args.length else ())
        sets = tuple((f"simple:{p}",) + extra for p in args.simple)
    for specs in sets:
        for spec in specs:
            parse_spec(spec)
    return sets


def run(args: argparse.Namespace) -> int:
    from textedit.benchmarks.mucoco_experiment import (
        MucocoExperimentSettings,
        run_mucoco_experiment,
    )
    from textedit.cli.flags import apply_data_flags, register_tasks

    try:
        sets = constraint_sets(args)
    except ValueError as error:
        raise SystemExit(f"textedit experiment mucoco: {error}") from None
    if args.classifier is None and any(s.startswith("simple") for specs in sets for s in specs):
        raise SystemExit("textedit experiment mucoco: simple:P constraints need --classifier "
                         "(a run of gin/experiments/simplicity_classifier_asset.gin)")
    if hasattr(args, "data_dir"):
        apply_data_flags(args)
    register_tasks(args)  # the paired bootstrap reads the split as the task's metrics see it
    settings = MucocoExperimentSettings(
        model=args.model, classifier=args.classifier, tasks=tuple(args.tasks),
        constraint_sets=sets, max_examples=args.max_examples, batch_size=args.batch_size,
        max_length=args.max_length, steps=args.steps, learning_rate=args.learning_rate,
        multiplier_learning_rate=args.multiplier_learning_rate, confidence=args.confidence,
        fluency_margin=args.fluency_margin if args.fluency_margin >= 0 else None,
        initial=args.initial, top_k=args.top_k or None,
        length_offsets=tuple(args.length_offsets), resamples=args.resamples,
        out_dir=args.out_dir)
    print(run_mucoco_experiment(settings), end="")
    return 0
