"""Tables and plot of the low-resource experiment (`textedit experiment`, experiment.py).

Reads what the runs wrote: each run's last evaluation (`runs/<run>/eval/<task>-metrics.jsonl`,
with its step) and wall time (`runs/<run>/experiment_done.json`), scores the copy baseline on the
same validation pairs, and writes `results.md`, `results.json` and `quality_vs_share.png`. A run
that failed or was skipped keeps its row, marked so, never dropped. `args` is the experiment's
`ExperimentSettings` (or any object with the same attributes, e.g. the parsed flags).
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from textedit.data.train_share import share_size

TASK = "fusion_wikisplit"
QUALITY = (("exact_match", "exact match"), ("sari", "SARI"))
MODEL_NAMES = {"edit5": "EdiT5", "seq2seq": "seq2seq", "t5": "T5 (span corruption)"}


def last_metrics(path: Path) -> dict | None:
    """The last line of a SeqIO `<task>-metrics.jsonl` (its final evaluation), or None."""
    if not path.exists():
        return None
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    return json.loads(lines[-1]) if lines else None


def collect(runs: Sequence, runs_dir: Path, outcome: dict[str, str],
            args: Any) -> list[dict]:
    """One row per planned run: its settings, outcome, steps, wall time and final scores."""
    from textedit.data import dataset_catalog

    skip_bad_lines = bool(getattr(args, "skip_bad_lines", False))
    total = len(dataset_catalog.load_split(TASK, "train", skip_bad_lines).examples)
    rows = []
    for run in runs:
        run_dir = runs_dir / run.name
        scores = last_metrics(run_dir / "eval" / f"{run.eval_task}-metrics.jsonl") or {}
        done = run_dir / "experiment_done.json"
        row = {
            "run": run.name, "model": run.model, "stage": run.stage, "share": run.share,
            "pretrained": run.pretrained, "init": run.init, "eval_task": run.eval_task,
            "outcome": outcome.get(run.name, "not run"),
            "step": scores.pop("step", None),
            "wall_minutes": (round(json.loads(done.read_text())["seconds"] / 60, 1)
                             if done.exists() else None),
            "scores": scores,
        }
        if run.stage == "finetune":
            row["train_pairs"] = share_size(total, run.share)
            if row["step"] is not None:
                row["epochs"] = row["step"] * args.batch_size / row["train_pairs"]
        rows.append(row)
    return rows


def copy_baseline(eval_examples: int, skip_bad_lines: bool = False) -> dict[str, float]:
    """Exact match and SARI of outputting the input, on the first `eval_examples` pairs."""
    from textedit.data import dataset_catalog
    from textedit.metrics import exact_match_score, sari_score

    examples = dataset_catalog.load_split(TASK, "validation", skip_bad_lines).examples
    examples = examples[:eval_examples] if eval_examples else examples
    sources = [e.source for e in examples]
    references = [list(e.references) for e in examples]
    scores = dict(exact_match_score(sources, sources, references))
    scores.update(sari_score(sources, sources, references))
    return {"examples": len(examples), **scores}


def _cell(row: dict | None) -> str:
    if row is None:
        return "–"
    if not row["scores"]:
        return f"({row['outcome']})"
    s = row["scores"]
    return f"{s['exact_match']:.2f} / {s['sari']:.2f}"


def _fmt(value, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def markdown(rows: list[dict], baseline: dict, args: Any, argv: list[str]) -> str:
    finetune = [r for r in rows if r["stage"] == "finetune"]
    shares = sorted({r["share"] for r in finetune})
    pairs = {r["share"]: r["train_pairs"] for r in finetune}
    lines = [
        f"# Low-resource sentence fusion ({TASK}): exact match / SARI on the first "
        f"{baseline['examples']:,} validation pairs",
        "",
        "| model | pre-training | " + " | ".join(
            f"{s:g}% ({pairs[s]:,} pairs)" for s in shares) + " |",
        "|---|---|" + "---:|" * len(shares),
    ]
    for model in dict.fromkeys(r["model"] for r in finetune):
        for pretrained in (False, True):
            cells = {r["share"]: r for r in finetune
                     if r["model"] == model and r["pretrained"] == pretrained}
            if cells:
                lines.append(f"| {MODEL_NAMES[model]} | {'yes' if pretrained else 'no'} | "
                             + " | ".join(_cell(cells.get(s)) for s in shares) + " |")
    lines.append("| copy the input | – | " + " | ".join(
        f"{baseline['exact_match']:.2f} / {baseline['sari']:.2f}" for _ in shares) + " |")
    lines += ["", "## Every run", "",
              "| run | train pairs | steps | epochs | wall min | exact match | exact (lower) "
              "| SARI | BLEU |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in finetune:
        s = r["scores"]
        lines.append(
            f"| {r['run']} | {r['train_pairs']:,} | {_fmt(r['step'], 0)} | "
            f"{_fmt(r.get('epochs'), 1)} | {_fmt(r['wall_minutes'], 1)} | "
            f"{_fmt(s.get('exact_match'))} | {_fmt(s.get('exact_match_lowercase'))} | "
            f"{_fmt(s.get('sari'))} | {_fmt(s.get('bleu'))} |"
            + ("" if r["outcome"] == "done" else f" ({r['outcome']})"))
    pretrain = [r for r in rows if r["stage"] == "pretrain"]
    if pretrain:
        lines += ["", "## Pre-training runs", "",
                  "| run | from | steps | wall min | its own validation scores |",
                  "|---|---|---:|---:|---|"]
        for r in pretrain:
            scores = ", ".join(f"{k} {v:.2f}" for k, v in r["scores"].items()) or r["outcome"]
            lines.append(f"| {r['run']} ({r['eval_task']}) | {r['init'] or 'scratch'} | "
                         f"{_fmt(r['step'], 0)} | {_fmt(r['wall_minutes'], 1)} | {scores} |")
    lines += [
        "",
        f"Budgets: {args.pretrain_minutes:g} min of train-step time per pre-training run, "
        f"{args.finetune_minutes:g} min per fine-tuning run (compilation and evaluation not "
        f"counted); {args.size} models, batch {args.batch_size}, learning rate "
        f"{args.learning_rate:g}; {args.workers} runs at once, one per core.",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores; "
        f"{datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}.",
        "Command: `textedit experiment " + " ".join(argv) + "`",
    ]
    return "\n".join(lines) + "\n"


def plot(rows: list[dict], baseline: dict, path: Path) -> None:
    """Exact match and SARI against the training share (log axis), a line per model and init."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    finetune = [r for r in rows if r["stage"] == "finetune" and r["scores"]]
    figure, axes = plt.subplots(1, len(QUALITY), figsize=(10, 4))
    for axis, (metric, label) in zip(axes, QUALITY, strict=True):
        for model in dict.fromkeys(r["model"] for r in finetune):
            for pretrained in (False, True):
                points = sorted((r["share"], r["scores"][metric]) for r in finetune
                                if r["model"] == model and r["pretrained"] == pretrained)
                if points:
                    xs, ys = zip(*points, strict=True)
                    axis.plot(xs, ys, marker="o" if model == "edit5" else "s",
                              linestyle="-" if pretrained else "--",
                              label=f"{MODEL_NAMES[model]}, "
                              f"{'pre-trained' if pretrained else 'from scratch'}")
        axis.axhline(baseline[metric], color="grey", linestyle=":", label="copy the input")
        axis.set_xscale("log")
        shares = sorted({r["share"] for r in finetune})
        axis.set_xticks(shares, [f"{s:g}" for s in shares])
        axis.minorticks_off()
        axis.set_xlabel("share of the training pairs (%)")
        axis.set_ylabel(label)
        axis.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    figure.suptitle(f"{TASK}: quality against training data ({baseline['examples']:,} "
                    "validation pairs)")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def _settings(args: Any) -> dict:
    settings = dataclasses.asdict(args) if dataclasses.is_dataclass(args) else dict(vars(args))
    return {k: list(v) if isinstance(v, tuple) else v for k, v in settings.items()
            if not callable(v)}


def write(rows: list[dict], out_dir: Path, args: Any, argv: list[str]) -> None:
    """Writes results.md, results.json and quality_vs_share.png into `out_dir`."""
    baseline = copy_baseline(args.eval_examples, bool(getattr(args, "skip_bad_lines", False)))
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.md").write_text(markdown(rows, baseline, args, argv))
    (out_dir / "results.json").write_text(json.dumps(
        {"runs": rows, "copy_baseline": baseline, "settings": _settings(args)}, indent=1))
    plot(rows, baseline, out_dir / "quality_vs_share.png")
