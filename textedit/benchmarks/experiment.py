"""The low-resource experiment (`textedit experiment low_resource`; the EdiT5 paper's Table 2, on
our data): sentence fusion from 1%, 10% and 100% of WikiSplit's training pairs, EdiT5 against
seq2seq, each with and without pre-training, every run with the same CPU budget. `run_experiment`
runs it from `ExperimentSettings`, whose fields are the command's flags, named alike.

Runs (each a `textedit train` command, printed and kept in the run's log under OUT_DIR/logs/):
1. pretrain_t5: a T5 pre-trained with span corruption on clean_text (--pretrain_minutes).
2. pretrain_edit5 / pretrain_seq2seq: from pretrain_t5, edit-noise pre-training on the same
   clean_text (spans dropped, swapped, added): EdiT5 on edit5_pretrain_edit_noise, seq2seq on
   its plain twin pretrain_edit_noise (--pretrain_minutes each). Both models get the same
   pre-training data and time.
3. For every share (fusion_wikisplit_1pct: 50 pairs, _10pct: 500, fusion_wikisplit: 5,000;
   tasks/low_resource.py) and model: a run from scratch and one from its model's pre-training
   run (INIT_CHECKPOINT), each --finetune_minutes of train-step time (MAX_TRAIN_SECONDS; the
   compiling first step and the evaluation are not counted), then evaluated on the first
   --eval_examples pairs of fusion_wikisplit's validation split: exact match and SARI (and BLEU).
Models: the mini sizes (gin/models/t5_mini.gin: 2+2 layers; edit5_mini.gin: 2+1 layers; d_model
128), batch 32, AdamW 1e-3 constant after 100 warm-up steps; dropout 0 in pre-training, 0.1 in
fine-tuning. The runs share --workers cores, one run per core (textedit/benchmarks/job_queue.py).

Outputs in OUT_DIR: runs/<run>/ (run directories; `textedit edit` and `textedit report` take them),
results.md (the tables), results.json, quality_vs_share.png. Re-running the command skips the
runs that finished (their runs/<run>/experiment_done.json) and rewrites the tables.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from textedit.benchmarks import experiment_results
from textedit.benchmarks.experiment_results import TASK
from textedit.benchmarks.job_queue import Job, print_commands, print_plan, run_jobs
from textedit.data.train_share import share_task_name

ROOT = Path(__file__).resolve().parents[2]  # the repository: gin/ paths are relative to it

MODELS = ("edit5", "seq2seq")
EXPERIMENT_FILES = {"edit5": "gin/experiments/edit5_fusion_wikisplit.gin",
                    "seq2seq": "gin/experiments/seq2seq_fusion_wikisplit.gin"}
PRETRAIN_FILES = {"edit5": "gin/experiments/edit5_pretrain_edit_noise.gin",
                  "seq2seq": "gin/experiments/seq2seq_pretrain_edit_noise.gin"}
PRETRAIN_EVAL = "pretrain_edit_noise"  # both models' edit-noise runs are scored on it
# The model file of each size, by model ("t5" and "seq2seq" are the same T5).
SIZE_FILES = {size: {"t5": f"gin/models/t5_{size}.gin", "seq2seq": f"gin/models/t5_{size}.gin",
                     "edit5": f"gin/models/edit5_{size}.gin"} for size in ("mini", "small")}
# Fine-tuning lengths that fit the data (pieces incl. EOS, train split: inputs p99 90, targets
# p99 78): seq2seq truncates 6 of 5,000 train targets at 96; EdiT5 filters (and counts) the
# pairs over 96 input pieces or 32 insertion steps (its mean is 5.6). Both are evaluated at 128.
FINETUNE_LENGTHS = {"edit5": {"inputs": 96, "decoder_targets": 32},
                    "seq2seq": {"inputs": 96, "targets": 96}}
EVAL_LENGTHS = {"inputs": 128, "targets": 128}
DONE_MARKER = "experiment_done.json"
OVERHEAD_SECONDS = 150  # start-up, compilation and evaluation of one run, for the ETA
# Shares with a registered task (tasks/low_resource.py); others need
# tasks.low_resource.register_train_share_task in a task module.
REGISTERED_SHARES = (1.0, 10.0, 100.0)
DEFAULT_OUT_DIR = ROOT / "workdir" / "experiments" / "low_resource"


@dataclasses.dataclass
class ExperimentSettings:
    """The experiment's budgets and choices (module docstring); each field is the flag of the
    same name.

    Attributes:
      out_dir: where runs, logs, tables and the plot go.
      pretrain_minutes: train-step time of each of the 3 pre-training runs.
      finetune_minutes: train-step time of each fine-tuning run.
      shares: percent of the training pairs (REGISTERED_SHARES).
      models: of MODELS.
      variants: "pretrained" and / or "scratch".
      size: model size ("mini" or "small", SIZE_FILES).
      batch_size, learning_rate: of every run.
      eval_examples: first N validation pairs scored (0 = all).
      pretrain_eval_examples: validation examples each pre-training run is scored on.
      workers: runs at once, one per core.
      data_dir: passed on to the runs (None: their default).
      skip_bad_lines: passed on to the runs; the tables skip malformed lines too.
    """

    out_dir: str = str(DEFAULT_OUT_DIR)
    pretrain_minutes: float = 10.0
    finetune_minutes: float = 5.0
    shares: Sequence[float] = (1.0, 10.0, 100.0)
    models: Sequence[str] = MODELS
    variants: Sequence[str] = ("pretrained", "scratch")
    size: str = "mini"
    batch_size: int = 32
    learning_rate: float = 1e-3
    eval_examples: int = 1000
    pretrain_eval_examples: int = 200
    workers: int = dataclasses.field(default_factory=lambda: os.cpu_count() or 1)
    data_dir: str | None = None
    skip_bad_lines: bool = False


@dataclasses.dataclass(frozen=True)
class Run:
    """One training run of the experiment."""

    name: str
    model: str  # "t5" (span corruption), "edit5" or "seq2seq"
    stage: str  # "pretrain" or "finetune"
    share: float = 100.0  # percent of the training pairs (fine-tuning)
    pretrained: bool = False  # fine-tuning: starts from its model's pre-training run
    init: str | None = None  # the run it starts from
    eval_task: str = TASK


def share_task(model: str, share: float) -> str:
    base = TASK if share == 100 else share_task_name(TASK, share)
    return f"edit5_{base}" if model == "edit5" else base


def plan(models: list[str], shares: list[float], variants: list[str]) -> list[Run]:
    """The runs, longest chain first: span corruption, edit noise, then the fine-tuning runs."""
    runs: list[Run] = []
    pretrained = "pretrained" in variants
    if pretrained:
        runs.append(Run("pretrain_t5", "t5", "pretrain", eval_task="pretrain_span_corruption"))
        runs += [Run(f"pretrain_{m}", m, "pretrain", init="pretrain_t5",
                     eval_task=PRETRAIN_EVAL) for m in models]
    for init in ("pretrained", "scratch"):
        if init not in variants:
            continue
        for model in models:
            for share in shares:
                runs.append(Run(f"{model}_{share:g}pct_{init}", model, "finetune", share,
                                pretrained=init == "pretrained",
                                init=f"pretrain_{model}" if init == "pretrained" else None))
    return runs


def train_command(run: Run, args: ExperimentSettings) -> list[str]:
    """The `textedit train` command line of `run`."""
    runs_dir = Path(args.out_dir) / "runs"
    if run.model == "t5":
        experiment_file = "gin/experiments/pretrain_span_corruption.gin"
    elif run.stage == "pretrain":
        experiment_file = PRETRAIN_FILES[run.model]
    else:
        experiment_file = EXPERIMENT_FILES[run.model]
    files = [experiment_file, SIZE_FILES[args.size][run.model]]
    # Pre-training trains on its experiment file's task; fine-tuning on the share's.
    task = share_task(run.model, run.share) if run.stage == "finetune" else None
    minutes = args.pretrain_minutes if run.stage == "pretrain" else args.finetune_minutes
    bindings = {
        "MODEL_DIR": repr(str(runs_dir / run.name)),
        "MAX_TRAIN_SECONDS": f"{minutes * 60:.0f}",
        "TRAIN_STEPS": "1000000",  # the time budget ends the run
        "BATCH_SIZE": str(args.batch_size),
        "LEARNING_RATE": str(args.learning_rate),
        "WARMUP_STEPS": "100",
        "DECAY": "'constant'",
        "DROPOUT_RATE": "0.0" if run.stage == "pretrain" else "0.1",
        "LOG_EVERY": "50",
        "CHECKPOINT_EVERY": "100000",  # the last step is always saved
        "EVAL_EVERY": "0",
        "EVAL_MIXTURE_OR_TASK_NAMES": repr([run.eval_task]),
        "MAX_EVAL_EXAMPLES": str(args.pretrain_eval_examples if run.stage == "pretrain"
                                 else args.eval_examples or None),
    }
    if task:
        bindings["MIXTURE_OR_TASK_NAME"] = repr(task)
    if run.stage == "finetune":
        bindings["TASK_FEATURE_LENGTHS"] = repr(FINETUNE_LENGTHS[run.model])
        bindings["EVAL_TASK_FEATURE_LENGTHS"] = repr(EVAL_LENGTHS)
        # About one full-data pass per input pipeline (textedit/training/train_data.py): a 1% share
        # would otherwise rebuild the pipeline on every step.
        bindings["PASSES_PER_EPOCH"] = str(max(1, round(100 / run.share)))
    if run.init:
        bindings["INIT_CHECKPOINT"] = repr(str(runs_dir / run.init))
    return ([sys.executable, "-m", "textedit", "train"] + [f"--gin_file={f}" for f in files]
            + [f"--gin.{k}={v}" for k, v in bindings.items()] + data_flags(args))


def data_flags(args) -> list[str]:
    """--data_dir and --skip_bad_lines as the commands of an experiment get them (`args`: any
    experiment's settings with `data_dir` and `skip_bad_lines`)."""
    return (([f"--data_dir={args.data_dir}"] if args.data_dir else [])
            + (["--skip_bad_lines"] if args.skip_bad_lines else []))


def with_vocabulary_job(jobs: list[Job], args) -> list[Job]:
    """`jobs` after a `textedit data --no_table` job that each of them needs: every run then
    finds the vocabulary trained (or checked up to date) once."""
    vocabulary = Job("vocabulary", [sys.executable, "-m", "textedit", "data", "--no_table",
                                    *data_flags(args)])
    for job in jobs:
        job.needs = ("vocabulary", *job.needs)
    return [vocabulary, *jobs]


def run_experiment(args: ExperimentSettings, argv: Sequence[str], dry_run: bool = False) -> int:
    """Plans the runs, runs them (`dry_run`: prints them) and writes the tables; the exit code
    (1 when a run did not finish). `argv`: the command's arguments, shown in results.md."""
    if not set(args.shares) <= set(REGISTERED_SHARES):
        raise ValueError(f"shares: registered shares are {sorted(REGISTERED_SHARES)}")
    args = dataclasses.replace(args, out_dir=str(Path(args.out_dir).resolve()))
    out_dir = Path(args.out_dir)
    runs = plan(list(args.models), sorted(args.shares), list(args.variants))
    jobs = []
    for run in runs:
        minutes = args.pretrain_minutes if run.stage == "pretrain" else args.finetune_minutes
        jobs.append(Job(run.name, train_command(run, args),
                        needs=(run.init,) if run.init else (),
                        done_marker=out_dir / "runs" / run.name / DONE_MARKER,
                        expected_seconds=minutes * 60 + OVERHEAD_SECONDS))
    print_plan(jobs, args.workers, "experiment", "runs")
    if dry_run:
        print_commands(jobs)
        return 0
    jobs = with_vocabulary_job(jobs, args)
    outcome = run_jobs(jobs, args.workers, out_dir / "logs", cwd=ROOT)
    rows = experiment_results.collect(runs, out_dir / "runs", outcome, args)
    experiment_results.write(rows, out_dir, args, list(argv))
    print((out_dir / "results.md").read_text(), flush=True)
    failed = [n for n, o in outcome.items() if o != "done"]
    if failed:
        print(f"[experiment] not finished: {', '.join(failed)} (logs in {out_dir / 'logs'})",
              file=sys.stderr)
    return 1 if failed else 0

