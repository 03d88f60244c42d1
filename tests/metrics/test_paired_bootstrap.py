"""The paired bootstrap of `textedit evaluate --compare`: intervals that cover what they should,
subset scorers equal to scoring the subset, and the command's report."""

import json

import numpy as np
import pytest

from textedit.metrics.paired_bootstrap import paired_bootstrap
from textedit.metrics.task_evaluation import read_split


@pytest.fixture(scope="module")
def jfleg_split():
    import tasks  # noqa: F401  (registers the tasks)

    return read_split("gec_jfleg", "validation")


def test_a_system_against_itself_differs_by_nothing(jfleg_split):
    sources = jfleg_split.sources()
    [d] = paired_bootstrap(jfleg_split, sources, sources, ["exact_match"], resamples=50)
    assert (d.key, d.a, d.b, d.difference, d.low, d.high) == (
        "exact_match", d.a, d.a, 0.0, 0.0, 0.0)
    assert d.not_above == 1.0 and d.resamples == 50


def test_a_reference_beats_copying_with_an_interval_around_the_difference(jfleg_split):
    references = [t["references"][0] for t in jfleg_split.targets]
    sources = jfleg_split.sources()
    results = {d.key: d for d in paired_bootstrap(
        jfleg_split, references, sources, ["gleu", "exact_match"], resamples=60, seed=3)}
    gleu = results["gleu"]
    assert gleu.b == pytest.approx(38.21, abs=0.01)  # the copy baseline's published GLEU
    assert gleu.low < gleu.difference < gleu.high and gleu.low > 20
    assert gleu.not_above == 0.0
    # Exact match is a mean over examples: the interval sits around the difference, and a
    # different seed draws different resamples.
    match = results["exact_match"]
    assert match.low < match.difference < match.high
    other = {d.key: d for d in paired_bootstrap(
        jfleg_split, references, sources, ["exact_match"], resamples=60, seed=4)}
    assert (other["exact_match"].low, other["exact_match"].high) != (match.low, match.high)
    with pytest.raises(ValueError, match="resamples must be at least 1"):
        paired_bootstrap(jfleg_split, sources, sources, resamples=0)


def test_gold_m2_errant_subset_scorer_equals_scoring_the_subset():
    """W&I's ERRANT matches its targets to the M2 file in order, so a resample cannot be scored
    as a target list; its subset scorer scores the chosen sentences against their gold edits."""
    import tasks  # noqa: F401
    from textedit.data.data_dir import data_path
    from textedit.data.readers.m2_reader import read_m2
    from textedit.metrics.errant_metric import errant_score
    from textedit.metrics.gold_m2_errant import gold_edits_by_annotator
    from textedit.metrics.task_evaluation import SplitExamples, metric_fns, postprocess_predictions

    full = read_split("gec_wi_fce", "validation")
    split = SplitExamples(full.task, full.split, full.examples[:40], full.targets[:40])
    [errant] = metric_fns("gec_wi_fce", ["errant"])
    sources = split.sources()
    predictions = [s.replace(" i ", " I ").replace(" ,", "") for s in sources]
    processed = postprocess_predictions(split, predictions)
    scorer = errant.subset_scorer(split.targets, processed)
    assert scorer(np.arange(40)) == errant(split.targets, processed)
    # A resample with repeats: the numbers errant_score gives on those sentences' M2 source
    # lines and gold edits.
    indices = [3, 3, 17, 0, 39, 12, 12, 12]
    gold = list(read_m2(data_path("gec/wi.A.dev.m2")))[:40]
    expected = errant_score([gold[i].source for i in indices], [predictions[i] for i in indices],
                            gold_edits=[gold_edits_by_annotator(gold[i]) for i in indices])
    subset = scorer(indices)
    assert subset == expected and subset["errant_fp"] > 0  # the comma deletions are wrong edits
    differences = paired_bootstrap(split, predictions, sources, ["errant"], resamples=20)
    assert {d.key for d in differences} >= {"errant_f0.5", "errant_tp"}


def test_evaluate_compare_reports_the_differences(tmp_path, capsys):
    from textedit.cli.main import main as cli
    from textedit.data.data_dir import data_path

    report_path = tmp_path / "report.json"
    assert cli(["evaluate", "--task", "gec_jfleg", "--predictions",
                str(data_path("gec/jfleg.dev.ref0")), "--compare", "copy", "--metrics",
                "exact_match", "--bootstrap", "30", "--output", str(report_path)]) == 0
    text = capsys.readouterr().out
    assert "B = copy baseline (source copied)" in text
    assert "30 paired bootstrap resamples (seed 0), 95% interval of A - B" in text
    report = json.loads(report_path.read_text())
    [difference] = report["comparison"]["differences"]
    assert difference["key"] == "exact_match" and difference["a"] == 100.0
    assert difference["difference"] == pytest.approx(100.0 - difference["b"])
    assert f"{difference['difference']:+.2f}" in text
