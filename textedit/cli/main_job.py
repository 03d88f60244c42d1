"""The main job (`textedit main`; `python3 tools/bootstrap.py main` on a fresh clone): vocabulary,
a few minutes of EdiT5 training on grammatical error correction, then the edit tool with --explain
on a few sentences.

    textedit main                  # defaults: 2,000 steps of training (about 6 minutes)
    textedit main --steps 4000     # run again: resumes and trains on to step 4,000

Steps, each a command you can run yourself (the commands are printed):
1. textedit data --no_table: trains (or reuses) the SentencePiece vocabulary on the data
   directory's training splits (--data_dir > TEXTEDIT_DATA_DIR > ../shared/data).
2. textedit train with gin/experiments/edit5_gec_main.gin: a mini EdiT5 (gin/models/edit5_mini.gin)
   on edit5_gec_wi_fce (W&I + FCE) for --steps train steps (2,000), the learning rate decaying
   linearly to zero at the last one, saved to --model_dir, then evaluated on all 754 JFLEG
   validation sentences (GLEU; copying the input scores 38.21). A run directory that has a
   checkpoint is resumed; --minutes stops the training earlier once that much train-step time
   is spent (MAX_TRAIN_SECONDS).
3. textedit edit --model <model_dir> --explain on a few learner sentences.
2,000 steps take about 6 minutes on 2 CPU cores; the model is then just starting to edit: it
keeps most words and is above copying on JFLEG dev. The fixed initial weights (INIT_SEED = 0)
and the fixed step count make the run the same on every machine of a kind. The rate decays to
zero at the last step, so the result does not hang on where updates happened to stop: at step
2,000, runs from five initial weights all scored above copying, and four of them fixed the same
2 of 5 demo sentences (the comma after an introductory phrase, "i";
docs/algorithms.md#main-job-schedule). The grammar errors of the first three need longer runs.
The quality runs are in README.

Without a data directory (no --data_dir, TEXTEDIT_DATA_DIR unset or empty, no ../shared/data) the
job says so and runs on the embedded default instead: 318 sentences shipped in
textedit/data/embedded/, noised by the project's error generator (tasks/gec_embedded.py). Step 1
trains a 1,280-piece vocabulary on them into workdir/vocab_embedded (or $TEXTEDIT_VOCAB_DIR), step
2 uses gin/experiments/edit5_gec_embedded.gin (edit5_gec_embedded, 1,500 steps at a constant
rate, evaluated on the 31 gec_embedded validation pairs: exact match, GLEU) and the default run
directory is workdir/runs/edit5_gec_embedded, so neither mixes with a real-data run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from textedit.cli.flags import add_data_flags

HELP = "the main job: vocabulary, a few minutes of EdiT5 on GEC, then the edit tool"
ROOT = Path(__file__).resolve().parents[2]
# Learner sentences that are in no training or validation file of the data directory (checked
# with grep), each with one or two common errors, and the corrections counted as a fix. The last
# two have errors of the kinds the mini model learns first (a comma after an introductory phrase,
# "i"); the first three need grammar it learns later, if at all, at CPU budgets.
DEMOS = {
    "She go to school every day .": ["She goes to school every day ."],
    "I have many friend in my class .": ["I have many friends in my class ."],
    "He is very good teacher .": ["He is a very good teacher ."],
    "For example my brother plays football every weekend .":
        ["For example , my brother plays football every weekend ."],
    "Last year i visited my grandparents in the village .":
        ["Last year I visited my grandparents in the village ."],
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--steps", type=int, default=None,
                        help="train steps of the run (default: the experiment file's "
                        "TRAIN_STEPS: 2,000 on real data, the learning rate decaying linearly "
                        "to zero at the last one; 1,500 at a constant rate on the embedded "
                        "default). On an existing run: trains it on to that step")
    parser.add_argument("--minutes", type=float, default=None,
                        help="stop earlier once this much train-step time is spent (default: "
                        "no time limit)")
    parser.add_argument("--model_dir", default=None,
                        help="run directory (default: workdir/runs/edit5_gec_main, or "
                        "workdir/runs/edit5_gec_embedded on the embedded default data)")
    add_data_flags(parser, vocab_dir=False)


def _step(command: list[str], stdin: str | None = None, env: dict | None = None) -> None:
    print(f"\n[main] $ {' '.join(command)}", flush=True)
    done = subprocess.run(command, cwd=ROOT, input=stdin, text=True, env=env)
    if done.returncode:
        raise SystemExit(done.returncode)


def _no_data_reason() -> str:
    from textedit.data.data_dir import DEFAULT_DATA_DIR, ENV_VAR

    if os.environ.get(ENV_VAR) == "":
        return f"{ENV_VAR} is set to the empty string"
    return f"no --data_dir, {ENV_VAR} unset, no {DEFAULT_DATA_DIR}"


def embedded_notice() -> list[str]:
    """What the job prints when it runs on the embedded default data."""
    from textedit.data import embedded
    from textedit.data.data_dir import ENV_VAR

    return [
        f"[main] No data directory found ({_no_data_reason()}).",
        f"[main] Running on the EMBEDDED DEFAULT data: {embedded.describe()}.",
        "[main] It shows the whole path from data to edited text; it is far too little data to "
        "learn to correct.",
        f"[main] For real data: textedit main --data_dir DIR, or export {ENV_VAR}=DIR "
        "(DIR holding the data sets, e.g. DIR/gec/).",
    ]


def demo_summary(outputs: list[str]) -> list[str]:
    """One line per demo sentence (fixed / changed but not fixed / unchanged), then the count."""
    lines, fixed = [], 0
    for (source, corrections), output in zip(DEMOS.items(), outputs, strict=True):
        if output in corrections:
            fixed += 1
            verdict = "fixed"
        else:
            verdict = "unchanged" if output == source else f"not fixed (expected {corrections[0]})"
        lines.append(f"[main] {verdict:<10} {source}  ->  {output}")
    lines.append(f"[main] {fixed} of {len(DEMOS)} demo sentences fixed")
    return lines


def run(args: argparse.Namespace) -> int:
    from textedit.data import embedded
    from textedit.data.data_dir import ENV_VAR, find_data_dir, set_data_dir
    from textedit.data.vocab.vocabulary import ENV_VAR as VOCAB_ENV_VAR

    if args.steps is not None and args.steps < 1:
        raise SystemExit(f"--steps {args.steps}: expected a positive number of train steps")
    if args.minutes is not None and args.minutes <= 0:
        raise SystemExit(f"--minutes {args.minutes}: expected a positive number of minutes")
    set_data_dir(args.data_dir)
    data_dir = find_data_dir()
    env = dict(os.environ)
    data_flags = [f"--data_dir={args.data_dir}"] if args.data_dir else []
    data_flags += ["--skip_bad_lines"] if args.skip_bad_lines else []
    if data_dir is None:
        notice = embedded_notice()
        print("\n".join(notice), flush=True)
        env[ENV_VAR] = ""  # every step: no data directory, even if ../shared/data appears
        env.setdefault(VOCAB_ENV_VAR, str(ROOT / "workdir" / "vocab_embedded"))
        experiment = "gin/experiments/edit5_gec_embedded.gin"
        data_flags += [f"--vocab_size={embedded.VOCAB_SIZE}"]
        model_dir = args.model_dir or str(ROOT / "workdir" / "runs" / "edit5_gec_embedded")
    else:
        print(f"[main] data directory: {data_dir}", flush=True)
        experiment = "gin/experiments/edit5_gec_main.gin"
        model_dir = args.model_dir or str(ROOT / "workdir" / "runs" / "edit5_gec_main")
    textedit = [sys.executable, "-m", "textedit"]
    _step([*textedit, "data", "--no_table", *data_flags], env=env)
    train_flags = [f for f in data_flags if not f.startswith("--vocab_size=")]
    if args.steps is not None:
        train_flags.append(f"--gin.TRAIN_STEPS={args.steps}")
    if args.minutes is not None:
        train_flags.append(f"--gin.MAX_TRAIN_SECONDS={args.minutes * 60:.0f}")
    _step([*textedit, "train", f"--gin_file={experiment}", f"--gin.MODEL_DIR='{model_dir}'",
           *train_flags], env=env)
    outputs = Path(model_dir) / "demo_outputs.txt"
    _step([*textedit, "edit", "--model", model_dir, "--explain", "--output", str(outputs)],
          stdin="".join(f"{source}\n" for source in DEMOS), env=env)
    print("\n".join(demo_summary(outputs.read_text(encoding="utf-8").splitlines())), flush=True)
    resolved = Path(model_dir).resolve()
    shown = resolved.relative_to(ROOT) if resolved.is_relative_to(ROOT) else resolved
    print(f"\n[main] done. Edit your own text: textedit edit --model {shown} "
          "--explain FILE", flush=True)
    if data_dir is None:
        print(f"[main] (trained on the embedded default data; for real data: textedit main "
              f"--data_dir DIR or {ENV_VAR}=DIR)", flush=True)
    return 0

