"""Character error rate against edit distances worked out by hand."""

import pytest

from textedit.metrics import character_error_rate_score, get_metric
from textedit.metrics.character_error_rate import levenshtein


@pytest.mark.parametrize("a, b, distance", [
    ("", "", 0),
    ("abc", "", 3),
    ("kitten", "sitting", 3),  # k->s, e->i, insert g
    ("modern", "rnodem", 4),  # m->rn is 2 edits, rn->m 2 more
    ("the cat", "thecat", 1),  # a merged word: one deleted space
])
def test_levenshtein_matches_hand_counts(a, b, distance):
    assert levenshtein(a, b) == distance
    assert levenshtein(b, a) == distance


def test_corpus_cer_divides_summed_edits_by_summed_reference_lengths():
    # kitten/sitting: 3 edits over 7 reference characters; "the cat"/"thecat": 1 over 7.
    score = character_error_rate_score(["x", "y"], ["kitten", "thecat"],
                                       [["sitting"], ["the cat"]])
    assert score["cer"] == pytest.approx(100 * 4 / 14)


def test_closest_reference_counts_and_registry_name():
    score = get_metric("cer")(["x"], ["abd"], [["xyz zy", "abc"]])
    assert score == {"cer": pytest.approx(100 / 3)}
    assert character_error_rate_score([], [], []) == {"cer": 0.0}
