"""The offline preference-learning comparison (docs/algorithms.md#dro), one command:
`textedit experiment preference`. Policies of one size (T5-mini), all started from the same SFT
run and trained for the same number of steps on the same prompts (the policy half of the HH train
prompts), judged on the validation prompts by a reward model that never saw those prompts:

    sft            the reference π_ref: sft_hh.gin on hh_sft_policy (unless --policy RUN)
    judge          a reward model on the *judge* half (rm_hh.gin on hh_pairs_judge; --judge RUN)
    dro_v_tau<τ>   DRO-V (dro_v_hh.gin) on single trajectories (reward ±1), one run per τ
    kto            KTO (kto_hh.gin), the single-trajectory baseline
    dpo, ipo       DPO and IPO (dpo_hh.gin) on the same prompts' pairs

Batches hold 32 responses for every objective (32 trajectories, or 16 pairs of two), so equal
steps are equal responses read. The table is `textedit reward_kl`'s: for π_ref and each kept
checkpoint of each run, one sample per validation prompt at temperature 1, the judge's mean
reward, the Monte-Carlo KL(π‖π_ref) and the win rate against π_ref's sample on the same prompt
(Wilson 95% interval); Best-of-N of π_ref under the judge for scale.

Every step is a `textedit` command run by the job queue (textedit/benchmarks/job_queue.py), logs
under OUT_DIR/logs/, finished steps skipped when the command runs again. Outputs:
OUT_DIR/runs/<name>/, OUT_DIR/results.md (also printed) and OUT_DIR/reward_kl.png.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from textedit.benchmarks.job_queue import Job, plan_or_run

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT_DIR = ROOT / "workdir" / "experiments" / "preference"
DONE_MARKER = "experiment_done.json"
LENGTHS = "{'inputs': 192, 'targets': 64}"  # the policies' (tasks/preference.py)
SECONDS_PER_STEP = 1.0  # T5-mini policy + frozen reference, 32 responses, one core: ETA only


@dataclasses.dataclass
class PreferenceExperimentSettings:
    """The flags of `textedit experiment preference` (each field is the flag of the same name)."""

    policy: str | None = None  # an existing SFT run (hh_sft_policy); default: train one
    judge: str | None = None  # an existing judge reward model (hh_pairs_judge); default: train
    out_dir: str = str(DEFAULT_OUT_DIR)
    sft_steps: int = 3000
    judge_steps: int = 1000
    policy_steps: int = 300
    taus: tuple[float, ...] = (0.1, 1.0, 5.0)
    objectives: tuple[str, ...] = ("dro_v", "kto", "dpo", "ipo")
    eval_prompts: int = 256
    best_of_n: str = "2,4"
    workers: int = 2


def _textedit() -> list[str]:
    return [sys.executable, "-m", "textedit"]


def _gin(name: str) -> str:
    return f"--gin_file={ROOT / 'gin' / 'experiments' / name}"


def sft_run(settings: PreferenceExperimentSettings) -> Path:
    return Path(settings.policy or Path(settings.out_dir) / "runs" / "sft")


def judge_run(settings: PreferenceExperimentSettings) -> Path:
    return Path(settings.judge or Path(settings.out_dir) / "runs" / "judge")


def policy_runs(settings: PreferenceExperimentSettings) -> dict[str, tuple[str, list[str]]]:
    """{run name: (experiment gin file, extra flags)} of the trained policies, in table order."""
    runs = {}
    for objective in settings.objectives:
        if objective == "dro_v":
            for tau in settings.taus:
                runs[f"dro_v_tau{tau:g}"] = ("dro_v_hh.gin", [f"--gin.DRO_TAU={tau}"])
        elif objective in ("kto", "dpo"):
            runs[objective] = (f"{objective}_hh.gin", [])
        elif objective == "ipo":
            runs["ipo"] = ("dpo_hh.gin", ["--gin.dpo_objective.kind='ipo'"])
        else:
            raise ValueError(f"objective {objective!r}: expected dro_v, kto, dpo or ipo")
    return runs


def plan(settings: PreferenceExperimentSettings) -> list[Job]:
    """The jobs: SFT and judge (unless given), each policy run, then the reward / KL table."""
    out = Path(settings.out_dir)
    jobs, sft_needs = [], ()
    if not settings.policy:
        jobs.append(Job("sft", [
            *_textedit(), "train", _gin("sft_hh.gin"), f"--gin.MODEL_DIR='{sft_run(settings)}'",
            "--gin.MIXTURE_OR_TASK_NAME='hh_sft_policy'", f"--gin.TASK_FEATURE_LENGTHS={LENGTHS}",
            "--gin.EVAL_MIXTURE_OR_TASK_NAMES=[]", "--gin.EVAL_EVERY=0",
            f"--gin.TRAIN_STEPS={settings.sft_steps}"],
            expected_seconds=settings.sft_steps * 0.5,
            done_marker=out / "runs" / f"sft.{DONE_MARKER}"))
        sft_needs = ("sft",)
    judge_needs = ()
    if not settings.judge:
        jobs.append(Job("judge", [
            *_textedit(), "train", _gin("rm_hh.gin"), f"--gin.MODEL_DIR='{judge_run(settings)}'",
            "--gin.MIXTURE_OR_TASK_NAME='hh_pairs_judge'", "--gin.LEARNING_RATE=1e-3",
            f"--gin.TRAIN_STEPS={settings.judge_steps}"],
            expected_seconds=settings.judge_steps * 1.2,
            done_marker=out / "runs" / f"judge.{DONE_MARKER}"))
        judge_needs = ("judge",)
    runs = policy_runs(settings)
    for name, (gin_file, flags) in runs.items():
        jobs.append(Job(name, [
            *_textedit(), "train", _gin(gin_file), f"--gin.POLICY_DIR='{sft_run(settings)}'",
            f"--gin.MODEL_DIR='{out / 'runs' / name}'",
            f"--gin.TRAIN_STEPS={settings.policy_steps}",
            f"--gin.CHECKPOINT_EVERY={max(1, settings.policy_steps // 2)}", *flags],
            needs=sft_needs, expected_seconds=settings.policy_steps * SECONDS_PER_STEP,
            done_marker=out / "runs" / f"{name}.{DONE_MARKER}"))
    jobs.append(Job("reward_kl", [
        *_textedit(), "reward_kl", f"--reference={sft_run(settings)}",
        *[f"--run={name}={out / 'runs' / name}" for name in runs],
        f"--reward_model={judge_run(settings)}", "--task=hh_sft_policy", "--split=validation",
        f"--max_examples={settings.eval_prompts}", "--inputs_length=192", "--targets_length=64",
        f"--best_of_n={settings.best_of_n}", f"--output={out / 'results.md'}",
        f"--plot={out / 'reward_kl.png'}"],
        needs=(*sft_needs, *judge_needs, *runs), expected_seconds=60 + 20 * len(runs),
        done_marker=out / f"reward_kl.{DONE_MARKER}"))
    return jobs


def run_preference_experiment(settings: PreferenceExperimentSettings,
                              dry_run: bool = False) -> str:
    """Runs (or with dry_run prints) the jobs; returns the table."""
    # The queue runs in the repository root: the user's relative paths are resolved here.
    def resolve(path: str | None) -> str | None:
        return str(Path(path).resolve()) if path else None

    settings = dataclasses.replace(settings, policy=resolve(settings.policy),
                                   judge=resolve(settings.judge), out_dir=resolve(settings.out_dir))
    jobs = plan(settings)
    out = Path(settings.out_dir)
    if plan_or_run(jobs, settings.workers, "preference", out / "logs", dry_run, cwd=ROOT) is None:
        return ""
    results = out / "results.md"
    return results.read_text(encoding="utf-8") if results.exists() else "no table: see logs\n"
