"""The GEC learning-curve experiment (`textedit experiment gec`): EdiT5 against seq2seq of the
same size on W&I + FCE at the same CPU budget, each from scratch and after synthetic
pre-training, scored every few minutes of training; a Markdown table and a learning-curve plot.

Runs (each chunk a `textedit train` command, printed and logged under OUT_DIR/logs/):
1. synthetic_<model> (variant "synthetic" only): `gec_synthetic` (learner-error noise on clean
   text, tasks/gec_synthetic.py; EdiT5 on its edit5_ twin) for --synthetic_minutes.
2. <model>_<variant>: gec_wi_fce (EdiT5: edit5_gec_wi_fce) for --minutes, in chunks of
   --eval_every_minutes. Chunk c resumes the run's checkpoint, trains --eval_every_minutes of
   train-step time (MAX_TRAIN_SECONDS; start-up, compilation and evaluation are not counted), then
   scores it on the first --eval_examples sentences of JFLEG dev (GLEU) and of W&I dev (ERRANT
   F0.5 against the gold M2 edits). Its first chunk starts from
   synthetic_<model> (INIT_CHECKPOINT) for the "synthetic" variant.
Both models share the gin experiment files of gec (gin/experiments/{edit5,seq2seq}_gec.gin) with
the size's model file, batch, learning rate and lengths set here; --gin passes extra bindings
to every run (e.g. --gin LOSS_REDUCTION="'sum'").

Outputs in OUT_DIR: runs/<run>/ (run directories), results.md, results.json and
learning_curve.png. Re-running the command skips finished chunks and rewrites the tables.
"""

from __future__ import annotations

import dataclasses
import json
import math
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from textedit.benchmarks.experiment import data_flags, with_vocabulary_job
from textedit.benchmarks.job_queue import Job, print_commands, print_plan, run_jobs

ROOT = Path(__file__).resolve().parents[2]
MODELS = ("edit5", "seq2seq")
VARIANTS = ("scratch", "synthetic")
EXPERIMENT_FILES = {"edit5": "gin/experiments/edit5_gec.gin",
                    "seq2seq": "gin/experiments/seq2seq_gec.gin"}
MODEL_FILES = {size: {"edit5": f"gin/models/edit5_{size}.gin",
                      "seq2seq": f"gin/models/t5_{size}.gin"} for size in ("mini", "small")}
TRAIN_TASKS = {"edit5": "edit5_gec_wi_fce", "seq2seq": "gec_wi_fce"}
SYNTHETIC_TASKS = {"edit5": "edit5_gec_synthetic", "seq2seq": "gec_synthetic"}
EVAL_TASKS = ("gec_jfleg", "gec_wi_fce")
# W&I + FCE train pieces: inputs p99 about 60; EdiT5 insertion targets mean 4.
TRAIN_LENGTHS = {"edit5": {"inputs": 64, "decoder_targets": 32},
                 "seq2seq": {"inputs": 64, "targets": 64}}
EVAL_LENGTHS = {"inputs": 128, "targets": 128}
HEADLINE = {"gec_jfleg": "gleu", "gec_wi_fce": "errant_f0.5"}
DEFAULT_OUT_DIR = ROOT / "workdir" / "experiments" / "gec"
OVERHEAD_SECONDS = 120  # start-up, compilation and evaluation of one chunk, for the ETA


@dataclasses.dataclass
class GecExperimentSettings:
    """The experiment's budgets and choices (module docstring); each field is the flag of the
    same name."""

    out_dir: str = str(DEFAULT_OUT_DIR)
    minutes: float = 60.0
    eval_every_minutes: float = 15.0
    synthetic_minutes: float = 15.0
    models: Sequence[str] = MODELS
    variants: Sequence[str] = VARIANTS
    size: str = "mini"
    batch_size: int = 32
    learning_rate: float = 1e-3
    eval_examples: int = 500
    workers: int = 2
    gin: Sequence[str] = ()
    data_dir: str | None = None
    skip_bad_lines: bool = False


@dataclasses.dataclass(frozen=True)
class Chunk:
    """One `textedit train` call: a run's chunk `index` (1-based; 0 = synthetic pre-training)."""

    run: str
    model: str
    variant: str
    index: int
    minutes: float  # train-step minutes of the run when this chunk ends

    @property
    def name(self) -> str:
        return self.run if self.index == 0 else f"{self.run}@{self.index}"


def plan(settings: GecExperimentSettings) -> list[Chunk]:
    """Synthetic pre-training first (the longest chains), then every run's chunks in order."""
    chunks = []
    count = max(1, math.ceil(settings.minutes / settings.eval_every_minutes - 1e-9))
    if "synthetic" in settings.variants:
        chunks += [Chunk(f"synthetic_{m}", m, "synthetic", 0, settings.synthetic_minutes)
                   for m in settings.models]
    for variant in VARIANTS:
        if variant not in settings.variants:
            continue
        for model in settings.models:
            chunks += [Chunk(f"{model}_{variant}", model, variant, c,
                             min(settings.minutes, c * settings.eval_every_minutes))
                       for c in range(1, count + 1)]
    return chunks


def _needs(chunk: Chunk) -> tuple[str, ...]:
    if chunk.index > 1:
        return (f"{chunk.run}@{chunk.index - 1}",)
    if chunk.index == 1 and chunk.variant == "synthetic":
        return (f"synthetic_{chunk.model}",)
    return ()


def train_command(chunk: Chunk, settings: GecExperimentSettings, previous_minutes: float
                  ) -> list[str]:
    """The `textedit train` command of one chunk."""
    runs = Path(settings.out_dir) / "runs"
    files = [EXPERIMENT_FILES[chunk.model], MODEL_FILES[settings.size][chunk.model]]
    synthetic = chunk.index == 0
    eval_examples = settings.eval_examples or None
    bindings = {
        "MODEL_DIR": repr(str(runs / chunk.run)),
        "MIXTURE_OR_TASK_NAME": repr((SYNTHETIC_TASKS if synthetic else TRAIN_TASKS)[chunk.model]),
        "TASK_FEATURE_LENGTHS": repr(TRAIN_LENGTHS[chunk.model]),
        "EVAL_TASK_FEATURE_LENGTHS": repr(EVAL_LENGTHS),
        "MAX_TRAIN_SECONDS": f"{(chunk.minutes - previous_minutes) * 60:.0f}",
        "TRAIN_STEPS": "10000000",  # the time budget ends each chunk
        "BATCH_SIZE": str(settings.batch_size),
        "LEARNING_RATE": str(settings.learning_rate),
        "WARMUP_STEPS": "100",
        "DECAY": "'constant'",
        "DROPOUT_RATE": "0.0",
        "LOG_EVERY": "50",
        "CHECKPOINT_EVERY": "500",
        "EVAL_EVERY": "0",
        "EVAL_MIXTURE_OR_TASK_NAMES": repr([] if synthetic else list(EVAL_TASKS)),
        "MAX_EVAL_EXAMPLES": str(eval_examples),
    }
    if chunk.index == 1 and chunk.variant == "synthetic":
        bindings["INIT_CHECKPOINT"] = repr(str(runs / f"synthetic_{chunk.model}"))
    extra = [f"--gin.{binding}" for binding in settings.gin]
    return ([sys.executable, "-m", "textedit", "train"] + [f"--gin_file={f}" for f in files]
            + [f"--gin.{k}={v}" for k, v in bindings.items()] + extra + data_flags(settings))


def jobs_of(chunks: list[Chunk], settings: GecExperimentSettings) -> list[Job]:
    runs = Path(settings.out_dir) / "runs"
    jobs, previous = [], {}
    for chunk in chunks:
        before = previous.get(chunk.run, 0.0)
        jobs.append(Job(chunk.name, train_command(chunk, settings, before), needs=_needs(chunk),
                        done_marker=runs / chunk.run / f"chunk_{chunk.index}_done.json",
                        expected_seconds=(chunk.minutes - before) * 60 + OVERHEAD_SECONDS))
        previous[chunk.run] = chunk.minutes
    return jobs


def read_scores(run_dir: Path) -> dict[int, dict[str, dict[str, float]]]:
    """{step: {task: metrics}} from the run's SeqIO metric files (eval/<task>-metrics.jsonl)."""
    scores: dict[int, dict[str, dict[str, float]]] = {}
    for task in EVAL_TASKS:
        path = run_dir / "eval" / f"{task}-metrics.jsonl"
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            record = json.loads(line)  # {"step": N, "<metric>": value, ...}
            step = int(record.pop("step"))
            scores.setdefault(step, {})[task] = {k: float(v) for k, v in record.items()}
    return scores


def collect(chunks: list[Chunk], settings: GecExperimentSettings) -> list[dict]:
    """One row per finished chunk: run, minutes, step, headline scores. Every chunk evaluates
    once, when its budget is spent, so chunk c's scores are the run's c-th evaluation."""
    runs = Path(settings.out_dir) / "runs"
    rows = []
    for chunk in chunks:
        marker = runs / chunk.run / f"chunk_{chunk.index}_done.json"
        if chunk.index == 0 or not marker.exists():
            continue
        scores = read_scores(runs / chunk.run)
        steps = sorted(scores)
        if len(steps) < chunk.index:
            continue
        step = steps[chunk.index - 1]
        row = {"run": chunk.run, "model": chunk.model, "variant": chunk.variant,
               "minutes": chunk.minutes, "step": step}
        for task, metric in HEADLINE.items():
            row[f"{task}/{metric}"] = scores[step].get(task, {}).get(metric)
        rows.append(row)
    return rows


def write_results(rows: list[dict], baseline: dict[str, float], settings: GecExperimentSettings,
                  argv: Sequence[str]) -> Path:
    """results.md, results.json and learning_curve.png in OUT_DIR; returns results.md."""
    out = Path(settings.out_dir)
    columns = [f"{t}/{m}" for t, m in HEADLINE.items()]
    lines = ["# GEC learning curves", "",
             f"Command: `textedit experiment gec {shlex.join(argv)}`", "",
             f"JFLEG dev GLEU and W&I dev ERRANT F0.5 on the first "
             f"{settings.eval_examples or 'all'} sentences of each, beside the copy baseline on "
             "the same sentences.", "",
             "| run | minutes | step | JFLEG GLEU | W&I F0.5 |", "|---|---:|---:|---:|---:|",
             "| copy the input | – | – | " + " | ".join(
                 _cell(baseline.get(c)) for c in columns) + " |"]
    for row in rows:
        lines.append(f"| {row['run']} | {row['minutes']:g} | {row['step']} | "
                     + " | ".join(_cell(row[c]) for c in columns) + " |")
    (out / "results.md").write_text("\n".join(lines) + "\n")
    (out / "results.json").write_text(json.dumps({"rows": rows, "copy": baseline}, indent=1))
    _plot(rows, baseline, out / "learning_curve.png")
    return out / "results.md"


def _cell(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _plot(rows: list[dict], baseline: dict[str, float], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(10, 4))
    for axis, (task, metric) in zip(axes, HEADLINE.items(), strict=True):
        key = f"{task}/{metric}"
        for run in sorted({r["run"] for r in rows}):
            points = [(r["minutes"], r[key]) for r in rows
                      if r["run"] == run and r[key] is not None]
            if points:
                axis.plot(*zip(*points, strict=True), marker="o", label=run)
        if baseline.get(key) is not None:
            axis.axhline(baseline[key], color="grey", linestyle="--", label="copy")
        axis.set_xlabel("training minutes (one core)")
        axis.set_title(f"{task} {metric}")
        axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def run_experiment(settings: GecExperimentSettings, argv: Sequence[str], copy_scores,
                   dry_run: bool = False) -> int:
    """Runs (or with `dry_run` prints) the chunks, then writes the tables; the exit code.

    copy_scores: () -> {"<task>/<metric>": copy-baseline score} on the same examples (the CLI
    computes it through the task registry, which this layer does not import).
    """
    settings = dataclasses.replace(settings, out_dir=str(Path(settings.out_dir).resolve()))
    chunks = plan(settings)
    jobs = jobs_of(chunks, settings)
    print_plan(jobs, settings.workers, "experiment gec", "chunks")
    if dry_run:
        print_commands(jobs)
        return 0
    jobs = with_vocabulary_job(jobs, settings)
    out = Path(settings.out_dir)
    outcome = run_jobs(jobs, settings.workers, out / "logs", cwd=ROOT)
    path = write_results(collect(chunks, settings), copy_scores(), settings, argv)
    print(path.read_text(), flush=True)
    failed = [name for name, result in outcome.items() if result != "done"]
    if failed:
        print(f"[experiment gec] not finished: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0
