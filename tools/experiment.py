#!/usr/bin/env python3
"""The low-resource experiment (the EdiT5 paper's Table 2, on our data): sentence fusion from 1%,
10% and 100% of WikiSplit's training pairs, EdiT5 against seq2seq, each with and without
pre-training, every run with the same CPU budget.

    .venv/bin/python tools/experiment.py              # the default run: about an hour on 2 cores
    .venv/bin/python tools/experiment.py --finetune_minutes 20 --out_dir workdir/experiments/long
    .venv/bin/python tools/experiment.py --dry_run    # print the plan and commands

Runs (each a tools/train.py command, printed and kept in the run's log under OUT_DIR/logs/):
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
fine-tuning. The runs share --workers cores, one run per core (tools/job_queue.py).

Outputs in OUT_DIR: runs/<run>/ (run directories; the edit tool and tools/report.py take them),
results.md (the tables), results.json, quality_vs_share.png. Re-running the command skips the
runs that finished (their runs/<run>/experiment_done.json) and rewrites the tables.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textedit.data.train_share import share_task_name  # noqa: E402
from tools import experiment_results  # noqa: E402
from tools.experiment_results import TASK  # noqa: E402
from tools.job_queue import Job, run_jobs  # noqa: E402

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


def train_command(run: Run, args: argparse.Namespace) -> list[str]:
    """The tools/train.py command line of `run`."""
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
    data = [f"--data_dir={args.data_dir}"] if args.data_dir else []
    return ([sys.executable, "tools/train.py"] + [f"--gin_file={f}" for f in files]
            + [f"--gin.{k}={v}" for k, v in bindings.items()] + data)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out_dir", default=str(ROOT / "workdir" / "experiments" / "low_resource"),
                        help="where runs, logs, tables and the plot go (default %(default)s)")
    parser.add_argument("--pretrain_minutes", type=float, default=10.0,
                        help="train-step time of each of the 3 pre-training runs (default "
                        "%(default)s)")
    parser.add_argument("--finetune_minutes", type=float, default=5.0,
                        help="train-step time of each fine-tuning run (default %(default)s)")
    parser.add_argument("--shares", type=float, nargs="+", default=[1, 10, 100],
                        help="percent of the training pairs (1, 10 are registered tasks; "
                        "default %(default)s)")
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--variants", nargs="+", choices=["pretrained", "scratch"],
                        default=["pretrained", "scratch"])
    parser.add_argument("--size", choices=sorted(SIZE_FILES), default="mini",
                        help="model size (default %(default)s)")
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--learning_rate", type=float, default=1e-3)
    parser.add_argument("--eval_examples", type=int, default=1000,
                        help="first N validation pairs scored (0 = all 5,000; default "
                        "%(default)s)")
    parser.add_argument("--pretrain_eval_examples", type=int, default=200,
                        help="validation examples each pre-training run is scored on")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="runs at once, one per core (default: the cores, %(default)s)")
    parser.add_argument("--data_dir", help="data directory (default: TEXTEDIT_DATA_DIR, then "
                        "../shared/data)")
    parser.add_argument("--dry_run", action="store_true", help="print the runs and stop")
    args = parser.parse_args(argv)
    known = {1.0, 10.0, 100.0}
    if not set(args.shares) <= known:
        parser.error(f"--shares: registered shares are {sorted(known)}; register others with "
                     "tasks.low_resource.register_train_share_task in a task module")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    out_dir = Path(args.out_dir).resolve()
    args.out_dir = str(out_dir)
    runs = plan(args.models, sorted(args.shares), args.variants)
    jobs = []
    for run in runs:
        minutes = args.pretrain_minutes if run.stage == "pretrain" else args.finetune_minutes
        jobs.append(Job(run.name, train_command(run, args),
                        needs=(run.init,) if run.init else (),
                        done_marker=out_dir / "runs" / run.name / DONE_MARKER,
                        expected_seconds=minutes * 60 + OVERHEAD_SECONDS))
    total = sum(j.expected_seconds for j in jobs) / 60
    print(f"[experiment] {len(jobs)} runs on {args.workers} workers, about "
          f"{total / args.workers:.0f} min if the runs pack evenly", flush=True)
    if args.dry_run:
        for job in jobs:
            print(f"\n# {job.name} (after {', '.join(job.needs) or 'nothing'})\n"
                  + shlex.join(job.command))
        return 0
    data = [f"--data_dir={args.data_dir}"] if args.data_dir else []
    jobs.insert(0, Job("vocabulary", [sys.executable, "tools/prepare_data.py", "--no_table",
                                      *data]))
    for job in jobs[1:]:
        job.needs = ("vocabulary", *job.needs)
    outcome = run_jobs(jobs, args.workers, out_dir / "logs", cwd=ROOT)
    rows = experiment_results.collect(runs, out_dir / "runs", outcome, args)
    experiment_results.write(rows, out_dir, args, argv)
    print((out_dir / "results.md").read_text(), flush=True)
    failed = [n for n, o in outcome.items() if o != "done"]
    if failed:
        print(f"[experiment] not finished: {', '.join(failed)} (logs in {out_dir / 'logs'})",
              file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
