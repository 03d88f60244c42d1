"""Scores predictions for one split of a task with that task's metrics, as SeqIO evaluation does.

    textedit evaluate --task gec_conll --predictions out.txt      # validation split
    textedit evaluate --task gec_jfleg --baseline copy            # output = input
    textedit evaluate --task simplify_asset --baseline copy --metrics sari --json
    textedit evaluate --task my_gec --gin_file my_tasks.gin --predictions out.txt
    textedit evaluate --task gec_wi_fce --predictions a.txt --compare b.txt   # A - B, 95% interval
    textedit evaluate --task gec_jfleg --predictions a.txt --errant_types main  # per error type

The predictions file is UTF-8 text with one prediction per line, in task order (the order of
`task.get_dataset(split=..., shuffle=False)`); only the line break is removed, then the task's
postprocess_fn runs as it does on a model's decodes. A file with a different number of lines than
the split has examples is an error naming both counts. `--baseline copy` scores the source itself.

Metrics are the task's own metric_fns (see tasks/gec.py, fusion.py, simplification.py): e.g.
ERRANT F0.5 against the gold M2 edits for W&I and CoNLL, GLEU for JFLEG, SARI for simplification.
`--metrics` picks some of them by name. Examples are read through the task's data source without
tokenising, so no trained vocabulary is needed. Output: a table, or JSON with --json; `--output
FILE` also writes the JSON report to FILE.

`--compare B` (a second predictions file, or `copy`) scores B too and gives, for every score,
A − B with a paired-bootstrap interval (`--bootstrap` resamples of the examples, `--seed`) and the
share of resamples where A is not above B (textedit/metrics/paired_bootstrap.py).

`--errant_types main` (or `operation`, `full`) adds ERRANT's counts per error category, as
`errant_compare -cat 2` (1, 3) prints them, for tasks scored with ERRANT: which kinds of edit a
system gets right, which it misses, which it makes wrongly (for B too with --compare).

Beside the metrics it reports how much the predictions reuse their sources (exact copies, source
words kept, output words taken from the source; textedit/metrics/source_overlap.py): a model
that writes fluent text unrelated to its input and one that copies can score alike.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from textedit.cli.flags import add_data_flags, apply_data_flags, register_tasks

HELP = ("score a predictions file (or the copy baseline) with a task's own metrics; --compare: "
        "A - B with a paired-bootstrap interval")
ACCEPTS_GIN = True  # gin files register user tasks (user_parallel_tasks)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--task", required=True, help="a registered SeqIO task")
    parser.add_argument("--split", default="validation", help="default %(default)s")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--predictions", metavar="FILE",
                        help="UTF-8 file, one prediction per line, in task order")
    source.add_argument("--baseline", choices=["copy"],
                        help="score a baseline instead: copy = output the source unchanged")
    parser.add_argument("--compare", metavar="FILE",
                        help="a second predictions file (or 'copy'): report A - B per score with "
                        "a paired-bootstrap interval")
    parser.add_argument("--bootstrap", type=int, default=1000, metavar="N",
                        help="resamples for --compare (default %(default)s; each scores both "
                        "systems once per metric)")
    parser.add_argument("--confidence", type=float, default=0.95,
                        help="the --compare interval's coverage (default %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="the resamples' seed")
    parser.add_argument("--metrics", help="comma-separated subset of the task's metrics "
                        "(default: all of them)")
    from textedit.metrics.errant_metric import CATEGORY_LEVELS  # cheap: spaCy loads on use

    parser.add_argument("--errant_types", choices=CATEGORY_LEVELS,
                        help="also ERRANT counts per error category, at errant_compare's -cat "
                        "level 1 (operation: M/R/U), 2 (main: e.g. VERB:SVA) or 3 (full)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--output", metavar="FILE",
                        help="also write the report as JSON to FILE (for experiment tables)")
    add_data_flags(parser, vocab_dir=False)


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def format_table(report: dict) -> str:
    """The report as aligned text: a header block, then one row per score."""
    lines = [f"{label:<12}{report[key]}" for label, key in (
        ("task", "task"), ("split", "split"), ("examples", "examples"),
        ("predictions", "predictions"))]
    if report["skipped_input_lines"]:
        lines.append(f"{'skipped':<12}{report['skipped_input_lines']} malformed input lines")
    from textedit.metrics.task_evaluation import format_score

    rows = [(key, format_score(key, value)) for key, value in report["scores"].items()]
    width = max([len("metric")] + [len(key) for key, _ in rows]) + 2
    lines += ["", f"{'metric':<{width}}{'score':>10}"]
    lines += [f"{key:<{width}}{value:>10}" for key, value in rows]
    overlap = report["source_overlap"]
    lines += ["", "reuse of the source: " + ", ".join(
        f"{key.replace('_', ' ')} {value:.1f}%" for key, value in overlap.items())]
    seconds = ", ".join(f"{name} {s:.1f}s" for name, s in report["metric_seconds"].items())
    lines += ["", f"time: read {report['read_seconds']:.1f}s; {seconds}; "
              f"total {report['total_seconds']:.1f}s"]
    return "\n".join(lines)


def format_error_types(report: dict) -> str:
    """The --errant_types part of a report: one row per category, most reference edits first."""
    types = report["errant_types"]
    lines = [f"ERRANT by error category ({types['level']}; a true positive or a miss counts under "
             f"the reference's type, a wrong edit under the system's)"]
    for system in ("a", "b"):
        if system not in types:
            continue
        rows = types[system]
        if "b" in types:
            lines += ["", "A" if system == "a" else "B"]
        width = max([len("category")] + [len(c) for c in rows]) + 2
        lines.append(f"{'category':<{width}}{'TP':>6}{'FP':>6}{'FN':>6}{'P':>8}{'R':>8}"
                     f"{'F0.5':>8}")
        order = sorted(rows, key=lambda c: (-(rows[c]["tp"] + rows[c]["fn"]), -rows[c]["fp"], c))
        for category in order:
            r = rows[category]
            lines.append(f"{category:<{width}}{r['tp']:>6}{r['fp']:>6}{r['fn']:>6}"
                         f"{r['precision']:>8.2f}{r['recall']:>8.2f}{r['f_score']:>8.2f}")
    return "\n".join(lines)


def _errant_metric(task: str, names):
    """The task's ERRANT metric_fn (the first with `type_counts`); an error when it has none."""
    from textedit.metrics import task_evaluation

    fns = [fn for fn in task_evaluation.metric_fns(task, names) if hasattr(fn, "type_counts")]
    if not fns:
        raise ValueError(f"--errant_types: task {task} has no ERRANT metric"
                         f"{' among --metrics' if names else ''}.")
    return fns[0]


def _error_types(split, systems: dict, names, level: str) -> dict:
    """{"metric", "level", "a": {category: counts and scores}, ["b": ...]} from the task's ERRANT
    metric_fn (the one with `type_counts`)."""
    from textedit.metrics import task_evaluation

    fn = _errant_metric(split.task, names)
    report = {"metric": fn.__name__, "level": level}
    for system, predictions in systems.items():
        processed = task_evaluation.postprocess_predictions(split, predictions)
        report[system] = {
            category: {"tp": c.tp, "fp": c.fp, "fn": c.fn, "precision": 100.0 * c.precision,
                       "recall": 100.0 * c.recall, "f_score": 100.0 * c.f_score}
            for category, c in fn.type_counts(split.targets, processed, level=level).items()}
    return report


def _skipped_lines(task: str, split: str) -> int:
    """Malformed input lines the split's reader skipped (--skip_bad_lines, or known-bad lines)."""
    from tasks.registration import LOADED, SETTINGS
    from textedit.data.data_dir import find_data_dir

    loaded = LOADED.get((task, split, str(find_data_dir()), SETTINGS.skip_bad_lines))
    return loaded.skipped.skipped if loaded is not None and loaded.skipped is not None else 0


def format_comparison(report: dict) -> str:
    """The --compare part of a report as aligned text: A, B, A - B, interval, share not above."""
    from textedit.metrics.task_evaluation import format_score

    comparison = report["comparison"]
    lines = [f"A = {report['predictions']}", f"B = {comparison['predictions']}",
             f"{comparison['resamples']} paired bootstrap resamples (seed {comparison['seed']}), "
             f"{100 * comparison['confidence']:g}% interval of A - B", ""]
    rows = comparison["differences"]
    width = max([len("metric")] + [len(d["key"]) for d in rows]) + 2
    intervals = [f"[{d['low']:+.2f}, {d['high']:+.2f}]" for d in rows]
    # Counts (TP, FP) can have wide intervals: the column grows so that none runs into the next.
    interval_width = max([20] + [len(i) + 2 for i in intervals])
    lines.append(f"{'metric':<{width}}{'A':>10}{'B':>10}{'A - B':>10}   "
                 f"{'interval':<{interval_width}}P(A - B <= 0)")
    for d, interval in zip(rows, intervals, strict=True):
        lines.append(f"{d['key']:<{width}}{format_score(d['key'], d['a']):>10}"
                     f"{format_score(d['key'], d['b']):>10}{d['difference']:>+10.2f}   "
                     f"{interval:<{interval_width}}{d['not_above']:.3f}")
    return "\n".join(lines)


def _predictions(split, path: str | None, task: str, split_name: str) -> tuple[list[str], str]:
    """(texts, how the report names them) of a file, or of the copy baseline (path None)."""
    from textedit.metrics.predictions_file import read_predictions

    if path is None:
        return split.sources(), "copy baseline (source copied)"
    return read_predictions(path, len(split), f"{task} {split_name}"), path


def evaluate(args: argparse.Namespace) -> dict:
    """Reads the split and the predictions, runs the metrics; returns the report as a dict."""
    from textedit.metrics import task_evaluation
    from textedit.metrics.source_overlap import source_overlap

    start = time.perf_counter()
    names = [n.strip() for n in args.metrics.split(",") if n.strip()] if args.metrics else None
    task_evaluation.metric_fns(args.task, names)  # unknown names fail before any reading
    if args.errant_types:
        _errant_metric(args.task, names)  # and so does a task without ERRANT
    _progress(f"reading {args.task} {args.split} ...")
    split = task_evaluation.read_split(args.task, args.split)
    read_seconds = time.perf_counter() - start
    predictions, described = _predictions(
        split, None if args.baseline == "copy" else args.predictions, args.task, args.split)
    compare = args.compare
    if compare:  # "copy" names the baseline here, as --baseline copy does for A
        other, other_described = _predictions(
            split, None if compare == "copy" else compare, args.task, args.split)
    _progress(f"scoring {len(split)} examples ...")
    results = task_evaluation.score(split, predictions, names)
    report = {
        "task": args.task,
        "split": args.split,
        "examples": len(split),
        "predictions": described,
        "skipped_input_lines": _skipped_lines(args.task, args.split),
        "scores": {key: value for r in results for key, value in r.scores.items()},
        "source_overlap": source_overlap(split.sources(), predictions),
        "metric_seconds": {r.name: r.seconds for r in results},
        "read_seconds": read_seconds,
        "total_seconds": time.perf_counter() - start,
    }
    if args.errant_types:
        _progress(f"ERRANT counts per error category ({args.errant_types}) ...")
        report["errant_types"] = _error_types(
            split, {"a": predictions, **({"b": other} if compare else {})}, names,
            args.errant_types)
    if compare:
        from textedit.metrics.paired_bootstrap import paired_bootstrap

        _progress(f"comparing with {other_described}: {args.bootstrap} paired resamples ...")
        differences = paired_bootstrap(split, predictions, other, names,
                                       resamples=args.bootstrap, seed=args.seed,
                                       confidence=args.confidence, progress=_progress)
        report["comparison"] = {
            "predictions": other_described, "resamples": args.bootstrap, "seed": args.seed,
            "confidence": args.confidence, "differences": [d.as_dict() for d in differences]}
        report["total_seconds"] = time.perf_counter() - start
    return report


def run(args: argparse.Namespace) -> int:
    import seqio

    from textedit.cli import gin_configurables
    from textedit.metrics.predictions_file import PredictionsFileError

    apply_data_flags(args)
    register_tasks(args)
    configurable = gin_configurables.user_parallel_tasks_configurable()
    gin_configurables.apply_gin(args.gin_files, args.gin_bindings)
    configurable()  # registers the user tasks the gin files list
    if args.task not in seqio.TaskRegistry.names():
        raise SystemExit(f"evaluate: unknown task {args.task!r}; known: "
                         f"{', '.join(sorted(seqio.TaskRegistry.names()))}")
    try:
        report = evaluate(args)
    except (PredictionsFileError, FileNotFoundError, ValueError) as error:
        raise SystemExit(f"evaluate: {error}") from error
    if args.output:
        from pathlib import Path

        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    text = format_table(report)
    if "errant_types" in report:
        text += "\n\n" + format_error_types(report)
    if "comparison" in report:
        text += "\n\n" + format_comparison(report)
    print(json.dumps(report, indent=2) if args.json else text, flush=True)
    return 0
