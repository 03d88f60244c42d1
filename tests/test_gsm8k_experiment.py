"""`textedit experiment gsm8k`: the jobs it plans and the table it writes from their outputs."""

import json

import pytest

from textedit.benchmarks.gsm8k_experiment import (
    DONE_MARKER,
    Gsm8kExperimentSettings,
    plan,
    results_table,
)


def test_plan_chains_teacher_sampling_and_students(tmp_path):
    settings = Gsm8kExperimentSettings(out_dir=str(tmp_path), teacher_minutes=2,
                                       student_minutes=1, k=3, sample_questions=10)
    jobs = {job.name: job for job in plan(settings)}
    assert list(jobs)[:3] == ["teacher", "rationales", "answer_only"]
    assert len(jobs) == 2 + 4 * 3  # teacher, sampling; 4 students, each evaluated twice
    assert jobs["rationales"].needs == ("teacher",)
    assert "--k=3" in jobs["rationales"].command
    assert jobs["teacher_filtered"].needs == ("rationales",) and jobs["human"].needs == ()
    filtered = " ".join(jobs["teacher_filtered"].command)
    assert "seq2seq_gsm8k_rationales.gin" in filtered and "--gin.FILTERED=True" in filtered
    assert "--gin.FILTERED=False" in " ".join(jobs["teacher_unfiltered"].command)
    assert "--gin.MAX_TRAIN_SECONDS=60" in jobs["answer_only"].command
    assert "--gin.DECODE_FN=@calculator_decode_fn" in jobs["eval_human_calculator"].command
    assert not any("DECODE_FN" in a for a in jobs["eval_human_greedy"].command)
    assert jobs["human"].done_marker == tmp_path / "runs" / "human" / DONE_MARKER


def test_synthetic_problems_name_their_tasks_lengths_and_step_budgets(tmp_path):
    settings = Gsm8kExperimentSettings(out_dir=str(tmp_path), problems="gsm8k_synthetic",
                                       teacher_steps=900, student_steps=400)
    jobs = {job.name: " ".join(job.command) for job in plan(settings)}
    lengths = '--gin.TASK_FEATURE_LENGTHS={"inputs": 64, "targets": 96}'
    assert all(lengths in command for name, command in jobs.items() if name != "rationales")
    assert "--gin.TRAIN_STEPS=900" in jobs["teacher"] and "MAX_TRAIN_SECONDS" not in jobs["teacher"]
    assert "--gin.MIXTURE_OR_TASK_NAME='gsm8k_synthetic'" in jobs["teacher"]
    assert ("--problems=gsm8k_synthetic" in jobs["rationales"]
            and "--max_decode_length=96" in jobs["rationales"])
    assert "--gin.MIXTURE_OR_TASK_NAME='gsm8k_synthetic_answer_only'" in jobs["answer_only"]
    assert "--gin.TRAIN_STEPS=400" in jobs["answer_only"]
    assert "--gin.gsm8k_rationale_task.problems='gsm8k_synthetic'" in jobs["teacher_filtered"]
    assert "--gin.MIXTURE_OR_TASK_NAME='gsm8k_synthetic'" in jobs["eval_human_greedy"]
    table = results_table(settings, {})
    assert table.startswith("gsm8k_synthetic validation") and "400 steps each" in table
    with pytest.raises(ValueError, match="unknown problem set 'gsm9k'"):
        plan(Gsm8kExperimentSettings(out_dir=str(tmp_path), problems="gsm9k"))


def test_external_rationales_skip_the_teacher(tmp_path):
    settings = Gsm8kExperimentSettings(out_dir=str(tmp_path), rationales="llm.jsonl")
    jobs = {job.name: job for job in plan(settings)}
    assert "teacher" not in jobs and "rationales" not in jobs
    assert jobs["teacher_filtered"].needs == ()
    assert "--gin.RATIONALES='llm.jsonl'" in jobs["teacher_filtered"].command


def test_results_table_reads_the_outputs(tmp_path):
    settings = Gsm8kExperimentSettings(out_dir=str(tmp_path), students=("human",
                                                                         "teacher_filtered"))
    for decoder, accuracy in (("greedy", 3.0), ("calculator", 6.0)):
        directory = tmp_path / "eval" / f"human_{decoder}"
        directory.mkdir(parents=True)
        (directory / "gsm8k-metrics.jsonl").write_text(json.dumps(
            {"step": 40, "answer_accuracy": accuracy, "answer_accuracy_low": 1.0,
             "answer_accuracy_high": 9.5, "answer_extracted": 90.0}) + "\n")
    checkpoints = tmp_path / "runs" / "human" / "checkpoints"
    checkpoints.mkdir(parents=True)
    (checkpoints / "ckpt-40.index").write_text("")
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "teacher_filtered.log").write_text(
        "gsm8k_teacher_filtered: 7 of 40 rationales kept (33 wrong answer, ...)\n")
    (tmp_path / "rationales").mkdir()
    (tmp_path / "rationales" / "teacher.jsonl").write_text(
        json.dumps({"question": "q", "correct": True}) + "\n"
        + json.dumps({"question": "q", "correct": False}) + "\n")
    table = results_table(settings, {"teacher_filtered": "failed"})
    assert "| human | gsm8k train | 40 | 3.0 [1.0, 9.5] | 6.0 [1.0, 9.5] | 90% |" in table
    assert "| teacher_filtered | 7 of 40 rationales | failed | – | – | – |" in table
    assert "2 rationales on 1 questions, 1 (50.0%) with the gold answer" in table
