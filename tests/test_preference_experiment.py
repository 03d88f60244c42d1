"""`textedit experiment preference`: the job plan (SFT and judge unless given, one run per
objective and τ from the SFT run for equal steps, then reward_kl judged by the held-out reward
model)."""

import re
from pathlib import Path

import pytest

from textedit.benchmarks.preference_experiment import PreferenceExperimentSettings, plan


def test_plan_trains_every_objective_from_the_sft_run_for_equal_steps(tmp_path):
    settings = PreferenceExperimentSettings(out_dir=str(tmp_path), policy_steps=200,
                                            taus=(0.1, 1.0))
    jobs = {job.name: job for job in plan(settings)}
    policies = ["dro_v_tau0.1", "dro_v_tau1", "kto", "dpo", "ipo"]
    assert list(jobs) == ["sft", "judge", *policies, "reward_kl"]
    assert "--gin.MIXTURE_OR_TASK_NAME='hh_sft_policy'" in jobs["sft"].command
    assert "--gin.MIXTURE_OR_TASK_NAME='hh_pairs_judge'" in jobs["judge"].command
    sft = tmp_path / "runs" / "sft"
    for name in policies:
        command = jobs[name].command
        assert jobs[name].needs == ("sft",)
        assert f"--gin.POLICY_DIR='{sft}'" in command and "--gin.TRAIN_STEPS=200" in command
        gin_file = Path(next(c for c in command if c.startswith("--gin_file=")).split("=", 1)[1])
        assert gin_file.exists()
    assert "--gin.DRO_TAU=0.1" in jobs["dro_v_tau0.1"].command
    assert "--gin.dpo_objective.kind='ipo'" in jobs["ipo"].command
    evaluation = jobs["reward_kl"]
    assert set(evaluation.needs) == {"sft", "judge", *policies}
    assert [c.split("=")[1] for c in evaluation.command if c.startswith("--run=")] == policies
    assert f"--reward_model={tmp_path / 'runs' / 'judge'}" in evaluation.command


def test_given_runs_are_not_trained_and_bad_objectives_are_refused(tmp_path):
    jobs = plan(PreferenceExperimentSettings(policy="sft", judge="rm", out_dir=str(tmp_path),
                                             objectives=("kto",)))
    assert [job.name for job in jobs] == ["kto", "reward_kl"]
    assert jobs[0].needs == () and "--gin.POLICY_DIR='sft'" in jobs[0].command
    assert "--reward_model=rm" in jobs[1].command and "--reference=sft" in jobs[1].command
    with pytest.raises(ValueError, match="objective 'ppo'"):
        plan(PreferenceExperimentSettings(objectives=("ppo",)))


def test_policy_experiments_share_batch_of_32_responses():
    """Equal steps are equal responses: 32 trajectories, or 16 pairs of two."""
    root = Path(__file__).resolve().parents[1] / "gin" / "experiments"
    batch = {name: int(re.search(r"^BATCH_SIZE = (\d+)", (root / name).read_text(), re.M)[1])
             for name in ("dro_v_hh.gin", "kto_hh.gin", "dpo_hh.gin")}
    assert batch == {"dro_v_hh.gin": 32, "kto_hh.gin": 32, "dpo_hh.gin": 16}
