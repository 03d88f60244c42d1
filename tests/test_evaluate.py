"""`textedit evaluate`: scoring a predictions file or the copy baseline with a task's own metrics.

Most tests call the command in this process (importing TensorFlow and SeqIO once); one runs
it as a command with an empty vocabulary directory, as a user would before training anything.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from textedit.cli.main import main as cli
from textedit.data.data_dir import data_path
from textedit.data.dataset_catalog import VALIDATION, load_split
from textedit.data.readers.m2_reader import read_m2
from textedit.metrics.sari import sari_score
from textedit.metrics.source_overlap import source_overlap

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _restore_process_settings():
    """`main` sets the data directory and --skip_bad_lines for the process, as a tool does."""
    yield
    from tasks.registration import SETTINGS
    from textedit.data.data_dir import set_data_dir

    set_data_dir(None)
    SETTINGS.skip_bad_lines = False


def _run_json(capsys, *argv: str) -> dict:
    assert cli(["evaluate", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _write_lines(path: Path, lines: list[str]) -> str:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


def test_wrong_line_count_names_both_counts_and_the_file(tmp_path):
    predictions = _write_lines(tmp_path / "preds.txt", ["one line", "two lines"])
    with pytest.raises(SystemExit, match=r"preds\.txt has 2 lines but gec_jfleg validation has "
                                         r"754 examples"):
        cli(["evaluate", "--task", "gec_jfleg", "--predictions", predictions])


def test_copy_baseline_on_jfleg_reproduces_the_published_gleu(capsys):
    report = _run_json(capsys, "--task", "gec_jfleg", "--baseline", "copy", "--metrics", "gleu")
    assert (report["task"], report["split"], report["examples"]) == ("gec_jfleg", "validation", 754)
    assert list(report["scores"]) == ["gleu"]  # --metrics picked one metric_fn
    assert report["scores"]["gleu"] == pytest.approx(38.21, abs=0.01)
    # The copy baseline reuses all of its source, and the report says so.
    assert report["source_overlap"] == {"exact_copy": 100.0, "source_words_kept": 100.0,
                                        "output_words_from_source": 100.0}


def test_asset_copy_baseline_sari_equals_sari_score_over_the_same_examples(capsys):
    report = _run_json(capsys, "--task", "simplify_asset", "--baseline", "copy",
                       "--metrics", "sari")
    examples = load_split("simplify_asset", VALIDATION).examples
    sources = [e.source for e in examples]
    expected = sari_score(sources, sources, [list(e.references) for e in examples])
    assert report["examples"] == len(examples)
    assert report["scores"] == pytest.approx(expected, abs=1e-9)


def test_predictions_file_scores_like_the_same_texts_in_memory(tmp_path, capsys):
    examples = load_split("simplify_asset", VALIDATION).examples
    outputs = [e.references[3] for e in examples]
    predictions = _write_lines(tmp_path / "asset.txt", outputs)
    report = _run_json(capsys, "--task", "simplify_asset", "--predictions", predictions)
    assert set(report["scores"]) >= {"sari", "bleu"}
    expected = sari_score([e.source for e in examples], outputs,
                          [list(e.references) for e in examples])["sari"]
    assert report["scores"]["sari"] == pytest.approx(expected)
    assert report["source_overlap"] == pytest.approx(
        source_overlap([e.source for e in examples], outputs))
    assert report["source_overlap"]["exact_copy"] < 100.0  # references are not all copies


@pytest.mark.slow  # ~25 s; ERRANT against reference values stays in tests/metrics
def test_conll_annotator0_targets_against_the_gold_m2(tmp_path, capsys):
    """Annotator 0's corrected sentences, scored against the gold M2 they come from: F0.5 82.53.

    Not 100, and not a bug: ERRANT re-extracts the edits from the corrected text and compares
    spans exactly, while CoNLL's gold spans were drawn by the NUCLE annotators. ERRANT merges and
    splits differently ("being noticed" -> "has been" is one gold edit, two ERRANT edits), and 50
    sentences have overlapping gold edits that no single target can realise (m2_reader). The
    same happens with the errant command-line tools (tests/metrics/test_errant_metric.py checks
    the library against them on gold M2 files).

    Source of the counts: ERRANT 3.0.2's commands print 2821 / 575 / 685 for these sentences
    (errant_parallel -orig SRC -cor ANN0, then errant_compare -ref conll13.test.m2);
    tests/metrics/test_errant_commands_live.py derives them live (slow, ~30 s).
    """
    sentences = read_m2(data_path("gec/conll13.test.m2"))
    predictions = _write_lines(tmp_path / "ann0.txt", [s.target(0) for s in sentences])
    report = _run_json(capsys, "--task", "gec_conll", "--predictions", predictions)
    scores = report["scores"]
    assert (scores["errant_tp"], scores["errant_fp"], scores["errant_fn"]) == (2821, 575, 685)
    assert scores["errant_f0.5"] == pytest.approx(82.53, abs=0.01)
    assert scores["exact_match"] == pytest.approx(100.0)  # every target is annotator 0's


def test_table_output_lists_the_header_and_every_score(capsys):
    assert cli(["evaluate", "--task", "simplify_turk", "--baseline", "copy"]) == 0
    table = capsys.readouterr().out
    assert "simplify_turk" in table and "validation" in table
    for name in ("sari", "sari_add", "sari_keep", "sari_delete", "bleu"):
        assert any(line.split()[:1] == [name] for line in table.splitlines())
    assert "time: read" in table
    assert "reuse of the source: exact copy 100.0%" in table


def test_unknown_metric_and_split_are_clear_errors():
    with pytest.raises(SystemExit, match="no metric 'gleu'; its metrics are errant, exact_match"):
        cli(["evaluate", "--task", "gec_conll", "--baseline", "copy", "--metrics", "gleu"])
    with pytest.raises(SystemExit, match="has no split 'train'"):
        cli(["evaluate", "--task", "gec_jfleg", "--split", "train", "--baseline", "copy"])
    with pytest.raises(SystemExit, match="task simplify_turk has no ERRANT metric"):
        cli(["evaluate", "--task", "simplify_turk", "--baseline", "copy", "--errant_types", "main"])
    with pytest.raises(SystemExit, match="gec_jfleg has no ERRANT metric among --metrics"):
        cli(["evaluate", "--task", "gec_jfleg", "--baseline", "copy", "--metrics", "gleu",
             "--errant_types", "main"])


def test_user_task_registered_through_gin(tmp_path, capsys):
    import gin

    src = _write_lines(tmp_path / "dev.src", ["he go home", "a apple"])
    ref = _write_lines(tmp_path / "dev.ref", ["he goes home", "an apple"])
    predictions = _write_lines(tmp_path / "preds.txt", ["he goes home", "a apple"])
    spec = f"[{{'name': 'user_eval_task', 'validation': ['{src}', '{ref}']}}]"
    try:
        report = _run_json(capsys, "--task", "user_eval_task", "--predictions", predictions,
                           f"--gin.user_parallel_tasks.tasks={spec}")
    finally:
        gin.clear_config()
    assert report["scores"] == {"exact_match": 50.0}


def test_errant_types_split_the_counts_by_category(tmp_path, capsys):
    """--errant_types on a user task scored with ERRANT against references: one right edit
    (go -> goes, VERB:SVA), one missed and one wrong; the categories sum to the corpus counts
    and the table names each of them. With --compare, B (the copy) has misses only."""
    import gin

    src = _write_lines(tmp_path / "dev.src", ["He go home .", "I have a apple .",
                                              "She like cats ."])
    ref = _write_lines(tmp_path / "dev.ref", ["He goes home .", "I have an apple .",
                                              "She likes cats ."])
    predictions = _write_lines(tmp_path / "preds.txt", ["He goes home .", "I have the apple .",
                                                        "She like cats ."])
    spec = (f"[{{'name': 'user_types_task', 'validation': ['{src}', '{ref}'], "
            f"'metrics': ['errant']}}]")
    try:
        report = _run_json(capsys, "--task", "user_types_task", "--predictions", predictions,
                           "--errant_types", "main", "--compare", "copy", "--bootstrap", "10",
                           f"--gin.user_parallel_tasks.tasks={spec}")
    finally:
        gin.clear_config()
    types = report["errant_types"]
    assert (types["metric"], types["level"]) == ("errant", "main")
    scores = report["scores"]
    totals = [sum(row[k] for row in types["a"].values()) for k in ("tp", "fp", "fn")]
    assert totals == [scores["errant_tp"], scores["errant_fp"], scores["errant_fn"]] == [1, 1, 2]
    assert types["a"]["VERB:SVA"]["tp"] == 1 and types["a"]["VERB:SVA"]["fn"] == 1
    assert [sum(row[k] for row in types["b"].values()) for k in ("tp", "fp", "fn")] == [0, 0, 3]

    from textedit.cli.evaluate import format_error_types

    table = format_error_types(report)
    assert "VERB:SVA" in table.splitlines()[4] and "\nB\n" in table  # most reference edits first


@pytest.mark.slow
def test_runs_as_a_command_without_a_trained_vocabulary(tmp_path):
    env = dict(os.environ, TEXTEDIT_VOCAB_DIR=str(tmp_path / "no-vocabulary-here"))
    done = subprocess.run(
        [sys.executable, "-m", "textedit", "evaluate", "--task", "gec_conll",
         "--baseline", "copy", "--json"],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["examples"] == 1381
    assert report["scores"]["errant_f0.5"] == 0.0 and report["scores"]["errant_fn"] == 3506
    assert not (tmp_path / "no-vocabulary-here").exists()


_SMALL_M2 = """S He go home .
A 1 2|||R:VERB:SVA|||goes|||REQUIRED|||-NONE-|||0

S Broken block .
A 0 x|||R:NOUN|||Bad|||REQUIRED|||-NONE-|||0

S I has a apple .
A 1 2|||R:VERB:SVA|||have|||REQUIRED|||-NONE-|||0
A 2 3|||R:DET|||an|||REQUIRED|||-NONE-|||0
"""


def test_data_dir_and_skip_bad_lines_reach_the_task_and_the_gold_m2(tmp_path, capsys):
    (tmp_path / "gec").mkdir()
    (tmp_path / "gec" / "conll13.test.m2").write_text(_SMALL_M2, encoding="utf-8")
    predictions = _write_lines(tmp_path / "preds.txt", ["He goes home .", "I have an apple ."])
    argv = ["--task", "gec_conll", "--data_dir", str(tmp_path), "--predictions", predictions]
    with pytest.raises(SystemExit, match=r"conll13\.test\.m2:5"):
        cli(["evaluate", *argv])
    report = _run_json(capsys, *argv, "--skip_bad_lines")
    assert report["examples"] == 2 and report["skipped_input_lines"] == 1
    assert report["scores"]["errant_f0.5"] == pytest.approx(100.0)


@pytest.mark.slow
def test_wi_annotator0_targets_against_the_gold_m2(tmp_path, capsys):
    """As for CoNLL: W&I's gold spans are the annotators' own, so ERRANT's re-extraction of
    annotator 0's corrections matches 86% of them (F0.5 85.93), not all. The counts are what
    ERRANT's commands print for the same files (tests/metrics/test_errant_commands_live.py)."""
    files = [f"gec/wi.{level}.dev.m2" for level in "ABC"]
    targets = [s.target(0) for f in files for s in read_m2(data_path(f))]
    predictions = _write_lines(tmp_path / "ann0.txt", targets)
    scores = _run_json(capsys, "--task", "gec_wi_fce", "--predictions", predictions)["scores"]
    assert (scores["errant_tp"], scores["errant_fp"], scores["errant_fn"]) == (5675, 947, 857)
    assert scores["errant_f0.5"] == pytest.approx(85.93, abs=0.01)


def test_wi_errant_types_sum_to_the_gold_m2_counts_on_a_prefix():
    """The gold-M2 path of --errant_types (tasks/gec.py, gold_m2_errant.py): on the first 40 W&I
    dev sentences, a system applying annotator 0's corrections to every other sentence; the
    categories sum to the metric's own TP / FP / FN, and its misses fall in several categories."""
    from textedit.metrics import task_evaluation

    split = task_evaluation.read_split("gec_wi_fce", "validation")
    sentences = read_m2(data_path("gec/wi.A.dev.m2"))[:40]
    predictions = [s.target(0) if i % 2 else s.source for i, s in enumerate(sentences)]
    targets = split.targets[:40]
    (errant,) = task_evaluation.metric_fns("gec_wi_fce", ["errant"])
    scores = errant(targets, predictions)
    by_type = errant.type_counts(targets, predictions, level="operation")
    assert set(by_type) <= {"M", "R", "U"} and len(by_type) >= 2
    sums = [sum(getattr(c, k) for c in by_type.values()) for k in ("tp", "fp", "fn")]
    assert sums == [scores["errant_tp"], scores["errant_fp"], scores["errant_fn"]]
    assert sums[0] > 0 and sums[2] > 0


def test_comparison_table_keeps_wide_intervals_apart_from_the_next_column():
    from textedit.cli.evaluate import format_comparison

    rows = [{"key": "errant_fp", "a": 502.0, "b": 3054.0, "low": -2779.1, "high": -2330.95,
             "not_above": 1.0},
            {"key": "errant_f0.5", "a": 12.06, "b": 13.43, "low": -2.72, "high": 0.14,
             "not_above": 0.964}]
    for d in rows:
        d["difference"] = d["a"] - d["b"]
    report = {"predictions": "a.txt", "comparison": {
        "predictions": "b.txt", "resamples": 10, "seed": 0, "confidence": 0.95,
        "differences": rows}}
    table = format_comparison(report).splitlines()
    assert table[-2].split()[-2:] == ["-2330.95]", "1.000"]
    assert table[-1].split()[-2:] == ["+0.14]", "0.964"]
    # The last column starts at the same place in the header and every row.
    header = table[-3]
    assert {header.index("P(A - B"), table[-2].rindex("1.000"), table[-1].rindex("0.964")} == {
        header.index("P(A - B")}
