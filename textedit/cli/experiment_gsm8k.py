"""`textedit experiment gsm8k`: chain-of-thought distillation on GSM8K: students of one size and
budget trained on answers only, human rationales, teacher rationales unfiltered and filtered by
answer correctness, each scored with and without the calculator; one table.

    textedit experiment gsm8k --dry_run                         # the jobs and their commands
    textedit experiment gsm8k --teacher_minutes 10 --student_minutes 5
    textedit experiment gsm8k --rationales llm.jsonl            # an external LLM's rationales
    textedit experiment gsm8k --problems gsm8k_synthetic --teacher_steps 1500 --student_steps 800
                                                # the generated problems, budgets in steps

What follows is the library's account (textedit/benchmarks/gsm8k_experiment.py).
"""

from __future__ import annotations

import argparse

LIBRARY = "textedit.benchmarks.gsm8k_experiment"
HELP = "GSM8K chain-of-thought distillation: answer-only / human / teacher students, +-calculator"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from textedit.benchmarks.gsm8k_experiment import (
        PROBLEM_LENGTHS,
        STUDENTS,
        Gsm8kExperimentSettings,
    )

    defaults = Gsm8kExperimentSettings()
    parser.add_argument("--out_dir", default=defaults.out_dir)
    parser.add_argument("--problems", choices=list(PROBLEM_LENGTHS), default=defaults.problems,
                        help="the problem set: gsm8k, or the generated gsm8k_synthetic (same "
                        "format; small models reach non-zero accuracy on it). Default "
                        "%(default)s")
    parser.add_argument("--teacher_minutes", type=float, default=defaults.teacher_minutes)
    parser.add_argument("--student_minutes", type=float, default=defaults.student_minutes)
    parser.add_argument("--teacher_steps", type=int, default=0,
                        help="train the teacher this many steps instead of --teacher_minutes")
    parser.add_argument("--student_steps", type=int, default=0,
                        help="train each student this many steps instead of --student_minutes "
                        "(equal steps, whatever the load of the machine)")
    parser.add_argument("--k", type=int, default=defaults.k, help="rationales per question")
    parser.add_argument("--temperature", type=float, default=defaults.temperature)
    parser.add_argument("--sample_questions", type=int, default=defaults.sample_questions,
                        help="training questions the teacher samples rationales for (0 = all)")
    parser.add_argument("--eval_examples", type=int, default=defaults.eval_examples)
    parser.add_argument("--rationales", default=None,
                        help="JSONL of rationales (question, rationale, answer) instead of the "
                        "project teacher's")
    parser.add_argument("--students", nargs="+", choices=STUDENTS, default=list(STUDENTS))
    parser.add_argument("--batch_size", type=int, default=defaults.batch_size)
    parser.add_argument("--workers", type=int, default=defaults.workers,
                        help="commands at once, one per core (default %(default)s)")
    parser.add_argument("--dry_run", action="store_true", help="print the jobs and stop")


def run(args: argparse.Namespace) -> int:
    from textedit.benchmarks.gsm8k_experiment import Gsm8kExperimentSettings, run_gsm8k_experiment

    settings = Gsm8kExperimentSettings(
        out_dir=args.out_dir, teacher_minutes=args.teacher_minutes,
        student_minutes=args.student_minutes, k=args.k, temperature=args.temperature,
        sample_questions=args.sample_questions, eval_examples=args.eval_examples,
        rationales=args.rationales, students=tuple(args.students),
        batch_size=args.batch_size, workers=args.workers, problems=args.problems,
        teacher_steps=args.teacher_steps, student_steps=args.student_steps)
    print(run_gsm8k_experiment(settings, dry_run=args.dry_run), end="")
    return 0
