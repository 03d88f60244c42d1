"""Quality and latency of trained runs on their validation tasks (`textedit report`): one Markdown
report and a quality-versus-latency plot, in the spirit of the EdiT5 paper's Table 4.
`build_report(ReportSettings(...))` measures, `write_report` writes the files; the settings are the
command's flags, named alike. The task registry must be loaded first (`import tasks`), and
`set_threads` called before TensorFlow starts.

Runs: directories written by `textedit train` (model.json, vocab/, checkpoints/); the latest
checkpoint is used. A path that is not one stops the tool (exit code 2) with a message naming it.
Tasks: those the run is evaluated on (its run.json: the evaluation tasks, else the training
task; an EdiT5 run trained on `edit5_<task>` is evaluated on `<task>`; a mixture
means each of its tasks), or `--task` for every run. Split: validation.

Quality: the run decodes the first `--max_examples` inputs of the split (0: all of them) as its
own evaluation does (EdiT5: `Editor`; seq2seq: greedy to EOS; textedit/benchmarks/run_report.py),
and the predictions are scored with the task's own metric_fns (textedit.metrics.task_evaluation,
as `textedit evaluate` scores a file). Predictions are kept in DIR/predictions/<run>.<task>.txt.

Latency: batch 1, the first `--latency_examples` inputs of the split, tokenised beforehand (not
timed), each padded to its length bucket; timed from token ids in host memory to output ids in
host memory (XLA decoding to the model's own EOS, copy back; EdiT5 includes `realise_batch`), as
`textedit benchmark latency` times it, after compilation and `--warmup` untimed calls per bucket.
Mean, median and p95 (numpy's linear interpolation) in ms, and decoder steps per example
(seq2seq: tokens with EOS; EdiT5: insertion decoder steps). Inputs longer than the model's input
length, and empty ones, are not timed (counted in the report). `--threads` (default 1) sets
TensorFlow's intra- and inter-op threads before anything is built.

Writes DIR/report.md (one table per task, one row per run), DIR/quality_vs_latency.png (x: p95
latency, log scale when the values spread over more than 10x; y: `--metric`, default the task's
first metric's headline score; one panel per task) and, with `--json FILE`, the report as JSON;
the Markdown is printed too.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import platform
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

SPLIT = "validation"
PLOT_FILE, REPORT_FILE = "quality_vs_latency.png", "report.md"
MARKERS = {"EdiT5": "o", "seq2seq": "s"}


class ReportError(Exception):
    """A user error: printed, exit code 2."""


@dataclasses.dataclass
class ReportSettings:
    """What `build_report` measures (module docstring); each field is the flag of the same name.

    Attributes:
      runs: run directories.
      out_dir: where report.md, the plot and predictions/ go.
      task: evaluate every run on this task (or mixture) instead of its own.
      max_examples: first N validation examples scored (None: the whole split).
      latency_examples: first N validation inputs timed at batch 1.
      warmup: untimed calls per bucket after compilation.
      batch_size: rows decoded at once for the quality predictions.
      metric: the score on the plot's y axis (None: each task's first metric's headline score).
      json: also write the report as JSON to this file.
    """

    runs: Sequence[str]
    out_dir: str
    task: str | None = None
    max_examples: int | None = 500
    latency_examples: int = 200
    warmup: int = 1
    batch_size: int = 32
    metric: str | None = None
    json: str | None = None


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def set_threads(threads: int) -> dict:
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:  # TensorFlow already running in this process: the report shows it
        _progress("TensorFlow already initialised; --threads ignored")
    return {"intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
            "inter_op": tf.config.threading.get_inter_op_parallelism_threads()}


def _same_name(name: str) -> str:
    return name


def resolve_tasks(run_dir: Path, eval_tasks: tuple[str, ...], override: str | None,
                  seq2seq_task_name: Callable[[str], str] = _same_name) -> list[str]:
    """The plain text tasks a run is evaluated on (module docstring); `seq2seq_task_name` maps an
    EdiT5 task's name to its plain twin's (tasks.edit_tasks.seq2seq_task_name)."""
    import seqio

    names = [override] if override else list(eval_tasks)
    if not names:
        raise ReportError(f"{run_dir}: its run.json names no task; pass --task")
    tasks = []
    for name in map(seq2seq_task_name, names):
        if name in seqio.MixtureRegistry.names():
            subtasks = [seq2seq_task_name(t.name) for t in seqio.get_subtasks(
                seqio.get_mixture_or_task(name))]
        elif name in seqio.TaskRegistry.names():
            subtasks = [name]
        else:
            where = "--task" if override else f"{run_dir / 'run.json'}"
            raise ReportError(f"unknown task {name!r} (from {where})")
        tasks += [t for t in subtasks if t not in tasks]
    return tasks


def check_metric(metric: str, splits: dict) -> None:
    """`metric` must be a score of every task (the keys, from scoring one copied source)."""
    from textedit.metrics import task_evaluation

    for task, split in splits.items():
        one = dataclasses.replace(split, examples=split.examples[:1], targets=split.targets[:1])
        keys = [k for r in task_evaluation.score(one, one.sources()) for k in r.scores]
        if metric not in keys:
            raise ReportError(f"--metric {metric}: task {task} has no such score; its scores "
                              f"are {', '.join(keys)}")


def headline_metric(scores: dict, first_metric: str) -> str:
    """The first metric_fn's main score: the one named like it, ERRANT's F0.5, else its first."""
    if first_metric in scores:
        return first_metric
    keys = [k for k in scores if k.startswith(first_metric)] or list(scores)
    return next((k for k in keys if k.endswith("f0.5")), keys[0])


def measure_latency(run, sources: list[str], warmup: int = 1) -> dict:
    """Batch-1 latency of `run` on `sources` (module docstring); None summary if none timed."""
    from textedit.benchmarks.latency import (
        LatencyExample,
        TimedModel,
        latency_summary,
        pad_batch,
    )
    from textedit.benchmarks.run_report import EDIT5

    config = run.model.config.t5 if run.kind == EDIT5 else run.model.config
    limit = run.predictor.max_input_length
    examples, skipped = [], {"empty": 0, f"longer than {limit - 1} pieces": 0}
    for text in sources:
        ids = list(run.vocabulary.encode(text))
        if not ids or len(ids) + 1 > limit:
            skipped["empty" if not ids else f"longer than {limit - 1} pieces"] += 1
            continue
        examples.append(LatencyExample(np.asarray([*ids, config.eos_id], np.int32), 0, 0,
                                       run.predictor.bucket(len(ids) + 1)))
    timed = TimedModel(run.kind, run.model, edit5=run.kind == EDIT5, forced=False,
                       max_length=run.decode_buffer)
    for bucket in sorted({e.bucket for e in examples}):  # compile, then warm up
        tokens = pad_batch([next(e for e in examples if e.bucket == bucket)], bucket)
        for _ in range(1 + warmup):
            timed(tokens, None, run.decode_buffer)
    calls = [timed(pad_batch([e], e.bucket), None, run.decode_buffer) for e in examples]
    return {"summary": latency_summary([c.seconds for c in calls]) if calls else None,
            "decoder_steps_mean": float(np.mean([c.steps[0] for c in calls])) if calls else None,
            "without_eos": int(sum(not c.ended[0] for c in calls)),
            "skipped": {k: v for k, v in skipped.items() if v}}


def evaluate_run(run, task: str, split, args: ReportSettings, out_dir: Path) -> dict:
    """One row of the report: the run's scores and latency on `task`."""
    from textedit.metrics import task_evaluation

    count = len(split) if args.max_examples is None else min(args.max_examples, len(split))
    part = dataclasses.replace(split, examples=split.examples[:count],
                               targets=split.targets[:count])
    sources = split.sources()
    _progress(f"{run.name}: decoding {count} {task} {SPLIT} examples ...")
    predictions = run.predict(sources[:count])
    path = out_dir / "predictions" / f"{run.name}.{task}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(p + "\n" for p in predictions), encoding="utf-8")
    results = task_evaluation.score(part, predictions)
    scores = {key: value for r in results for key, value in r.scores.items()}
    _progress(f"{run.name}: timing {min(args.latency_examples, len(sources))} inputs at batch 1")
    latency = measure_latency(run, sources[:args.latency_examples], args.warmup)
    return {"run": run.name, "path": str(run.path), "kind": run.kind,
            "parameters": run.parameters, "step": run.step, "task": task, "examples": count,
            "long_inputs": run.long_inputs, "input_length": run.predictor.max_input_length,
            "scores": scores, "headline_metric": headline_metric(scores, results[0].name),
            "latency": latency, "predictions": str(path)}


def format_report(report: dict) -> str:
    """The report as Markdown: a table per task, then how it was measured."""
    from textedit.metrics.task_evaluation import format_score

    lines = ["# Quality and latency", ""]
    for task, metric in report["plot_metric"].items():
        rows = [r for r in report["rows"] if r["task"] == task]
        keys = list(dict.fromkeys(k for r in rows for k in r["scores"]))
        lines += [f"## {task} ({report['split']})", "",
                  "| run | model | params | step | examples | " + " | ".join(keys)
                  + " | latency mean ms | median ms | p95 ms | decoder steps |",
                  "|---|---|---:|---:|---:|" + "---:|" * (len(keys) + 4)]
        for r in rows:
            summary = r["latency"]["summary"]
            timing = ([f"{summary[k]:.1f}" for k in ("mean_ms", "median_ms", "p95_ms")]
                      + [f"{r['latency']['decoder_steps_mean']:.1f}"]) if summary else ["–"] * 4
            scores = [format_score(k, r["scores"][k]) if k in r["scores"] else "–"
                      for k in keys]
            lines.append(f"| {r['run']} | {r['kind']} | {r['parameters'] / 1e6:.2f} M | "
                         f"{r['step']} | {r['examples']} | " + " | ".join(scores + timing) + " |")
        lines += ["", f"Plot y axis: {metric}.", ""]
    skipped = [f"{r['run']} on {r['task']}: " + ", ".join(
                   f"{n} {why}" for why, n in r["latency"]["skipped"].items())
               for r in report["rows"] if r["latency"]["skipped"]]
    without_eos = [f"{r['run']} on {r['task']}: {r['latency']['without_eos']}"
                   for r in report["rows"] if r["latency"]["without_eos"]]
    threads = report["threads"]
    used = (f"{threads['intra_op']} thread(s)" if threads["intra_op"] else
            "TensorFlow's default threads (--threads came after TensorFlow had started)")
    scored = f"the first {report['max_examples']}" if report["max_examples"] else "all"
    lines += [
        f"![quality vs latency]({PLOT_FILE})", "",
        f"Command: `{report['command']}`  ",
        f"Machine: {report['cpu']}, {report['cpu_count']} CPUs; TensorFlow "
        f"{report['tensorflow']}; threads intra-op {threads['intra_op']}, inter-op "
        f"{threads['inter_op']}; 1-minute load average {report['load_average']:.2f}  ",
        f"Date: {report['date']}  ",
        f"Latency: batch 1 on {report['device']} with {used}, the first "
        f"{report['latency_examples']} {report['split']} inputs per task; token ids in -> output "
        f"ids out (decoding to the model's own EOS; EdiT5 with realisation), after compilation "
        f"and {report['warmup']} warm-up call(s) per length bucket; tokenisation not timed.  ",
        f"Quality: {scored} {report['split']} examples per task, scored with the task's own "
        "metrics; predictions in predictions/. Decoder steps: seq2seq tokens, EdiT5 insertion "
        "decoder steps (EOS included).",
    ]
    long = [f"{r['run']} on {r['task']}: {r['long_inputs']} longer than "
            f"{r['input_length'] - 1} pieces, "
            + ("passed through unchanged" if r["kind"] == "EdiT5" else "cut to that length")
            for r in report["rows"] if r["long_inputs"]]
    if long:
        lines += ["", "Scored inputs too long for the model: " + "; ".join(long) + "."]
    if skipped:
        lines += ["", "Not timed: " + "; ".join(skipped) + "."]
    if without_eos:
        lines += ["", "Timed examples that reached the decode buffer without EOS: "
                  + "; ".join(without_eos) + "."]
    return "\n".join(lines) + "\n"


def plot(report: dict, path: Path) -> None:
    """x: p95 latency (ms), y: the plot metric; a panel per task, a labelled point per run."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tasks = list(report["plot_metric"])
    figure, axes = plt.subplots(1, len(tasks), figsize=(5.5 * len(tasks), 4.2), squeeze=False)
    for axis, task in zip(axes[0], tasks, strict=True):
        metric = report["plot_metric"][task]
        rows = [r for r in report["rows"] if r["task"] == task and r["latency"]["summary"]]
        for i, r in enumerate(rows):
            x, y = r["latency"]["summary"]["p95_ms"], r["scores"][metric]
            axis.scatter(x, y, marker=MARKERS.get(r["kind"], "^"), s=60, label=r["kind"],
                         color="C0" if r["kind"] == "EdiT5" else "C1")
            # Alternate above / below: runs of one model kind often sit close together.
            axis.annotate(r["run"], (x, y), textcoords="offset points",
                          xytext=(5, 5 if i % 2 == 0 else -12), fontsize=8)
        xs = [r["latency"]["summary"]["p95_ms"] for r in rows]
        if xs and max(xs) > 10 * min(xs):
            axis.set_xscale("log")
        handles, labels = axis.get_legend_handles_labels()
        unique = dict(zip(labels, handles, strict=True))
        if unique:
            axis.legend(unique.values(), unique.keys(), fontsize=8)
        axis.set(title=f"{task} ({report['split']})", ylabel=metric,
                 xlabel=f"p95 latency, ms (batch 1, {report['threads']['intra_op'] or 'default'} "
                        "threads)")
        axis.grid(alpha=0.3)
        axis.margins(0.15)  # room for the labels
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def build_report(args: ReportSettings, *, command: str, threads: dict,
                 seq2seq_task_name: Callable[[str], str] = _same_name) -> dict:
    """Checks every run and task first (ReportError), then decodes, scores and times each run on
    each of its tasks; the report as a dict. `command` is shown in the report, `threads` is what
    `set_threads` returned, `seq2seq_task_name` as in `resolve_tasks`."""
    import tensorflow as tf

    from textedit.benchmarks.run_report import (
        NotARunError,
        check_run_dir,
        load_report_run,
        run_settings,
    )
    from textedit.metrics import task_evaluation

    names = [Path(path).resolve().name for path in args.runs]
    if len(set(names)) < len(names):
        raise ReportError(f"two run directories share a name ({', '.join(names)}): the report "
                          "names runs by their directory")
    plan: dict[str, list[str]] = {}  # run directory -> its tasks
    splits = {}
    try:
        run_dirs = [check_run_dir(path) for path in args.runs]  # all before the slow work
        for path, run_dir in zip(args.runs, run_dirs, strict=True):
            plan[path] = resolve_tasks(run_dir, run_settings(run_dir).eval_tasks, args.task,
                                       seq2seq_task_name)
            for task in plan[path]:
                if task not in splits:
                    splits[task] = task_evaluation.read_split(task, SPLIT)
    except ValueError as error:  # NotARunError, or a task without a validation split
        raise ReportError(str(error)) from error
    if args.metric:
        check_metric(args.metric, splits)
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for path, run_tasks in plan.items():
        try:
            run = load_report_run(path, args.batch_size)
        except NotARunError as error:  # files that do not fit together
            raise ReportError(str(error)) from error
        rows += [evaluate_run(run, task, splits[task], args, out_dir) for task in run_tasks]
    plot_metric = {}
    for row in rows:
        plot_metric.setdefault(row["task"], args.metric or row["headline_metric"])
    gpus = tf.config.list_logical_devices("GPU")
    return {
        "command": command, "split": SPLIT,
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
        "device": "GPU" if gpus else "CPU", "threads": threads,
        "tensorflow": tf.__version__, "load_average": os.getloadavg()[0],
        "max_examples": args.max_examples, "latency_examples": args.latency_examples,
        "warmup": args.warmup, "plot_metric": plot_metric, "rows": rows,
    }


def write_report(report: dict, out_dir: str | Path, json_file: str | None = None) -> str:
    """Writes report.md and the plot into `out_dir` (and the JSON to `json_file`); returns the
    Markdown."""
    out_dir = Path(out_dir)
    markdown = format_report(report)
    (out_dir / REPORT_FILE).write_text(markdown, encoding="utf-8")
    plot(report, out_dir / PLOT_FILE)
    if json_file:
        Path(json_file).write_text(json.dumps(report, indent=1) + "\n")
    return markdown
