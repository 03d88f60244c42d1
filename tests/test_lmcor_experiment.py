"""`textedit experiment lmcor`: the job plan (generators, candidates, correctors, decoding,
scoring, in dependency order), every command a real `textedit` command line whose flags and gin
bindings parse, the dry run, and the results table from the jobs' files."""

import dataclasses
import json
import sys
from pathlib import Path

import gin
import pytest

from textedit.benchmarks.lmcor_experiment import (
    ROOT,
    LmcorExperimentSettings,
    comparison_file,
    corrector_predictions,
    plan,
    predictions_dir,
    score_file,
    write_results,
)
from textedit.cli.flags import split_gin_args
from textedit.cli.main import COMMANDS, build_parser, main
from textedit.metrics.paired_bootstrap import PairedDifference
from textedit.metrics.task_evaluation import read_split

TASKS = ("gec_wi_fce", "gec_jfleg")


def test_plan_trains_generators_then_candidates_correctors_and_scores(tmp_path):
    settings = LmcorExperimentSettings(out_dir=str(tmp_path), generator_steps=300,
                                       corrector_steps=200)
    jobs = {job.name: job for job in plan(settings)}
    assert list(jobs)[:9] == [
        "vocabulary", "generator_0", "generator_1", "candidates_train_0", "candidates_train_1",
        "candidates_gec_wi_fce", "candidates_gec_jfleg", "corrector_seq2seq", "corrector_edit5"]
    assert len(jobs) == 9 + 2 * 2 + 2 * 8 + 2 * 5  # ... + infer, score, compare
    for part in (0, 1):
        command = jobs[f"generator_{part}"].command
        assert "--gin.MIXTURE_OR_TASK_NAME=@lmcor_cross_fit_task()" in command
        assert f"--gin.lmcor_cross_fit_task.held_out={part}" in command
        assert "--gin.TRAIN_STEPS=300" in command
        # The default EdiT5 generator: the main job's recipe, its position options bound again
        # after the model file (which would reset them), inputs long enough for W&I dev.
        recipe, model_file, positions = (command.index(a) for a in (
            f"--gin_file={ROOT / 'gin/experiments/edit5_gec_main.gin'}",
            f"--gin_file={ROOT / 'gin/models/edit5_mini.gin'}", "--gin.POSITION_INPUTS=True"))
        assert recipe < model_file < positions
        assert {"--gin.lmcor_cross_fit_task.edit5=True", "--gin.POSITION_LOGITS=True",
                "--gin.MAX_INPUT_LENGTH=256", "--gin.DROPOUT_RATE=0.0"} <= set(command)
        candidates = jobs[f"candidates_train_{part}"]
        assert candidates.needs == (f"generator_{part}",)
        assert f"--part={part}/2" in candidates.command and "--limit=2000" in candidates.command
        assert f"--model={tmp_path / 'runs' / f'generator_{part}'}" in candidates.command
    for task in TASKS:  # validation candidates and baselines from generator 0
        command = jobs[f"candidates_{task}"].command
        assert jobs[f"candidates_{task}"].needs == ("generator_0",)
        assert "--split=validation" in command and "--k=4" in command
        assert f"--baselines={tmp_path / 'baselines' / task}" in command
    train = [a for a in jobs["corrector_edit5"].command if a.startswith("--gin.LMCOR_TRAIN=")]
    assert "part0.jsonl" in train[0] and "part1.jsonl" in train[0]
    assert "--gin.MAX_INPUT_LENGTH=256" in jobs["corrector_edit5"].command
    assert "--gin.TRAIN_STEPS=200" in jobs["corrector_seq2seq"].command
    assert jobs["corrector_seq2seq"].needs == ("vocabulary", "candidates_train_0",
                                              "candidates_train_1", "candidates_gec_wi_fce")
    infer = jobs["infer_edit5_gec_jfleg"]
    assert infer.needs == ("corrector_edit5", "candidates_gec_jfleg")
    assert any(a.endswith("corrector_edit5/checkpoints/ckpt-200'") for a in infer.command)
    assert "--gin.lmcor_task.base_task='gec_jfleg'" in infer.command
    assert jobs["score_copy_gec_jfleg"].needs == ()
    assert "--baseline=copy" in jobs["score_copy_gec_jfleg"].command
    assert jobs["score_mbr_gec_wi_fce"].needs == ("candidates_gec_wi_fce",)
    score = jobs["score_seq2seq_corrector_gec_wi_fce"]
    assert score.needs == ("infer_seq2seq_gec_wi_fce",)
    assert (f"--predictions={corrector_predictions(settings, 'seq2seq', 'gec_wi_fce')}"
            in score.command)
    assert corrector_predictions(settings, "seq2seq", "gec_wi_fce").name == (
        "lmcor_gec_wi_fce-validation-200.txt")  # `textedit infer`'s name at the last step
    assert all(job.done_marker is not None for job in jobs.values() if job.name != "vocabulary")
    markers = [job.done_marker for job in jobs.values() if job.done_marker]
    assert len(set(markers)) == len(markers)


def test_seq2seq_generators_train_the_seq2seq_recipe(tmp_path):
    settings = LmcorExperimentSettings(out_dir=str(tmp_path), generator="seq2seq")
    command = {job.name: job for job in plan(settings)}["generator_1"].command
    assert f"--gin_file={ROOT / 'gin/experiments/seq2seq_gec.gin'}" in command
    assert f"--gin_file={ROOT / 'gin/models/t5_mini.gin'}" in command
    assert not [a for a in command if "edit5" in a or "POSITION" in a]
    # The 2-hour run's settings, not the file's dropout 0.1 and cosine decay; --gin still wins.
    assert command.index("--gin.DROPOUT_RATE=0.0") > command.index(
        f"--gin_file={ROOT / 'gin/models/t5_mini.gin'}")
    assert "--gin.DECAY='constant'" in command
    override = LmcorExperimentSettings(out_dir=str(tmp_path), generator="seq2seq",
                                       gin=("DROPOUT_RATE=0.1",))
    command = {job.name: job for job in plan(override)}["generator_0"].command
    assert command.index("--gin.DROPOUT_RATE=0.1") > command.index("--gin.DROPOUT_RATE=0.0")
    with pytest.raises(ValueError, match="generator must be one of"):
        LmcorExperimentSettings(generator="gemma2")


def test_correctors_train_without_dropout_unless_told(tmp_path):
    settings = LmcorExperimentSettings(out_dir=str(tmp_path), generator="seq2seq")
    jobs = {job.name: job for job in plan(settings)}
    for name in ("corrector_seq2seq", "corrector_edit5"):
        command = jobs[name].command
        # after the model file, whose DROPOUT_RATE = 0.1 it overrides
        assert command.index("--gin.DROPOUT_RATE=0.0") > max(
            i for i, a in enumerate(command) if a.startswith("--gin_file=")), name
    assert "--gin.DROPOUT_RATE=0.0" not in jobs["infer_seq2seq_gec_wi_fce"].command
    override = LmcorExperimentSettings(out_dir=str(tmp_path), gin=("DROPOUT_RATE=0.1",))
    command = {job.name: job for job in plan(override)}["corrector_edit5"].command
    assert command.index("--gin.DROPOUT_RATE=0.1") > command.index("--gin.DROPOUT_RATE=0.0")


def test_model_bindings_reach_the_correctors_decoding_too(tmp_path):
    settings = LmcorExperimentSettings(out_dir=str(tmp_path), generator="seq2seq",
                                       gin=("t5_config.absolute_positions=True",
                                            "DROPOUT_RATE=0.0"))
    jobs = {job.name: job for job in plan(settings)}
    for name in ("generator_0", "corrector_seq2seq", "corrector_edit5"):
        assert {"--gin.t5_config.absolute_positions=True",
                "--gin.DROPOUT_RATE=0.0"} <= set(jobs[name].command), name
    for name in ("infer_seq2seq_gec_wi_fce", "infer_edit5_gec_jfleg"):
        assert "--gin.t5_config.absolute_positions=True" in jobs[name].command, name
        assert "--gin.DROPOUT_RATE=0.0" not in jobs[name].command, name


def test_edit5_corrector_keeps_the_position_options(tmp_path):
    jobs = {job.name: job for job in plan(LmcorExperimentSettings(out_dir=str(tmp_path)))}
    for name in ("corrector_edit5", "infer_edit5_gec_jfleg"):
        assert {"--gin.POSITION_INPUTS=True", "--gin.POSITION_LOGITS=True"} <= set(
            jobs[name].command), name
    assert not [a for a in jobs["corrector_seq2seq"].command if "POSITION" in a]


def test_given_generator_runs_train_no_generator(tmp_path):
    settings = LmcorExperimentSettings(out_dir=str(tmp_path), generator_runs=("runA", "runB"),
                                       tasks=("gec_jfleg",), train_examples=0)
    jobs = {job.name: job for job in plan(settings)}
    assert not [name for name in jobs if name.startswith("generator")]
    assert jobs["candidates_train_0"].needs == () and jobs["candidates_gec_jfleg"].needs == ()
    assert "--model=runA" in jobs["candidates_train_0"].command
    assert "--model=runB" in jobs["candidates_train_1"].command
    assert "--model=runA" in jobs["candidates_gec_jfleg"].command
    assert not [a for a in jobs["candidates_train_1"].command if a.startswith("--limit")]
    assert "--gin.LMCOR_BASE_TASK='gec_jfleg'" in jobs["corrector_seq2seq"].command
    assert "candidates_gec_jfleg" in jobs["corrector_seq2seq"].needs
    assert not [name for name in jobs if "gec_wi_fce" in name and name.startswith("score")]
    with pytest.raises(ValueError, match="tasks must be some of"):
        LmcorExperimentSettings(tasks=("simplify_asset",))
    with pytest.raises(ValueError):
        LmcorExperimentSettings(generator_runs=("only_one",))


def test_every_command_parses_with_the_textedit_parsers(tmp_path):
    """argparse accepts each command's flags, and gin each train / infer command's files and
    bindings (names of real configurables and macros)."""
    from textedit.cli import gin_configurables
    from textedit.cli.infer import configurable_infer
    from textedit.cli.train import configurable_train

    sys.path.insert(0, str(ROOT))
    gin_configurables.register_training()
    configurable_train()
    configurable_infer()
    parser = build_parser()
    settings = LmcorExperimentSettings(out_dir=str(tmp_path), data_dir=str(tmp_path),
                                       skip_bad_lines=True, gin=("DROPOUT_RATE=0.0",))
    jobs = plan(settings)
    seen = set()
    for job in jobs:
        assert job.command[:3] == [sys.executable, "-m", "textedit"], job.name
        files, bindings, rest = split_gin_args(job.command[3:])
        assert rest[0] in COMMANDS, job.name
        seen.add(rest[0])
        args = parser.parse_args(rest)
        assert args.data_dir == str(tmp_path) and args.skip_bad_lines, job.name
        if files or bindings:
            assert args.accepts_gin, job.name
            run_file = [] if rest[0] == "train" else [str(ROOT / "gin/runs/infer.gin")]
            gin.clear_config()
            try:
                gin.parse_config_files_and_bindings([*run_file, *files], bindings,
                                                    finalize_config=False)
            finally:
                gin.clear_config()
    assert seen == {"data", "train", "candidates", "infer", "evaluate"}


def test_dry_run_prints_the_commands_and_runs_nothing(tmp_path, capsys):
    out = tmp_path / "lmcor"
    assert main(["experiment", "lmcor", "--out_dir", str(out), "--dry_run",
                 "--generator_runs", "runA", "runB", "--k", "3"]) == 0
    printed = capsys.readouterr().out
    assert "# corrector_edit5 (after vocabulary, candidates_train_0" in printed
    assert "-m textedit candidates" in printed and "--k=3" in printed
    assert "generator_0 (after" not in printed
    assert not out.exists()


def _write(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


def test_results_table_from_the_score_files_with_missing_ones_as_dashes(tmp_path):
    settings = LmcorExperimentSettings(out_dir=str(tmp_path))
    scores = {("copy", "gec_jfleg"): {"gleu": 38.21, "errant_f0.5": 0.0},
              ("greedy", "gec_jfleg"): {"gleu": 40.5}, ("rerank", "gec_jfleg"): {"gleu": 41.0},
              ("oracle", "gec_jfleg"): {"gleu": 48.25},
              ("seq2seq_corrector", "gec_jfleg"): {"gleu": 42.0},
              ("greedy", "gec_wi_fce"): {"errant_f0.5": 12.5}}
    for (row, task), values in scores.items():
        _write(score_file(settings, row, task), {"task": task, "scores": values})
    _write(predictions_dir(settings, "seq2seq", "gec_jfleg") / "timing.json",
           {"lmcor_gec_jfleg": {"examples": 754, "seconds": 37.7, "batch_size": 32}})
    table = write_results(settings)
    assert "| system | gec_wi_fce ERRANT F0.5 | gec_jfleg GLEU |" in table
    assert "| copy input | – | 38.21 |" in table
    assert "| greedy (generator) | 12.50 | 40.50 |" in table
    assert "| majority | – | – |" in table
    assert "| oracle (upper bound) | – | 48.25 |" in table
    assert "| seq2seq corrector | – | 42.00 |" in table
    assert "| EdiT5 corrector | – | – |" in table
    assert "| seq2seq corrector | – | 20.0 |" in table  # examples/s
    assert "gec_jfleg: seq2seq corrector +1.00 gleu" in table
    assert (tmp_path / "results.md").read_text() == table
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["scores"]["gec_jfleg"]["rerank"] == {"gleu": 41.0}
    assert saved["scores"]["gec_wi_fce"]["mbr"] is None
    assert saved["speed"]["seq2seq"]["gec_jfleg"]["examples_per_second"] == pytest.approx(20.0)
    assert saved["settings"]["k"] == 4


def test_corrector_targets_are_compared_with_a_paired_bootstrap(tmp_path):
    settings = LmcorExperimentSettings(out_dir=str(tmp_path), bootstrap=200)
    jobs = {job.name: job for job in plan(settings)}
    compare = jobs["compare_edit5_corrector_vs_rerank_gec_jfleg"]
    assert compare.needs == ("infer_edit5_gec_jfleg", "candidates_gec_jfleg")
    assert f"--predictions={corrector_predictions(settings, 'edit5', 'gec_jfleg')}" in (
        compare.command)
    assert f"--compare={tmp_path / 'baselines' / 'gec_jfleg' / 'rerank.txt'}" in compare.command
    assert "--bootstrap=200" in compare.command
    both = jobs["compare_edit5_corrector_vs_seq2seq_corrector_gec_wi_fce"]
    assert both.needs == ("infer_edit5_gec_wi_fce", "infer_seq2seq_gec_wi_fce")
    assert not [name for name in (job.name for job in plan(LmcorExperimentSettings(
        out_dir=str(tmp_path), bootstrap=0))) if name.startswith("compare_")]
    with pytest.raises(ValueError, match="bootstrap"):
        LmcorExperimentSettings(bootstrap=-1)


def _comparison_report(difference: PairedDifference) -> dict:
    """The part of a `textedit evaluate --compare --output` report the table reads."""
    return {"task": "gec_jfleg", "comparison": {
        "predictions": "b.txt", "resamples": difference.resamples, "seed": 0,
        "confidence": 0.95, "differences": [difference.as_dict()]}}


def test_results_show_the_paired_differences(tmp_path):
    settings = LmcorExperimentSettings(out_dir=str(tmp_path), bootstrap=200)
    gleu = PairedDifference("gleu", a=40.1, b=39.2, low=0.31, high=1.52, not_above=0.004,
                            resamples=200)
    _write(comparison_file(settings, "edit5_corrector", "rerank", "gec_jfleg"),
           _comparison_report(gleu))
    # A report without the headline metric (scored with other --metrics) reads as missing.
    _write(comparison_file(settings, "seq2seq_corrector", "greedy", "gec_jfleg"),
           _comparison_report(dataclasses.replace(gleu, key="bleu")))
    table = write_results(settings)
    assert ("| EdiT5 corrector − re-rank (generator score) | – | +0.90 [+0.31, +1.52], "
            "P 0.004 |") in table
    assert "| seq2seq corrector − greedy (generator) | – | – |" in table
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["comparisons"]["gec_jfleg"]["edit5_corrector_vs_rerank"] == {
        "difference": pytest.approx(0.9), "low": 0.31, "high": 1.52, "not_above": 0.004,
        "confidence": 0.95, "resamples": 200}
    assert "Paired differences" not in write_results(dataclasses.replace(settings, bootstrap=0))


@pytest.mark.slow
def test_the_comparison_file_is_what_textedit_evaluate_writes(tmp_path):
    """`textedit evaluate --compare --output` on JFLEG dev (real data) writes a report the table
    reads (about a minute: GLEU over 754 sentences with 4 references)."""
    import tasks  # noqa: F401  (registers gec_jfleg, as the command does)

    settings = LmcorExperimentSettings(out_dir=str(tmp_path), bootstrap=20)
    sources = read_split("gec_jfleg", "validation").sources()
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("".join(f"{s}\n" for s in sources))  # A copies, B drops every last word
    b.write_text("".join(" ".join(s.split()[:-1]) + "\n" for s in sources))
    output = comparison_file(settings, "edit5_corrector", "rerank", "gec_jfleg")
    assert main(["evaluate", "--task=gec_jfleg", "--split=validation", f"--predictions={a}",
                 f"--compare={b}", "--bootstrap=20", f"--output={output}"]) == 0
    report = json.loads(output.read_text())
    gleu = next(d for d in report["comparison"]["differences"] if d["key"] == "gleu")
    assert gleu["difference"] > 0 and gleu["low"] <= gleu["high"]
    table = write_results(settings)
    assert (f"| EdiT5 corrector − re-rank (generator score) | – | {gleu['difference']:+.2f} "
            f"[{gleu['low']:+.2f}, {gleu['high']:+.2f}], P {gleu['not_above']:.3f} |") in table


def test_a_fusion_task_learns_from_its_own_train_split(tmp_path):
    settings = LmcorExperimentSettings(out_dir=str(tmp_path), tasks=("fusion_bisect",))
    jobs = {job.name: job for job in plan(settings)}
    generator = jobs["generator_0"].command
    assert "--gin.lmcor_cross_fit_task.base_task='fusion_bisect'" in generator
    assert "--gin.TASK_FEATURE_LENGTHS={'inputs': 128, 'decoder_targets': 32}" in generator
    assert "--task=fusion_bisect" in jobs["candidates_train_1"].command
    assert str(tmp_path / "candidates" / "fusion_bisect.train.part1.jsonl") in "".join(
        jobs["corrector_edit5"].command)
    for name in ("corrector_edit5", "corrector_seq2seq", "infer_edit5_fusion_bisect"):
        assert [a for a in jobs[name].command if a.startswith(
            "--gin.TASK_FEATURE_LENGTHS={'inputs': 384")], name
    assert "--gin.MAX_INPUT_LENGTH=384" in jobs["corrector_edit5"].command
    # GEC and fusion learn from different train splits: one experiment each.
    with pytest.raises(ValueError, match="different train tasks"):
        LmcorExperimentSettings(tasks=("gec_jfleg", "fusion_bisect"))


def test_the_corrector_of_the_generators_kind_starts_from_generator_0(tmp_path):
    jobs = {job.name: job for job in plan(LmcorExperimentSettings(out_dir=str(tmp_path)))}
    assert f"--gin.INIT_CHECKPOINT='{tmp_path / 'runs' / 'generator_0'}'" in jobs[
        "corrector_edit5"].command
    assert not [a for a in jobs["corrector_seq2seq"].command if "INIT_CHECKPOINT" in a]
    # The generator's re-order embedding covers the corrector's inputs (fusion: 384).
    fusion = {job.name: job for job in plan(LmcorExperimentSettings(
        out_dir=str(tmp_path), tasks=("fusion_bisect",)))}
    assert "--gin.MAX_INPUT_LENGTH=384" in fusion["generator_0"].command
    scratch = {job.name: job for job in plan(LmcorExperimentSettings(
        out_dir=str(tmp_path), corrector_init="scratch"))}
    assert not [a for a in scratch["corrector_edit5"].command if "INIT_CHECKPOINT" in a]
    seq2seq = {job.name: job for job in plan(LmcorExperimentSettings(
        out_dir=str(tmp_path), generator="seq2seq"))}
    assert [a for a in seq2seq["corrector_seq2seq"].command if "INIT_CHECKPOINT" in a]
    # An EdiT5 backbone is a T5's: the EdiT5 corrector of seq2seq generators starts from one.
    assert f"--gin.INIT_CHECKPOINT='{tmp_path / 'runs' / 'generator_0'}'" in seq2seq[
        "corrector_edit5"].command


def test_correctors_train_and_decode_with_the_same_segments(tmp_path):
    jobs = {job.name: job for job in plan(LmcorExperimentSettings(out_dir=str(tmp_path)))}
    for name in ("corrector_edit5", "infer_edit5_gec_jfleg", "corrector_seq2seq",
                 "infer_seq2seq_gec_wi_fce"):
        assert "--gin.t5_config.lmcor_segments=2" in jobs[name].command, name
    assert not [a for a in jobs["generator_0"].command if "segments" in a]
    off = {job.name: job for job in plan(LmcorExperimentSettings(out_dir=str(tmp_path),
                                                                 segments=0))}
    assert "--gin.t5_config.lmcor_segments=0" in off["infer_edit5_gec_jfleg"].command
    with pytest.raises(ValueError, match="segments"):
        LmcorExperimentSettings(segments=-1)


def test_edit5_corrector_inserts_what_the_source_lacks_unless_told_to_copy(tmp_path):
    """--edit5_candidate_words: only the EdiT5 corrector's training changes (insert, the
    default: its plans borrow no candidate word; copy: they do); decoding reads the same inputs."""
    default = {job.name: job for job in plan(LmcorExperimentSettings(out_dir=str(tmp_path)))}
    copy = {job.name: job for job in plan(LmcorExperimentSettings(
        out_dir=str(tmp_path), edit5_candidate_words="copy"))}
    assert "--gin.train/lmcor_task.borrow_from_candidates=False" in default[
        "corrector_edit5"].command
    assert "--gin.train/lmcor_task.borrow_from_candidates=True" in copy["corrector_edit5"].command
    for name in ("corrector_seq2seq", "infer_edit5_gec_wi_fce", "generator_0"):
        assert copy[name].command == default[name].command, name
    with pytest.raises(ValueError, match="edit5_candidate_words"):
        LmcorExperimentSettings(edit5_candidate_words="point")


def test_edit5_corrector_decodes_with_the_given_insert_bias_and_delete_threshold(tmp_path):
    """--edit5_insert_bias / --edit5_delete_threshold reach the EdiT5 corrector's `textedit
    infer` only (as edit5_decode_fn bindings), and the table says which were used."""
    default = {job.name: job for job in plan(LmcorExperimentSettings(out_dir=str(tmp_path)))}
    argmax = LmcorExperimentSettings(out_dir=str(tmp_path), edit5_insert_bias=0.0,
                                     edit5_delete_threshold=0.5)
    plain = {job.name: job for job in plan(argmax)}
    for task in TASKS:
        command = default[f"infer_edit5_{task}"].command
        assert {"--gin.edit5_decode_fn.insert_bias=1.5",
                "--gin.edit5_decode_fn.delete_threshold=0.9"} <= set(command), task
        assert {"--gin.edit5_decode_fn.insert_bias=0.0",
                "--gin.edit5_decode_fn.delete_threshold=0.5"} <= set(
            plain[f"infer_edit5_{task}"].command), task
        assert not [a for a in default[f"infer_seq2seq_{task}"].command
                    if "edit5_decode_fn" in a], task
    for name in ("corrector_edit5", "corrector_seq2seq", "generator_0"):
        assert plain[name].command == default[name].command, name
    assert "insert_bias 0 and delete_threshold 0.5" in write_results(argmax)
    with pytest.raises(ValueError, match="edit5_delete_threshold"):
        LmcorExperimentSettings(edit5_delete_threshold=1.5)
