"""`textedit report` on tiny randomly initialised runs (an EdiT5 and a seq2seq one) evaluated on
CoNLL-2013: the table's scores are the task's metrics of the predictions it kept, the latency
columns are numbers, the plot is a PNG, and a path that is not a run is an error naming it."""

import dataclasses
import json
import shutil

import pytest

from textedit.cli.main import main

TASK = "gec_conll"
# The seq2seq run's input length: with the session's 2,000-piece vocabulary the first eight
# gec_conll sources have 36, 46, 33, 44, 53, 55, 37 and 47 pieces (SentencePiece 0.2.2), so some
# of the first four and more of the eight are longer than SEQ2SEQ_LENGTH - 1.
SEQ2SEQ_LENGTH = 45


def report(argv: list[str]) -> int:
    """`textedit report ARGV`'s exit code."""
    return main(["report", *argv])


def make_seq2seq_run(run_dir, vocab_dir, seed: int = 1, vocab_rows: int = 2176):
    """A run directory as `textedit train` leaves it for a tiny seq2seq T5 (1-layer decoder)."""
    import keras

    from textedit.models import T5Config, T5EncoderDecoder
    from textedit.runs.run_artifacts import copy_vocabulary, write_model_config
    from textedit.training.checkpoints import RunCheckpoints
    from textedit.training.optimizers import make_optimizer

    keras.utils.set_random_seed(seed)
    model = T5EncoderDecoder(T5Config.named("tiny", vocab_size=vocab_rows, num_decoder_layers=1,
                                            dropout_rate=0.0))
    optimizer = make_optimizer("adamw", 1e-3)
    optimizer.build(model.trainable_variables)
    assert write_model_config(run_dir, model)
    copy_vocabulary(run_dir, vocab_dir)
    RunCheckpoints(run_dir / "checkpoints", model, optimizer).save(3)


@pytest.fixture(scope="module")
def two_runs(tiny_vocab, tiny_edit5_run, tmp_path_factory):
    """An EdiT5 run trained on edit5_gec_conll and a seq2seq run evaluated on gec_conll, each
    naming its task in run.json the way `textedit train` writes it."""
    from textedit.runs.run_settings import RunSettings, write_run_settings

    root = tmp_path_factory.mktemp("report_runs")
    edit5 = root / "edit5_tiny"
    shutil.copytree(tiny_edit5_run[0], edit5)
    write_run_settings(edit5, RunSettings(task=f"edit5_{TASK}", input_length=64,
                                          insert_length=16))
    seq2seq = root / "seq2seq_tiny"
    make_seq2seq_run(seq2seq, edit5 / "vocab")  # the same tiny vocabulary
    write_run_settings(seq2seq, RunSettings(task="unused_train_task", eval_tasks=(TASK,),
                                            input_length=SEQ2SEQ_LENGTH, decode_length=16))
    return edit5, seq2seq


def _table(markdown: str) -> dict[str, dict[str, str]]:
    """{run: {column: cell}} of the report's first table."""
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return {cells[0]: dict(zip(header, cells, strict=True))
            for cells in ([c.strip() for c in line.strip("|").split("|")] for line in lines[2:])}


@pytest.mark.slow
def test_report_scores_the_kept_predictions_and_times_both_runs(two_runs, tmp_path, capsys):
    from textedit.data.vocab.vocabulary import get_vocabulary
    from textedit.metrics import task_evaluation
    from textedit.metrics.predictions_file import read_predictions

    out = tmp_path / "report"
    argv = [*map(str, two_runs), "--out_dir", str(out), "--max_examples", "8",
            "--latency_examples", "4", "--batch_size", "1", "--json", str(tmp_path / "report.json")]
    assert report(argv) == 0
    markdown = (out / "report.md").read_text()
    assert markdown in capsys.readouterr().out
    assert f"## {TASK} (validation)" in markdown
    table = _table(markdown)
    assert set(table) == {"edit5_tiny", "seq2seq_tiny"}
    assert table["edit5_tiny"]["model"] == "EdiT5" and table["seq2seq_tiny"]["model"] == "seq2seq"
    assert (table["edit5_tiny"]["step"], table["seq2seq_tiny"]["step"]) == ("7", "3")

    split = task_evaluation.read_split(TASK, "validation")
    first8 = dataclasses.replace(split, examples=split.examples[:8], targets=split.targets[:8])
    for run in ("edit5_tiny", "seq2seq_tiny"):
        row = table[run]
        assert row["examples"] == "8"
        predictions = read_predictions(out / "predictions" / f"{run}.{TASK}.txt", 8)
        direct = {k: v for r in task_evaluation.score(first8, predictions)
                  for k, v in r.scores.items()}
        assert set(direct) <= set(row)
        for key, value in direct.items():
            shown = f"{value:.0f}" if key.endswith(("_tp", "_fp", "_fn")) else f"{value:.2f}"
            assert row[key] == shown, (run, key)
        mean, median, p95 = (float(row[k]) for k in ("latency mean ms", "median ms", "p95 ms"))
        assert 0 < median <= p95 and mean > 0
        assert 1 <= float(row["decoder steps"]) <= 16  # both decode buffers are 16 (run.json)

    assert (out / "quality_vs_latency.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert "Plot y axis: errant_f0.5." in markdown
    assert "Latency: batch 1 on CPU with " in markdown
    assert "textedit report " in markdown and "--latency_examples 4" in markdown
    # The seq2seq run's input length is SEQ2SEQ_LENGTH (run.json): longer inputs are cut when
    # scored and
    # left out of the timing, and the report counts both.
    vocabulary = get_vocabulary(two_runs[1] / "vocab")
    long = [len(vocabulary.encode(text)) > SEQ2SEQ_LENGTH - 1 for text in split.sources()[:8]]
    assert 0 < sum(long[:4]) < 4 and sum(long) > sum(long[:4])
    assert (f"seq2seq_tiny on {TASK}: {sum(long)} longer than {SEQ2SEQ_LENGTH - 1} pieces, cut"
            in markdown)
    assert (f"seq2seq_tiny on {TASK}: {sum(long[:4])} longer than {SEQ2SEQ_LENGTH - 1} pieces."
            in markdown)
    saved = json.loads((tmp_path / "report.json").read_text())
    assert [r["latency"]["summary"]["count"] for r in saved["rows"]] == [4, 4 - sum(long[:4])]


def test_seq2seq_predictions_are_what_the_infer_tool_decodes(two_runs, tmp_path):
    """The report's seq2seq decoding (length buckets, its own vocabulary) gives the texts that
    `textedit infer` gets through the task pipeline, SeqIO's feature converter and predict_fn."""
    import seqio

    from textedit.benchmarks.run_report import load_report_run
    from textedit.cli import infer
    from textedit.metrics import task_evaluation
    from textedit.metrics.predictions_file import read_predictions
    from textedit.training.evaluation import seq2seq_greedy_decode_fn

    run = load_report_run(two_runs[1], batch_size=8)
    sources = task_evaluation.read_split(TASK, "validation").sources()[:8]
    path = tmp_path / "infer.txt"
    infer.write_predictions(seqio.get_mixture_or_task(TASK), run.model,
                            seq2seq_greedy_decode_fn(16), {"inputs": SEQ2SEQ_LENGTH, "targets": 16},
                            "validation", 8, 8, path)
    assert read_predictions(path, 8) == [" ".join(p.split()) for p in run.predict(sources)]


def test_task_flag_overrides_the_config_and_metric_picks_the_plot_axis(two_runs, tmp_path):
    out = tmp_path / "report"
    assert report([str(two_runs[1]), "--out_dir", str(out), "--task", "simplify_turk",
                        "--max_examples", "3", "--latency_examples", "2", "--batch_size", "1",
                        "--metric", "bleu"]) == 0
    markdown = (out / "report.md").read_text()
    assert "## simplify_turk (validation)" in markdown and "Plot y axis: bleu." in markdown
    row = _table(markdown)["seq2seq_tiny"]
    assert {"sari", "sari_add", "bleu"} <= set(row) and row["examples"] == "3"
    assert (out / "predictions" / "seq2seq_tiny.simplify_turk.txt").exists()


def test_unknown_metric_or_task_is_exit_2_before_any_decoding(two_runs, tmp_path, capsys):
    out = tmp_path / "report"
    assert report([str(two_runs[1]), "--out_dir", str(out), "--metric", "gleu"]) == 2
    assert f"--metric gleu: task {TASK} has no such score" in capsys.readouterr().err
    assert report([str(two_runs[1]), "--out_dir", str(out), "--task", "no_such"]) == 2
    assert "unknown task 'no_such' (from --task)" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("make, missing", [
    (lambda d: None, "no such directory"),
    (lambda d: d.mkdir(), "no model.json"),
    (lambda d: (d.mkdir(), (d / "model.json").write_text("{}")), "no checkpoint"),
])
def test_a_path_that_is_not_a_run_is_exit_2_naming_it(two_runs, tmp_path, capsys, make,
                                                       missing):
    bad = tmp_path / "not_a_run"
    make(bad)
    assert report([str(two_runs[0]), str(bad), "--out_dir", str(tmp_path / "out"),
                        "--task", TASK]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and missing in err and "model.json and checkpoints/ckpt-N" in err
    assert not (tmp_path / "out" / "report.md").exists()


def test_run_settings_come_from_run_json(tmp_path):
    """run.json round trip; the training task stands in for absent evaluation tasks; no run.json
    gives the defaults; a malformed one is an error naming the file and the field."""
    from textedit.benchmarks.run_report import run_settings
    from textedit.runs.run_settings import RunSettings, write_run_settings

    write_run_settings(tmp_path / "a", RunSettings(task="fusion_wikisplit_1pct",
                                                   eval_tasks=("fusion_wikisplit", "gec_jfleg"),
                                                   input_length=96, decode_length=80))
    settings = run_settings(tmp_path / "a")
    assert settings.eval_tasks == ("fusion_wikisplit", "gec_jfleg")
    assert (settings.input_length, settings.decode_length, settings.insert_length) == (96, 80, 64)
    write_run_settings(tmp_path / "b", RunSettings(task="gec_jfleg"))
    assert run_settings(tmp_path / "b").eval_tasks == ("gec_jfleg",)
    assert run_settings(tmp_path / "no_run_json").eval_tasks == ()
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "run.json").write_text('{"input_length": 0}')
    with pytest.raises(ValueError, match=r"run\.json: input_length must be a positive integer"):
        run_settings(tmp_path / "c")
