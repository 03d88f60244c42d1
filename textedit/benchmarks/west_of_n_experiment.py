"""The West-of-N self-training comparison (Pace et al., 2024), one command:
`textedit experiment west_of_n`. Three reward models of one size (rm_hh.gin's T5-mini encoder)
trained for the same number of steps, evaluated on the same HH validation pairs:

    base          the policy half's human pairs (hh_pairs_policy)
    west_of_n     + the West-of-N pairs made on judge-half prompts (hh_pairs_policy_plus_file)
    human_extra   + as many judge-half *human* pairs, the first K (hh_pairs_policy_plus_judge<K>)

Why this design. The HH train split is cut into two hash halves by prompt (tasks/preference.py).
The base model and the policy (--policy, an hh_sft_policy run) see only the policy half. The
judge half stands in for the unlabelled prompts of the paper: the policy samples --n responses
for its first --max_prompts prompts, the base model scores them, and best vs worst is kept when
its margin is in the top --keep_share (`textedit west_of_n`). The human labels of those prompts
are used only by the control, which adds exactly as many human pairs as West-of-N kept: so the
comparison asks whether a synthetic pair is worth a human one, at equal count, and whether it
helps at all (against base).

Every step is a `textedit` command (train, west_of_n, score) run by the job queue
(textedit/benchmarks/job_queue.py) with logs under OUT_DIR/logs/; finished steps are skipped
when the command runs again. With --base_reward_model RUN the base is not trained (its table row
then shows that run's own step count: train it for --train_steps on hh_pairs_policy for a fair
comparison). Outputs: OUT_DIR/runs/{base,west_of_n,human_extra}/, OUT_DIR/pairs/west_of_n.jsonl
(+ .json counts, samples.jsonl), OUT_DIR/eval/<model>.json, and the table OUT_DIR/results.md
(also printed): pairwise accuracy [95% Wilson interval] and ECE on the validation pairs.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from pathlib import Path

from textedit.benchmarks.job_queue import Job, plan_or_run
from textedit.metrics.answer_accuracy import wilson_interval

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT_DIR = ROOT / "workdir" / "experiments" / "west_of_n"
MODELS = ("base", "west_of_n", "human_extra")
EXPERIMENT_FILES = {"base": "rm_hh.gin", "west_of_n": "rm_hh_west_of_n.gin",
                    "human_extra": "rm_hh_human_extra.gin"}
DONE_MARKER = "experiment_done.json"
SECONDS_PER_STEP = 0.5  # T5-mini reward model, batch 16, one CPU core: for the ETA only
OVERHEAD_SECONDS = 120


@dataclasses.dataclass
class WestOfNExperimentSettings:
    """The flags of `textedit experiment west_of_n` (each field is the flag of the same name)."""

    policy: str = ""
    base_reward_model: str | None = None
    out_dir: str = str(DEFAULT_OUT_DIR)
    n: int = 4
    keep_share: float = 0.5
    temperature: float = 1.0
    top_p: float = 1.0
    max_prompts: int = 2000
    train_steps: int = 1000
    batch_size: int = 16
    learning_rate: float = 1e-3  # rm_hh.gin's 3e-4 barely moves a from-scratch mini RM
    eval_pairs: int = 0  # 0 = every validation pair
    workers: int = 2


def _textedit() -> list[str]:
    return [sys.executable, "-m", "textedit"]


def pairs_file(settings: WestOfNExperimentSettings) -> Path:
    return Path(settings.out_dir) / "pairs" / "west_of_n.jsonl"


def base_run(settings: WestOfNExperimentSettings) -> Path:
    return Path(settings.base_reward_model or Path(settings.out_dir) / "runs" / "base")


def _train(model: str, settings: WestOfNExperimentSettings) -> list[str]:
    run_dir = Path(settings.out_dir) / "runs" / model
    command = [*_textedit(), "train",
               f"--gin_file={ROOT / 'gin/experiments' / EXPERIMENT_FILES[model]}",
               f"--gin.MODEL_DIR='{run_dir}'", f"--gin.TRAIN_STEPS={settings.train_steps}",
               f"--gin.BATCH_SIZE={settings.batch_size}",
               f"--gin.LEARNING_RATE={settings.learning_rate}"]
    if model == "base":
        command.append("--gin.MIXTURE_OR_TASK_NAME='hh_pairs_policy'")
    else:
        command.append(f"--gin.WEST_OF_N_PAIRS=['{pairs_file(settings)}']")
    return command


def plan(settings: WestOfNExperimentSettings) -> list[Job]:
    """The jobs: base (unless given), pair making, the two new models, three evaluations."""
    out = Path(settings.out_dir)
    train_seconds = settings.train_steps * SECONDS_PER_STEP + OVERHEAD_SECONDS
    jobs, base_needs = [], ()
    if not settings.base_reward_model:
        jobs.append(Job("base", _train("base", settings), expected_seconds=train_seconds,
                        done_marker=out / "runs" / "base" / DONE_MARKER))
        base_needs = ("base",)
    pairs = pairs_file(settings)
    jobs.append(Job("west_of_n_pairs", [
        *_textedit(), "west_of_n", f"--policy={settings.policy}",
        f"--reward_model={base_run(settings)}", f"--n={settings.n}",
        f"--keep_share={settings.keep_share}", f"--temperature={settings.temperature}",
        f"--top_p={settings.top_p}", f"--max_prompts={settings.max_prompts}", "--split=train",
        "--half=judge", f"--output={pairs}", f"--json={pairs.with_suffix('.json')}",
        f"--samples={pairs.parent / 'samples.jsonl'}"], needs=base_needs,
        done_marker=pairs.parent / DONE_MARKER, expected_seconds=settings.max_prompts * 0.5))
    for model in ("west_of_n", "human_extra"):
        jobs.append(Job(model, _train(model, settings), needs=("west_of_n_pairs",),
                        expected_seconds=train_seconds,
                        done_marker=out / "runs" / model / DONE_MARKER))
    for model in MODELS:
        run_dir = base_run(settings) if model == "base" else out / "runs" / model
        needs = base_needs if model == "base" else (model,)
        command = [*_textedit(), "score", f"--model={run_dir}", "--pairs=validation",
                   f"--json={out / 'eval' / (model + '.json')}"]
        if settings.eval_pairs:
            command.append(f"--max_pairs={settings.eval_pairs}")
        jobs.append(Job(f"eval_{model}", command, needs=needs, expected_seconds=120,
                        done_marker=out / "eval" / f"{model}.{DONE_MARKER}"))
    return jobs


def _read_json(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.exists() else None


def _last_step(run_dir: Path) -> int | None:
    steps = [int(m.group(1)) for p in (run_dir / "checkpoints").glob("ckpt-*.index")
             if (m := re.match(r"ckpt-(\d+)\.index$", p.name))]
    return max(steps) if steps else None


def accuracy_cell(result: dict | None) -> str:
    """'acc [low, high]' in percent, Wilson's 95% interval on the pair count (a tie counts half,
    so the successes are rounded)."""
    if not result:
        return "–"
    pairs, accuracy = result["pairs"], result["pairwise_accuracy"]
    low, high = wilson_interval(round(accuracy * pairs), pairs)
    return f"{100 * accuracy:.1f} [{100 * low:.1f}, {100 * high:.1f}]"


def results_table(settings: WestOfNExperimentSettings, outcome: dict[str, str]) -> str:
    """The Markdown table of the three reward models (module docstring)."""
    out = Path(settings.out_dir)
    counts = (_read_json(pairs_file(settings).with_suffix(".json")) or {}).get("counts", {})
    kept = counts.get("kept")
    extra = {"base": "–", "west_of_n": f"{kept} West-of-N" if kept is not None else "–",
             "human_extra": f"{kept} judge-half human" if kept is not None else "–"}
    lines = [
        f"HH validation pairs{f' (first {settings.eval_pairs})' if settings.eval_pairs else ''}; "
        f"reward models of gin/experiments/rm_hh.gin, batch {settings.batch_size}; pairwise "
        "accuracy % [95% Wilson interval], ECE.",
        f"West-of-N: N={settings.n}, keep_share {settings.keep_share:g}, temperature "
        f"{settings.temperature:g}, top_p {settings.top_p:g}, on the first {settings.max_prompts} "
        f"judge-half prompts: {counts or 'no counts'}.", "",
        "| reward model | trained on (policy-half human +) | steps | pairwise accuracy | ECE |",
        "|---|---|---:|---:|---:|"]
    for model in MODELS:
        result = _read_json(out / "eval" / f"{model}.json")
        run_dir = base_run(settings) if model == "base" else out / "runs" / model
        step = _last_step(run_dir)
        ece = f"{result['expected_calibration_error']:.3f}" if result else "–"
        lines.append(f"| {model} | {extra[model]} | "
                     f"{step if step is not None else outcome.get(model, '–')} | "
                     f"{accuracy_cell(result)} | {ece} |")
    return "\n".join(lines) + "\n"


def run_west_of_n_experiment(settings: WestOfNExperimentSettings, dry_run: bool = False) -> str:
    """Runs (or with dry_run prints) the jobs; writes and returns the table."""
    if not settings.policy:
        raise ValueError("the experiment needs --policy (an hh_sft_policy run)")
    # The queue runs in the repository root: the user's relative paths are resolved here.
    settings = dataclasses.replace(
        settings, policy=str(Path(settings.policy).resolve()),
        out_dir=str(Path(settings.out_dir).resolve()),
        base_reward_model=(str(Path(settings.base_reward_model).resolve())
                           if settings.base_reward_model else None))
    jobs = plan(settings)
    out = Path(settings.out_dir)
    outcome = plan_or_run(jobs, settings.workers, "west_of_n", out / "logs", dry_run, cwd=ROOT)
    if outcome is None:
        return ""
    table = results_table(settings, outcome)
    (out / "results.md").write_text(table, encoding="utf-8")
    return table
