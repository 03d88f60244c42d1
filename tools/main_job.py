#!/usr/bin/env python3
"""The main job (`python3 tools/bootstrap.py main`): vocabulary, a few minutes of EdiT5 training on
grammatical error correction, then the edit tool with --explain on a few sentences.

    .venv/bin/python tools/main_job.py                  # defaults: 4 minutes of training
    .venv/bin/python tools/main_job.py --minutes 20     # run again: resumes and trains further

Steps, each a tool you can run yourself (the commands are printed):
1. tools/prepare_data.py --no_table: trains (or reuses) the SentencePiece vocabulary on the data
   directory's training splits (--data_dir > TEXTEDIT_DATA_DIR > ../shared/data).
2. tools/train.py with gin/experiments/edit5_gec_main.gin: a mini EdiT5 (gin/models/edit5_mini.gin)
   on edit5_gec_wi_fce (W&I + FCE) for --minutes of train-step time (MAX_TRAIN_SECONDS), saved to
   --model_dir, then evaluated on the first 200 JFLEG validation sentences (GLEU; the copy
   baseline scores 38.21 on all 754). A run directory that has a checkpoint is resumed.
3. tools/edit.py --model <model_dir> --explain on a few learner sentences.
A few minutes on 2 CPU cores are a few hundred steps: expect the model to keep most words and to
fix little; the point is the whole path from data to edited text. The quality runs are in README.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO_SENTENCES = """\
She go to school every days .
I am agree with this opinion because it have many advantage .
Yesterday I buyed a new computer , but it don't work .
In my opinion the technology make people more lazy .
For not use car .
"""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=4.0,
                        help="train-step time of this run (default %(default)s)")
    parser.add_argument("--model_dir", default=str(ROOT / "workdir" / "runs" / "edit5_gec_main"),
                        help="run directory (default %(default)s)")
    parser.add_argument("--data_dir", help="data directory (default: TEXTEDIT_DATA_DIR, then "
                        "../shared/data)")
    return parser.parse_args(argv)


def run(command: list[str], stdin: str | None = None) -> None:
    print(f"\n[main] $ {' '.join(command)}", flush=True)
    done = subprocess.run(command, cwd=ROOT, input=stdin, text=True)
    if done.returncode:
        raise SystemExit(done.returncode)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    data_flags = [f"--data_dir={args.data_dir}"] if args.data_dir else []
    python = sys.executable
    run([python, "tools/prepare_data.py", "--no_table", *data_flags])
    run([python, "tools/train.py", "--gin_file=gin/experiments/edit5_gec_main.gin",
         f"--gin.MODEL_DIR='{args.model_dir}'",
         f"--gin.MAX_TRAIN_SECONDS={args.minutes * 60:.0f}", *data_flags])
    run([python, "tools/edit.py", "--model", args.model_dir, "--explain"], stdin=DEMO_SENTENCES)
    model_dir = Path(args.model_dir).resolve()
    shown = model_dir.relative_to(ROOT) if model_dir.is_relative_to(ROOT) else model_dir
    print(f"\n[main] done. Edit your own text: .venv/bin/python tools/edit.py --model {shown} "
          "--explain FILE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
