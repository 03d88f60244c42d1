"""LMCor selection baselines: greedy, re-ranking, majority, MBR and the oracle on hand-made
records, and the n-gram similarity they rank by."""

import pytest

from textedit.benchmarks.lmcor_selection import ngram_f1, pick_index, select
from textedit.data.readers.candidates_reader import CandidateExample

EXAMPLE = CandidateExample(
    "he go to school yesterday",
    ("he went to school yesterday", "he goes to school yesterday", "he went to school yesterday",
     "she went to the school"),
    references=("He went to school yesterday .", "he went to school yesterday"),
    scores=(-2.0, -1.0, -2.0, -5.0),
    extra={"greedy": "he goes to school yesterday"},
)


def test_ngram_f1_values():
    assert ngram_f1("a b c", "a b c") == 1.0
    assert ngram_f1("", "") == 1.0 and ngram_f1("a", "") == 0.0
    # unigrams 2*2/6, bigrams 2*1/4, trigrams 0 (one each, no match); 4-grams absent from both
    assert ngram_f1("a b c", "a b d") == pytest.approx((4 / 6 + 2 / 4 + 0) / 3)


@pytest.mark.parametrize("selector, index", [
    ("rerank", 1), ("majority", 0), ("mbr", 0), ("oracle", 0)])
def test_each_selector_picks_its_slot(selector, index):
    assert pick_index(EXAMPLE, selector) == index


def test_majority_tie_goes_to_the_higher_score():
    tie = CandidateExample("s", ("a", "b", "b", "a"), scores=(-3.0, -1.0, -1.0, -3.0))
    assert pick_index(tie, "majority") == 1


def test_select_greedy_and_errors():
    assert select([EXAMPLE, EXAMPLE], "greedy") == ["he goes to school yesterday"] * 2
    bare = CandidateExample("s", ("a", "b"))
    with pytest.raises(ValueError, match='"greedy" key'):
        select([bare], "greedy")
    with pytest.raises(ValueError, match="rerank needs generator scores"):
        select([bare], "rerank")
    with pytest.raises(ValueError, match="oracle needs references"):
        select([bare], "oracle")
    with pytest.raises(ValueError, match="selector must be one of"):
        select([bare], "best")
