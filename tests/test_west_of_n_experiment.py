"""`textedit experiment west_of_n`: the job plan (base, pairs, two reward models, three
evaluations, in dependency order) and the results table from the evaluations' JSON."""

import json

from textedit.benchmarks.west_of_n_experiment import (
    WestOfNExperimentSettings,
    pairs_file,
    plan,
    results_table,
)


def test_plan_and_table(tmp_path):
    settings = WestOfNExperimentSettings(policy="sft", out_dir=str(tmp_path), train_steps=300)
    jobs = {job.name: job for job in plan(settings)}
    assert list(jobs) == ["base", "west_of_n_pairs", "west_of_n", "human_extra", "eval_base",
                          "eval_west_of_n", "eval_human_extra"]
    assert jobs["west_of_n_pairs"].needs == ("base",)
    assert jobs["human_extra"].needs == ("west_of_n_pairs",)
    assert all("--gin.TRAIN_STEPS=300" in jobs[m].command
               for m in ("base", "west_of_n", "human_extra"))
    assert "--half=judge" in jobs["west_of_n_pairs"].command
    given = plan(WestOfNExperimentSettings(policy="sft", base_reward_model="rm",
                                           out_dir=str(tmp_path)))
    assert "base" not in [j.name for j in given]
    assert "--reward_model=rm" in given[0].command

    pairs_file(settings).parent.mkdir(parents=True)
    pairs_file(settings).with_suffix(".json").write_text(json.dumps({"counts": {"kept": 40}}))
    (tmp_path / "eval").mkdir()
    (tmp_path / "eval" / "west_of_n.json").write_text(json.dumps(
        {"pairwise_accuracy": 0.6, "expected_calibration_error": 0.05, "pairs": 500}))
    table = results_table(settings, {"base": "failed"})
    assert "| west_of_n | 40 West-of-N | – | 60.0 [55.6, 64.2] | 0.050 |" in table
    assert "| human_extra | 40 judge-half human |" in table
    assert "| base | – | failed | – | – |" in table
