"""Scores a trained model on a task's split with the task's own metrics (SeqIO evaluation).

    textedit eval --gin_file=gin/models/edit5_mini.gin --gin.CHECKPOINT_PATH="'workdir/runs/x'" \\
        --gin.MIXTURE_OR_TASK_NAME="'gec_jfleg'" --gin.OUTPUT_DIR="'workdir/runs/x/eval_jfleg'"

`textedit infer` with gin/runs/eval.gin as the run file: the same REQUIRED macros
(CHECKPOINT_PATH, MIXTURE_OR_TASK_NAME, OUTPUT_DIR) and optional ones (TASK_FEATURE_LENGTHS,
SPLIT, MAX_EXAMPLES, INFER_BATCH_SIZE); the scores are printed and written as TensorBoard and JSON
logs to OUTPUT_DIR. Add the model file the run was trained with.
"""

from __future__ import annotations

import argparse

from textedit.cli import infer

HELP = "score a trained model on a task's split with the task's metrics"
ACCEPTS_GIN = True
RUN_FILE = "runs/eval.gin"  # under gin/
add_arguments = infer.add_arguments


def run(args: argparse.Namespace) -> int:
    return infer.run(args, run_file=RUN_FILE)
