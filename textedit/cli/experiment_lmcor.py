"""`textedit experiment lmcor`: LMCor, a small corrector over k candidates of a larger model,
against the generator's greedy output, re-ranking, majority / MBR selection and the oracle
candidate, on GEC validation splits (W&I dev ERRANT F0.5, JFLEG dev GLEU).

    textedit experiment lmcor --dry_run                  # print every command of the plan
    textedit experiment lmcor                            # mini models, a few CPU hours
    textedit experiment lmcor --generator_runs RUN_A RUN_B --corrector_steps 3000

What follows is the library's account (textedit/benchmarks/lmcor_experiment.py).
"""

from __future__ import annotations

import argparse

LIBRARY = "textedit.benchmarks.lmcor_experiment"
HELP = "LMCor correctors (seq2seq, EdiT5) vs greedy / re-rank / majority / MBR / oracle"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from textedit.benchmarks.lmcor_experiment import (
        EDIT5_CANDIDATE_WORDS,
        HEADLINE,
        SIZES,
        LmcorExperimentSettings,
    )

    defaults = LmcorExperimentSettings()
    parser.add_argument("--out_dir", default=defaults.out_dir,
                        help="runs, candidates, scores, logs and results.md (default "
                        "%(default)s)")
    parser.add_argument("--tasks", nargs="+", choices=sorted(HEADLINE),
                        default=list(defaults.tasks),
                        help="validation splits scored (default %(default)s), all of one train "
                        "task: the GEC tasks learn on gec_wi_fce, a fusion task on its own "
                        "train split; the first one also validates the correctors")
    parser.add_argument("--size", choices=SIZES, default=defaults.size,
                        help="model file of the generators and correctors (gin/models/"
                        "t5_SIZE.gin, edit5_SIZE.gin; default %(default)s)")
    parser.add_argument("--generator", choices=["edit5", "seq2seq"],
                        default=defaults.generator,
                        help="the generators' kind (default %(default)s: the main job's EdiT5 "
                        "recipe, which edits after minutes; seq2seq: no dropout, constant "
                        "rate, and with --gin t5_config.absolute_positions=True a mini one "
                        "copies within its first 3,000 steps)")
    parser.add_argument("--generator_runs", nargs=2, metavar=("A", "B"), default=None,
                        help="existing runs instead of training the generators, of the "
                        "--generator kind (a warm-started corrector loads A's weights): A "
                        "trained on <train task>_xfit0of2 (train without part 0), B on "
                        "<train task>_xfit1of2")
    parser.add_argument("--corrector_init", choices=["generator", "scratch"],
                        default=defaults.corrector_init,
                        help="generator: the corrector of the generators' kind starts from "
                        "generator 0's weights (it already edits the task and learns to read "
                        "the candidates), and so does the EdiT5 corrector of seq2seq "
                        "generators (its T5 backbone); scratch: random weights (default "
                        "%(default)s)")
    parser.add_argument("--segments", type=int, default=defaults.segments,
                        help="segment embeddings of the correctors' encoders: the source is "
                        "segment 0, the candidates segment 1 (default %(default)s; 0: none, "
                        "the separators alone mark the candidates)")
    parser.add_argument("--edit5_candidate_words", choices=EDIT5_CANDIDATE_WORDS,
                        default=defaults.edit5_candidate_words,
                        help="a target word the source lacks, in the EdiT5 corrector's "
                        "training plans: insert = its decoder writes it, and the candidates "
                        "are only read; copy = its pointer copies it from the first candidate "
                        "that has it (default %(default)s)")
    parser.add_argument("--edit5_insert_bias", type=float, default=defaults.edit5_insert_bias,
                        help="added to the EdiT5 corrector's insertion logits when decoding "
                        "(edit5_decode_fn.insert_bias; default %(default)s; 0: argmax)")
    parser.add_argument("--edit5_delete_threshold", type=float,
                        default=defaults.edit5_delete_threshold,
                        help="the EdiT5 corrector's decoding: a source word is deleted only when "
                        "its P(DELETE) is above this (edit5_decode_fn.delete_threshold; "
                        "default %(default)s; 0.5: argmax, 1: never delete)")
    parser.add_argument("--generator_steps", type=int, default=defaults.generator_steps,
                        help="train steps of each generator (default %(default)s)")
    parser.add_argument("--corrector_steps", type=int, default=defaults.corrector_steps,
                        help="train steps of each corrector, without dropout (--gin "
                             "DROPOUT_RATE=0.1 puts it back; default %(default)s)")
    parser.add_argument("--k", type=int, default=defaults.k,
                        help="candidates per example (default %(default)s)")
    parser.add_argument("--method", choices=["sample", "beam"], default=defaults.method,
                        help="how the candidates are drawn (default %(default)s)")
    parser.add_argument("--temperature", type=float, default=defaults.temperature,
                        help="sampling temperature (default %(default)s)")
    parser.add_argument("--top_p", type=float, default=defaults.top_p,
                        help="nucleus sampling mass (default %(default)s)")
    parser.add_argument("--train_examples", type=int, default=defaults.train_examples,
                        help="train examples given candidates, half from each generator "
                        "(0 = the whole train split; default %(default)s)")
    parser.add_argument("--candidate_input_length", type=int,
                        default=defaults.candidate_input_length,
                        help="source pieces the generators read when sampling; a longer "
                        "source stops `textedit candidates` (default %(default)s)")
    parser.add_argument("--batch_size", type=int, default=defaults.batch_size,
                        help="train and sampling batch (default %(default)s)")
    parser.add_argument("--learning_rate", type=float, default=defaults.learning_rate,
                        help="of every run (default %(default)s)")
    parser.add_argument("--bootstrap", type=int, default=defaults.bootstrap,
                        help="paired-bootstrap resamples of each comparison (corrector - "
                        "greedy, - re-ranking; EdiT5 - seq2seq corrector) in the task's metric "
                        "(default %(default)s; 0: no comparisons)")
    parser.add_argument("--gin", action="append", default=[], metavar="NAME=VALUE",
                        help="an extra binding for every `textedit train` (repeatable); "
                        "the model's own (t5_config.*) also for every `textedit infer`")
    parser.add_argument("--workers", type=int, default=defaults.workers,
                        help="commands at once, one per core (default %(default)s)")
    parser.add_argument("--data_dir", default=None, help="the data directory of every command")
    parser.add_argument("--skip_bad_lines", action="store_true",
                        help="skip and count malformed input lines in every command")
    parser.add_argument("--dry_run", action="store_true",
                        help="print the plan and every command, run nothing")


def run(args: argparse.Namespace) -> int:
    from textedit.benchmarks.lmcor_experiment import LmcorExperimentSettings, run_lmcor_experiment

    try:
        settings = LmcorExperimentSettings(
            out_dir=args.out_dir, tasks=tuple(args.tasks), size=args.size,
            generator=args.generator, corrector_init=args.corrector_init,
            segments=args.segments, edit5_candidate_words=args.edit5_candidate_words,
            edit5_insert_bias=args.edit5_insert_bias,
            edit5_delete_threshold=args.edit5_delete_threshold,
            generator_runs=tuple(args.generator_runs) if args.generator_runs else None,
            generator_steps=args.generator_steps, corrector_steps=args.corrector_steps,
            k=args.k, method=args.method, temperature=args.temperature, top_p=args.top_p,
            train_examples=args.train_examples,
            candidate_input_length=args.candidate_input_length, batch_size=args.batch_size,
            learning_rate=args.learning_rate, bootstrap=args.bootstrap, gin=tuple(args.gin),
            workers=args.workers,
            data_dir=args.data_dir, skip_bad_lines=args.skip_bad_lines)
    except ValueError as error:
        raise SystemExit(f"experiment lmcor: {error}") from None
    print(run_lmcor_experiment(settings, dry_run=args.dry_run), end="")
    return 0
