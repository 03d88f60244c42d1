"""`textedit experiment` (textedit/benchmarks/experiment.py): the plan of the low-resource
experiment, commands `textedit train` accepts, and the tables and plot made from the runs'
evaluation files."""

import argparse
import json
import sys
from pathlib import Path

import gin
import pytest

from textedit.benchmarks import experiment, experiment_results
from textedit.cli import experiment_low_resource as experiment_command
from textedit.cli.main import main


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The flags of `textedit experiment ARGV`."""
    parser = argparse.ArgumentParser()
    experiment_command.add_arguments(parser)
    return parser.parse_args(argv)


@pytest.fixture
def args(tmp_path):
    return experiment_command.settings(parse_args(["--out_dir", str(tmp_path)]))


def test_plan_pretrains_once_per_model_then_fine_tunes_every_share(args):
    runs = experiment.plan(args.models, args.shares, args.variants)
    names = [r.name for r in runs]
    assert names[:3] == ["pretrain_t5", "pretrain_edit5", "pretrain_seq2seq"]  # the long chain
    finetune = [r for r in runs if r.stage == "finetune"]
    assert len(finetune) == 12 and len(set(names)) == 15
    for run in finetune:
        assert run.init == (f"pretrain_{run.model}" if run.pretrained else None)
    scratch_only = experiment.plan(["edit5"], [1.0], ["scratch"])
    assert [r.name for r in scratch_only] == ["edit5_1pct_scratch"]


def test_every_command_is_a_configuration_textedit_train_accepts(args, tiny_vocab, capsys):
    runs = {r.name: r for r in experiment.plan(args.models, args.shares, args.variants)}
    try:
        for name in ("pretrain_t5", "pretrain_edit5", "pretrain_seq2seq", "edit5_1pct_pretrained",
                     "seq2seq_10pct_scratch", "edit5_100pct_scratch"):
            command = experiment.train_command(runs[name], args)
            assert command[:4] == [sys.executable, "-m", "textedit", "train"]
            assert main(["train", *command[4:], "--check_config"]) == 0, name
            out = capsys.readouterr().out
            gin.clear_config()
            minutes = 10 if runs[name].stage == "pretrain" else 5
            assert f"MAX_TRAIN_SECONDS = {60 * minutes}" in out
            if name == "edit5_1pct_pretrained":
                assert "training on edit5_fusion_wikisplit_1pct (train)" in out
                assert "PASSES_PER_EPOCH = 100" in out
                assert f"{args.out_dir}/runs/pretrain_edit5'" in out
            if name == "seq2seq_10pct_scratch":
                assert "training on fusion_wikisplit_10pct (train)" in out
                assert "INIT_CHECKPOINT = None" in out
            if name == "pretrain_seq2seq":
                assert "training on pretrain_edit_noise (train)" in out
            assert "t5_config.d_model = 128" in out  # the mini models
    finally:
        gin.clear_config()


def test_unregistered_shares_are_refused(capsys):
    with pytest.raises(SystemExit):
        main(["experiment", "low_resource", "--shares", "5"])
    assert "registered shares are [1.0, 10.0, 100.0]" in capsys.readouterr().err
    with pytest.raises(ValueError, match="registered shares"):
        experiment.run_experiment(experiment.ExperimentSettings(shares=(5.0,)), [], dry_run=True)


def test_dry_run_prints_every_command_and_runs_nothing(tmp_path, capsys):
    assert main(["experiment", "low_resource", "--out_dir", str(tmp_path), "--dry_run"]) == 0
    out = capsys.readouterr().out
    assert "[experiment] 15 runs on" in out and out.count(" -m textedit train ") == 15
    assert "# edit5_1pct_pretrained (after pretrain_edit5)" in out
    assert not (tmp_path / "runs").exists() and not (tmp_path / "logs").exists()


def _rows(tmp_path: Path, args: experiment.ExperimentSettings) -> list[dict]:
    """The runs' evaluation files as `textedit train` writes them (made-up scores, 2 runs
    absent)."""
    runs = experiment.plan(args.models, args.shares, args.variants)
    outcome = {}
    for i, run in enumerate(runs):
        if run.name in ("seq2seq_1pct_scratch", "pretrain_seq2seq"):
            outcome[run.name] = "failed" if run.stage == "pretrain" else "skipped"
            continue
        eval_dir = tmp_path / "runs" / run.name / "eval"
        eval_dir.mkdir(parents=True)
        lines = [{"step": 10, "exact_match": 0.0, "sari": 1.0},
                 {"step": 100 + i, "exact_match": float(i), "exact_match_lowercase": float(i),
                  "sari": 30.0 + i, "bleu": 50.0}]
        (eval_dir / f"{run.eval_task}-metrics.jsonl").write_text(
            "\n".join(json.dumps(line) for line in lines) + "\n")
        (tmp_path / "runs" / run.name / "experiment_done.json").write_text('{"seconds": 90}')
        outcome[run.name] = "done"
    return experiment_results.collect(runs, tmp_path / "runs", outcome, args)


def test_tables_show_every_run_with_its_last_evaluation(tmp_path, args):
    rows = _rows(tmp_path, args)
    by_name = {r["run"]: r for r in rows}
    first = by_name["edit5_1pct_pretrained"]
    assert first["step"] == 103 and first["scores"]["sari"] == 33.0  # the last line
    assert first["train_pairs"] == 50 and first["epochs"] == pytest.approx(103 * 32 / 50)
    assert by_name["edit5_100pct_scratch"]["train_pairs"] == 5000
    experiment_results.write(rows, tmp_path, args, ["--finetune_minutes", "5"])
    table = (tmp_path / "results.md").read_text()
    assert "Command: `textedit experiment --finetune_minutes 5`" in table
    assert ("| model | pre-training | 1% (50 pairs) | 10% (500 pairs) | 100% (5,000 pairs) |"
            in table)
    assert "| EdiT5 | yes | 3.00 / 33.00 | 4.00 / 34.00 | 5.00 / 35.00 |" in table
    assert "| seq2seq | no | (skipped) |" in table  # kept, marked, not dropped
    assert "| pretrain_seq2seq (pretrain_edit_noise) | pretrain_t5 | – | – | failed |" in table
    baseline = json.loads((tmp_path / "results.json").read_text())["copy_baseline"]
    assert baseline["examples"] == 1000 and 0 <= baseline["sari"] <= 100
    assert f"| copy the input | – | {baseline['exact_match']:.2f} / {baseline['sari']:.2f}" in table
    assert (tmp_path / "quality_vs_share.png").read_bytes()[:4] == b"\x89PNG"


def test_copy_baseline_is_the_sari_of_the_sources_themselves():
    from textedit.data import dataset_catalog
    from textedit.metrics import sari_score

    examples = dataset_catalog.load_split("fusion_wikisplit", "validation").examples[:50]
    sources = [e.source for e in examples]
    expected = sari_score(sources, sources, [list(e.references) for e in examples])["sari"]
    assert experiment_results.copy_baseline(50)["sari"] == pytest.approx(expected)
    assert experiment_results.copy_baseline(50)["exact_match"] == 0.0  # two sentences != one


def test_gec_experiment_plans_chunks_that_textedit_train_accepts(tmp_path, tiny_vocab, capsys):
    """`textedit experiment gec`: each run trains in chunks that resume one another (the
    synthetic variant's first chunk from its pre-training run), and every chunk's command
    passes `textedit train --check_config`."""
    import gin

    from textedit.benchmarks.gec_experiment import GecExperimentSettings, jobs_of, plan

    settings = GecExperimentSettings(out_dir=str(tmp_path), minutes=20, eval_every_minutes=10,
                                     synthetic_minutes=5)
    chunks = plan(settings)
    assert [c.name for c in chunks] == [
        "synthetic_edit5", "synthetic_seq2seq", "edit5_scratch@1", "edit5_scratch@2",
        "seq2seq_scratch@1", "seq2seq_scratch@2", "edit5_synthetic@1", "edit5_synthetic@2",
        "seq2seq_synthetic@1", "seq2seq_synthetic@2"]
    jobs = {job.name: job for job in jobs_of(chunks, settings)}
    assert jobs["edit5_scratch@2"].needs == ("edit5_scratch@1",)
    assert jobs["edit5_synthetic@1"].needs == ("synthetic_edit5",)
    assert "--gin.MAX_TRAIN_SECONDS=600" in jobs["edit5_scratch@2"].command
    init = [a for a in jobs["seq2seq_synthetic@1"].command if "INIT_CHECKPOINT" in a]
    assert init and "synthetic_seq2seq" in init[0]
    assert not [a for a in jobs["seq2seq_synthetic@2"].command if "INIT_CHECKPOINT" in a]
    for name in ("synthetic_edit5", "edit5_scratch@1", "seq2seq_synthetic@1"):
        command = jobs[name].command
        assert command[1:4] == ["-m", "textedit", "train"]
        try:
            assert main([*command[3:], "--check_config"]) == 0
        finally:
            gin.clear_config()
    assert main(["experiment", "gec", "--out_dir", str(tmp_path), "--dry_run",
                 "--variants", "scratch", "--minutes", "10"]) == 0
    assert "edit5_scratch@1" in capsys.readouterr().out
