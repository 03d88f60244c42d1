"""Corpus SARI: the ASSET / TurkCorpus reference values and a hand-computed example."""

import pytest

from textedit.metrics.sari import sari_score, sari_subset_scorer


def _columns(*files):
    return [list(refs) for refs in zip(*files, strict=True)]


@pytest.fixture(scope="module")
def asset(read_lines):
    source = read_lines("simplification/asset.valid.orig")
    refs = [read_lines(f"simplification/asset.valid.simp.{i}") for i in range(10)]
    return source, refs


def test_asset_valid_source_copied_matches_reference_value(asset):
    source, refs = asset
    assert sari_score(source, source, _columns(*refs))["sari"] == pytest.approx(22.53, abs=0.01)


def test_asset_valid_ref0_against_refs_1_to_9_matches_reference_value(asset):
    source, refs = asset
    scores = sari_score(source, refs[0], _columns(*refs[1:]))
    assert scores["sari"] == pytest.approx(44.94, abs=0.01)
    # The reference value is only reached with deletion F1; precision-only deletion scores higher.
    precision_only = sari_score(source, refs[0], _columns(*refs[1:]), deletion="precision")
    assert precision_only["sari_delete"] > scores["sari_delete"]
    assert precision_only["sari_add"] == scores["sari_add"]


def test_subset_scorer_equals_the_corpus_score_of_the_subsets_lists(asset):
    """What the paired bootstrap relies on: scoring indices (repeats allowed) is scoring the
    lists those indices pick."""
    source, refs = asset
    source, system, references = source[:300], refs[0][:300], _columns(*refs[1:])[:300]
    for deletion in ("f1", "precision"):
        scorer = sari_subset_scorer(source, system, references, deletion=deletion)
        for indices in ([0, 0, 5, 17, 299, 299, 299, 42], list(range(150, 300))):
            expected = sari_score([source[i] for i in indices], [system[i] for i in indices],
                                  [references[i] for i in indices], deletion=deletion)
            assert scorer(indices) == pytest.approx(expected, abs=1e-9)
    assert sari_score.subset_scorer is sari_subset_scorer


def test_turkcorpus_tune_source_copied_matches_reference_value(read_lines):
    source = read_lines("simplification/turk.tune.norm")
    refs = [read_lines(f"simplification/turk.tune.turk.{i}") for i in range(8)]
    assert sari_score(source, source, _columns(*refs))["sari"] == pytest.approx(27.00, abs=0.01)


def test_hand_computed_example():
    # source "a b", output "a c", reference "a c":
    #   add    n=1 {c} right, n=2 {"a c"} right, n=3,4 nothing -> F1 1, 1, 0, 0 -> 0.5
    #   keep   n=1 {a} right, n>=2 nothing kept                  -> F1 1, 0, 0, 0 -> 0.25
    #   delete n=1 {b} right, n=2 {"a b"} right                  -> F1 1, 1, 0, 0 -> 0.5
    scores = sari_score(["a b"], ["a c"], [["a c"]])
    assert scores["sari_add"] == pytest.approx(50.0)
    assert scores["sari_keep"] == pytest.approx(25.0)
    assert scores["sari_delete"] == pytest.approx(50.0)
    assert scores["sari"] == pytest.approx(125.0 / 3)


def test_copying_the_source_earns_no_add_or_delete_score():
    scores = sari_score(["The cat sat on the mat ."], ["The cat sat on the mat ."],
                        [["The cat sat on a mat .", "A cat sat ."]])
    assert scores["sari_add"] == 0.0 and scores["sari_delete"] == 0.0
    assert scores["sari_keep"] > 0.0


def test_lower_cases_and_tokenises_by_default():
    sources, refs = ["The cat, it sat."], [["the cat sat ."]]
    shouted = sari_score(sources, ["THE CAT SAT."], refs)
    assert shouted == sari_score(sources, ["the cat sat ."], refs)
    assert sari_score(sources, ["THE CAT SAT."], refs, lowercase=False)["sari"] < shouted["sari"]


def test_examples_may_have_different_numbers_of_references():
    # Corpus sums, the second example's S and O counts scaled by r = 3 (summed reference counts
    # d, e, f: 2 each; de, ef, df: 1 each):
    #   add    n=2: {ac} and {df} added, both right, both the only reference additions -> F1 1;
    #          n=1, 3, 4: nothing added, nothing to add                                   -> 0.25
    #   keep   n=1: kept a, c (2 of 2 right) + d, f x3 (4 of 6 right), references keep 2 + 6
    #          -> P = R = 6/8, F1 0.75; n >= 2: nothing kept                              -> 0.1875
    #   delete n=1: b (1 of 1) + e x3 (1 of 3 right, references drop 3) -> P = R = 2/4, F1 0.5
    #          n=2: ab, bc (2 of 2) + de, ef x3 (4 of 6, references drop 4) -> P 6/8, R 1, F1 6/7
    #          n=3: abc (1) + def x3 (3), all right -> F1 1; n=4 nothing -> (0.5 + 6/7 + 1) / 4
    scores = sari_score(["a b c", "d e f"], ["a c", "d f"], [["a c"], ["d f", "d e", "e f"]])
    assert scores["sari_add"] == pytest.approx(25.0)
    assert scores["sari_keep"] == pytest.approx(18.75)
    assert scores["sari_delete"] == pytest.approx(100 * (0.5 + 6 / 7 + 1) / 4)
    assert scores["sari"] == pytest.approx((25.0 + 18.75 + 100 * (0.5 + 6 / 7 + 1) / 4) / 3)
