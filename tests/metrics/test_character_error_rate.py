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


def test_subset_scorer_equals_the_corpus_score_of_the_subsets_lists():
    from textedit.metrics.character_error_rate import character_error_rate_subset_scorer

    predictions = ["kitten", "thecat", "abd", "modern"]
    references = [["sitting"], ["the cat"], ["xyz zy", "abc"], ["rnodem"]]
    sources = ["s"] * 4
    scorer = character_error_rate_subset_scorer(sources, predictions, references)
    for indices in ([0, 1], [3, 3, 2], [1], [0, 1, 2, 3]):
        expected = character_error_rate_score(
            [sources[i] for i in indices], [predictions[i] for i in indices],
            [references[i] for i in indices])
        assert scorer(indices) == pytest.approx(expected)
    assert scorer([3, 3, 2])["cer"] == pytest.approx(100 * (4 + 4 + 1) / (6 + 6 + 3))
    assert character_error_rate_score.subset_scorer is character_error_rate_subset_scorer
