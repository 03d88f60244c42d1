"""The metrics each built-in task evaluates with, and the gold-M2 ERRANT metric_fn behind GEC.

The gold-M2 metric finds a split's gold edits by position, so these tests also pin down what it
relies on: a GEC validation split yields its M2 sentences in file order.
"""

import random

import pytest
import seqio

import tasks  # noqa: F401  (registers the tasks)
from tasks.gec import gold_m2_errant
from textedit.data.data_dir import data_path
from textedit.data.dataset_catalog import VALIDATION, get_dataset
from textedit.data.readers.m2_reader import read_m2
from textedit.data.readers.malformed_input import MalformedInputError
from textedit.metrics.gold_m2_errant import gold_m2_errant_metric
from textedit.metrics.task_evaluation import read_split

EXPECTED_METRICS = {
    "gec_wi_fce": ["errant", "exact_match"],
    "gec_conll": ["errant", "exact_match"],
    "gec_jfleg": ["gleu", "errant", "exact_match"],
    "fusion_wikisplit": ["exact_match", "exact_match_lowercase", "sari", "bleu"],
    "fusion_bisect": ["exact_match", "exact_match_lowercase", "sari", "bleu"],
    "simplify_asset": ["sari", "bleu"],
    "simplify_turk": ["sari", "bleu"],
    "clean_text": ["exact_match"],
}


@pytest.mark.parametrize("name", sorted(EXPECTED_METRICS))
def test_each_task_evaluates_with_its_benchmark_metrics(name):
    task = seqio.get_mixture_or_task(name)
    assert [fn.__name__ for fn in task.predict_metric_fns] == EXPECTED_METRICS[name]


@pytest.mark.parametrize("name", ["gec_wi_fce", "gec_conll"])
def test_gec_validation_yields_the_m2_sentences_in_file_order(name):
    split = read_split(name, VALIDATION)  # through the task's own data source
    m2 = [s.source for f in get_dataset(name).files(VALIDATION) for s in read_m2(data_path(f))]
    assert [t["source"] for t in split.targets] == m2


def test_fusion_lower_cased_exact_match_has_its_own_key():
    targets = [{"source": "a . b .", "references": ["A and b ."]}]
    scores = {}
    for fn in seqio.get_mixture_or_task("fusion_wikisplit").predict_metric_fns:
        scores.update(fn(targets, ["a and b ."]))
    assert scores["exact_match"] == 0.0 and scores["exact_match_lowercase"] == 100.0


# --- the gold-M2 ERRANT metric_fn on small files -----------------------------------------------

_M2 = """S He go home .
A 1 2|||R:VERB:SVA|||goes|||REQUIRED|||-NONE-|||0
A 1 2|||R:VERB:TENSE|||went|||REQUIRED|||-NONE-|||1

S This is fine .
A -1 -1|||noop|||-NONE-|||REQUIRED|||-NONE-|||0

S I has a apple .
A 1 2|||R:VERB:SVA|||have|||REQUIRED|||-NONE-|||0
A 2 3|||R:DET|||an|||REQUIRED|||-NONE-|||0
"""


def _targets(sources):
    return [{"source": s, "references": [s]} for s in sources]


@pytest.fixture
def m2_metric(tmp_path):
    path = tmp_path / "dev.m2"
    path.write_text(_M2, encoding="utf-8")
    absent = tmp_path / "test.m2"

    def absent_files():
        raise FileNotFoundError(absent)

    sources = [s.source for s in read_m2(path)]
    return gold_m2_errant_metric({"test": absent_files, "validation": lambda: [path]}), sources


def test_perfect_system_on_errant_style_gold_edits_scores_100(m2_metric):
    metric, sources = m2_metric
    # Annotator 1's correction for the first sentence: the best annotator is chosen per sentence.
    predictions = ["He went home .", "This is fine .", "I have an apple ."]
    scores = metric(_targets(sources), predictions)
    assert (scores["errant_tp"], scores["errant_fp"], scores["errant_fn"]) == (3, 0, 0)
    assert scores["errant_f0.5"] == pytest.approx(100.0)


def test_a_prefix_of_the_split_is_scored_against_its_own_sentences(m2_metric):
    metric, sources = m2_metric
    scores = metric(_targets(sources[:2]), sources[:2])  # e.g. Evaluator(num_examples=2)
    assert (scores["errant_tp"], scores["errant_fp"], scores["errant_fn"]) == (0, 0, 1)


def test_targets_out_of_m2_order_are_an_error_naming_the_difference(m2_metric):
    metric, sources = m2_metric
    expected = r"target 0 has source 'I has a apple \.' but .*dev\.m2:1 has 'He go home \.'"
    with pytest.raises(ValueError, match=expected) as e:
        metric(_targets(sources[::-1]), sources[::-1])
    assert "test: absent" in str(e.value)  # every split tried is reported


def test_malformed_blocks_are_skipped_only_with_skip_bad_lines(tmp_path):
    path = tmp_path / "bad.m2"
    path.write_text(_M2.replace("A 2 3|||R:DET", "A 2 x|||R:DET"), encoding="utf-8")
    strict = gold_m2_errant_metric({"validation": lambda: [path]})
    with pytest.raises(MalformedInputError, match=r"bad\.m2:10"):
        strict(_targets(["He go home ."]), ["He go home ."])
    tolerant = gold_m2_errant_metric({"validation": lambda: [path]}, skip_bad_lines=lambda: True)
    sources = ["He go home .", "This is fine ."]  # what the task's reader keeps, too
    assert tolerant(_targets(sources), sources)["errant_fn"] == 1


def test_conll_gold_metric_rejects_shuffled_targets_and_scores_the_copy_baseline():
    metric = gold_m2_errant("gec_conll")
    targets = read_split("gec_conll", VALIDATION).targets
    sources = [t["source"] for t in targets]
    copy = metric(targets, sources)
    assert (copy["errant_tp"], copy["errant_fp"], copy["errant_fn"]) == (0, 0, 3506)
    order = list(range(len(targets)))
    random.Random(0).shuffle(order)
    with pytest.raises(ValueError, match="not the sentences of any split"):
        metric([targets[i] for i in order], [sources[i] for i in order])
