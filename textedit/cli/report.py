"""`textedit report`: quality and latency of trained runs on their validation tasks, as one Markdown
report and a quality-versus-latency plot, in the spirit of the EdiT5 paper's Table 4.

    textedit report workdir/runs/edit5_gec workdir/runs/seq2seq_gec --out_dir workdir/reports/gec
    textedit report RUN [RUN ...] --out_dir DIR --task gec_jfleg --max_examples 0 \\
        --latency_examples 200 --metric gleu --json DIR/report.json

Runs: directories written by `textedit train` (model.json, vocab/, checkpoints/); the latest
checkpoint is used. A path that is not one stops the command (exit code 2) with a message naming
it. Tasks: those the run is evaluated on (its run.json: the evaluation tasks, else the training
task; an EdiT5 run trained on `edit5_<task>` is evaluated on `<task>`; a mixture
means each of its tasks), or `--task` for every run. Split: validation.

Quality: each run decodes the first `--max_examples` inputs of the split (0: all of them) as its
own evaluation does (EdiT5: `Editor`; seq2seq: greedy to EOS), and the predictions are scored with
the task's own metric_fns, as `textedit evaluate` scores a file. Predictions are kept in
DIR/predictions/<run>.<task>.txt.

Latency: batch 1, the first `--latency_examples` inputs of the split, tokenised beforehand (not
timed), each padded to its length bucket; timed from token ids in host memory to output ids in
host memory (decoding to the model's own EOS; EdiT5 includes realisation), as `textedit benchmark
latency` times it, after compilation and `--warmup` untimed calls per bucket. Mean, median and p95
in ms, and decoder steps per example. Inputs longer than the model's input length, and empty ones,
are not timed (counted in the report). `--threads` (default 1) sets TensorFlow's intra- and
inter-op threads before anything is built.

Writes DIR/report.md (one table per task, one row per run), DIR/quality_vs_latency.png (x: p95
latency, log scale when the values spread over more than 10x; y: `--metric`, default the task's
first metric's headline score; one panel per task) and, with `--json FILE`, the report as JSON;
the Markdown is printed too. Library: textedit/benchmarks/report.py.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from textedit.cli import flags

HELP = "quality and latency of trained runs on their validation tasks: Markdown table and plot"


def _examples(value: str) -> int | None:
    return None if value.lower() in ("0", "none", "all") else int(value)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("runs", nargs="+", metavar="RUN_DIR", help="run directories")
    parser.add_argument("--out_dir", required=True, help="where report.md and the plot go")
    parser.add_argument("--task", help="evaluate every run on this task (or mixture)")
    parser.add_argument("--max_examples", type=_examples, default=500,
                        help="first N validation examples scored (0 / None: the whole split)")
    parser.add_argument("--latency_examples", type=int, default=200,
                        help="first N validation inputs timed at batch 1")
    parser.add_argument("--warmup", type=int, default=1,
                        help="untimed calls per bucket after compilation")
    parser.add_argument("--threads", type=int, default=1,
                        help="TensorFlow intra-op and inter-op threads")
    # Not the shared --batch_size (flags.add_model_flags): the runs are positional, no --model.
    parser.add_argument("--batch_size", type=int, default=32, help="rows decoded at once "
                        "for the quality predictions")
    parser.add_argument("--metric", help="the score on the plot's y axis (default: the task's "
                        "first metric, e.g. errant_f0.5, gleu, sari, exact_match)")
    parser.add_argument("--json", metavar="FILE", help="also write the report as JSON")
    flags.add_data_flags(parser, vocab_dir=False)


def command_line(args: argparse.Namespace) -> str:
    """The `textedit report ...` command that makes this report, every setting spelled out."""
    argv = [*args.runs, "--out_dir", args.out_dir]
    if args.task:
        argv += ["--task", args.task]
    argv += ["--max_examples", str(args.max_examples or 0),
             "--latency_examples", str(args.latency_examples), "--warmup", str(args.warmup),
             "--threads", str(args.threads), "--batch_size", str(args.batch_size)]
    for name in ("metric", "json", "data_dir"):
        if getattr(args, name, None):
            argv += [f"--{name}", str(getattr(args, name))]
    if args.skip_bad_lines:
        argv.append("--skip_bad_lines")
    return "textedit report " + shlex.join(argv)


def run(args: argparse.Namespace) -> int:
    from textedit.benchmarks import report

    flags.apply_data_flags(args)
    threads = report.set_threads(args.threads)  # before TensorFlow starts (the tasks start it)
    flags.register_tasks(args)
    from tasks.edit_tasks import seq2seq_task_name

    settings = report.ReportSettings(
        runs=args.runs, out_dir=args.out_dir, task=args.task, max_examples=args.max_examples,
        latency_examples=args.latency_examples, warmup=args.warmup, batch_size=args.batch_size,
        metric=args.metric, json=args.json)
    try:
        result = report.build_report(settings, command=command_line(args), threads=threads,
                                     seq2seq_task_name=seq2seq_task_name)
    except report.ReportError as error:
        print(f"report: {error}", file=sys.stderr, flush=True)
        return 2
    markdown = report.write_report(result, args.out_dir, args.json)
    print(markdown, flush=True)
    out_dir = Path(args.out_dir)
    print(f"wrote {out_dir / report.REPORT_FILE} and {out_dir / report.PLOT_FILE}",
          file=sys.stderr, flush=True)
    return 0
