"""Exact match and sacrebleu BLEU in the shared scorer convention."""

import pytest
import sacrebleu

from textedit.metrics.bleu import bleu_score
from textedit.metrics.exact_match import exact_match_score


def test_exact_match_counts_a_hit_on_any_reference():
    scores = exact_match_score(["s1", "s2", "s3", "s4"], ["a b", "c", "D e", "f"],
                               [["a b"], ["x", "c"], ["d e"], ["g"]])
    assert scores == {"exact_match": 50.0}


def test_exact_match_lower_cased_as_discofuse_reports_it():
    scores = exact_match_score(["s1", "s2"], ["The Cat", "a dog"], [["the cat"], ["A Dog"]],
                               lowercase=True)
    assert scores["exact_match"] == 100.0


def test_exact_match_of_an_empty_corpus_is_zero():
    assert exact_match_score([], [], []) == {"exact_match": 0.0}


def test_bleu_equals_sacrebleu_with_several_references():
    hyps = ["the cat sat on the mat .", "a dog barked loudly ."]
    refs = [["the cat sat on a mat .", "a cat sat on the mat ."], ["the dog barked loudly ."]]
    expected = sacrebleu.corpus_bleu(
        hyps, [[refs[0][0], refs[1][0]], [refs[0][1], None]]).score
    assert bleu_score(["x", "y"], hyps, refs)["bleu"] == pytest.approx(expected)


def test_bleu_of_the_references_themselves_is_100():
    refs = ["the cat sat on the mat .", "a dog barked loudly at the postman ."]
    assert bleu_score(refs, refs, [[r] for r in refs])["bleu"] == pytest.approx(100.0)


def test_bleu_options_reach_sacrebleu():
    hyps, refs = ["The Cat sat on the mat today ."], [["the cat sat on the mat today ."]]
    assert bleu_score(["x"], hyps, refs)["bleu"] < 100.0
    assert bleu_score(["x"], hyps, refs, lowercase=True)["bleu"] == pytest.approx(100.0)
