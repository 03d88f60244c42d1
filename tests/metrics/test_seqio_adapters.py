"""The SeqIO adapter: task targets as {"source", "references"} dicts, predictions as strings."""

import inspect

import pytest

from textedit.metrics import get_metric
from textedit.metrics.errant_metric import GoldEdit
from textedit.metrics.seqio_adapters import as_seqio_metric, seqio_metric, suffixed_metric

TARGETS = [
    {"source": "he go home", "references": ["he goes home", "he went home"]},
    {"source": "a apple", "references": ["an apple"]},
]


def test_metric_fn_has_seqio_predict_signature_and_the_metric_name():
    fn = seqio_metric("exact_match")
    assert list(inspect.signature(fn).parameters) == ["targets", "predictions"]
    assert fn.__name__ == "exact_match"


def test_unpacks_targets_and_scores_every_reference():
    assert seqio_metric("exact_match")(TARGETS, ["he went home", "a apple"]) == {
        "exact_match": 50.0}


def test_keyword_options_reach_the_scorer_and_bytes_are_decoded():
    fn = seqio_metric("exact_match", lowercase=True)
    targets = [{"source": b"x", "references": [b"He Went Home"]}]
    assert fn(targets, [b"he went home"]) == {"exact_match": 100.0}


def test_wraps_any_scorer_with_the_shared_convention():
    seen = {}

    def scorer(sources, predictions, references):
        seen.update(sources=sources, predictions=predictions, references=references)
        return {"n": float(len(predictions))}

    assert as_seqio_metric(scorer)(TARGETS, ["p1", "p2"]) == {"n": 2.0}
    assert seen["sources"] == ["he go home", "a apple"]
    assert seen["references"] == [["he goes home", "he went home"], ["an apple"]]


@pytest.mark.parametrize("name", ["gleu", "sari", "bleu", "exact_match"])
def test_every_reference_based_metric_runs_through_the_adapter(name):
    predictions = ["he goes home", "an apple"] * 2
    scores = seqio_metric(name)(TARGETS * 2, predictions)
    # The same values as the scorer called directly on the unpacked lists.
    expected = get_metric(name)(["he go home", "a apple"] * 2, predictions,
                                [["he goes home", "he went home"], ["an apple"]] * 2)
    assert scores == pytest.approx(expected) and scores
    if name == "exact_match":
        assert scores == {"exact_match": 100.0}  # every prediction is one of its references


def test_errant_scores_gold_edits_when_targets_carry_them():
    targets = [{"source": "He go home .", "references": ["He goes home ."],
                "gold_edits": [[GoldEdit(1, 2, "goes", "R:VERB:SVA")]]}]
    scores = seqio_metric("errant")(targets, ["He goes home ."])
    assert scores["errant_tp"] == 1.0 and scores["errant_f0.5"] == pytest.approx(100.0)


def test_gold_edits_are_refused_by_reference_only_scorers():
    targets = [{"source": "a", "references": ["a"], "gold_edits": [[]]}]
    with pytest.raises(ValueError, match="gold_edits"):
        seqio_metric("exact_match")(targets, ["a"])


def test_a_plain_string_target_is_a_clear_error():
    with pytest.raises(TypeError, match='"source"'):
        seqio_metric("exact_match")(["he goes home"], ["he goes home"])


def test_suffixed_metric_renames_the_function_and_every_score():
    fn = suffixed_metric(seqio_metric("exact_match", lowercase=True), "_lowercase")
    assert fn.__name__ == "exact_match_lowercase"
    assert list(inspect.signature(fn).parameters) == ["targets", "predictions"]
    assert fn(TARGETS, ["He Went Home", "x"]) == {"exact_match_lowercase": 50.0}
