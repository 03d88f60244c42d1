"""Samples chain-of-thought rationales from a trained teacher for the training questions of
GSM8K (or of the generated gsm8k_synthetic problems, `--problems gsm8k_synthetic`).

    textedit rationales --teacher workdir/runs/gsm8k_teacher --k 4 --temperature 0.7 \\
        --out workdir/rationales/teacher.jsonl

Writes one JSON line per sample: question, rationale, answer (the sample's final answer), gold,
correct. Train a student on it with gin/experiments/seq2seq_gsm8k_rationales.gin
(--gin.RATIONALES="'FILE'", --gin.FILTERED=True keeps the right answers only). A file of
rationales from an external LLM (question, rationale, answer) is used the same way.
"""

from __future__ import annotations

import argparse

from textedit.cli.flags import add_data_flags, apply_data_flags

HELP = "sample k rationales per GSM8K (or gsm8k_synthetic) training question from a teacher run"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from textedit.benchmarks.teacher_rationales import RationaleSampling
    from textedit.data.math_problem_sets import PROBLEM_SETS

    defaults = RationaleSampling()
    add_data_flags(parser)
    parser.add_argument("--teacher", required=True, help="the teacher's run directory")
    parser.add_argument("--out", required=True, help="the JSONL file written")
    parser.add_argument("--problems", choices=PROBLEM_SETS, default=defaults.problems,
                        help="the problem set whose training questions are sampled (default "
                        "%(default)s)")
    parser.add_argument("--k", type=int, default=defaults.k, help="samples per question")
    parser.add_argument("--temperature", type=float, default=defaults.temperature)
    parser.add_argument("--top_p", type=float, default=defaults.top_p)
    parser.add_argument("--max_questions", type=int, default=defaults.max_questions,
                        help="first N training questions (0 = all, default %(default)s)")
    parser.add_argument("--batch_size", type=int, default=defaults.batch_size)
    parser.add_argument("--max_input_length", type=int, default=defaults.max_input_length)
    parser.add_argument("--max_decode_length", type=int, default=defaults.max_decode_length)
    parser.add_argument("--calculator", action="store_true",
                        help="the calculator writes the results of the teacher's annotations")
    parser.add_argument("--seed", type=int, default=defaults.seed)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from textedit.benchmarks.teacher_rationales import RationaleSampling, sample_rationales
    from textedit.data.rationales import write_rationales

    apply_data_flags(args)
    settings = RationaleSampling(
        k=args.k, temperature=args.temperature, top_p=args.top_p,
        max_questions=args.max_questions, batch_size=args.batch_size,
        max_input_length=args.max_input_length, max_decode_length=args.max_decode_length,
        calculator=args.calculator, seed=args.seed, problems=args.problems)
    records = sample_rationales(args.teacher, settings)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    count = write_rationales(args.out, records)
    right = sum(r["correct"] for r in records)
    print(f"wrote {count} rationales to {args.out}: {right} ({100 * right / max(count, 1):.1f}%) "
          f"with the gold answer, on {len({r['question'] for r in records})} questions",
          flush=True)
    return 0
