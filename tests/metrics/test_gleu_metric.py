"""GLEU through the `gleu` package: the JFLEG reference values and determinism."""

import random

import numpy as np
import pytest

from textedit.metrics.gleu_metric import fixed_seed_reference_picks, gleu_score


@pytest.fixture(scope="module")
def jfleg(read_lines):
    source = read_lines("gec/jfleg.dev.src")
    refs = [read_lines(f"gec/jfleg.dev.ref{i}") for i in range(4)]
    return source, refs


def test_jfleg_dev_source_copied_matches_reference_value(jfleg):
    source, refs = jfleg
    score = gleu_score(source, source, [list(r) for r in zip(*refs, strict=True)])["gleu"]
    assert score == pytest.approx(38.21, abs=0.01)


def test_jfleg_dev_ref0_against_other_refs_matches_reference_value(jfleg):
    source, refs = jfleg
    score = gleu_score(source, refs[0], [list(r) for r in zip(*refs[1:], strict=True)])["gleu"]
    assert score == pytest.approx(55.73, abs=0.01)


def test_score_is_deterministic_and_unaffected_by_an_earlier_char_call():
    # The package memoises n-gram counts on the sentence text alone; a char-level call must not
    # leak its counts into a later word-level call.
    sources = ["he go to school yesterday", "she have two cat"]
    predictions = ["he went to school yesterday", "she have two cats"]
    references = [["he went to school yesterday", "he goes to school"],
                  ["she has two cats", "she had two cats"]]
    first = gleu_score(sources, predictions, references)
    gleu_score(sources, predictions, references, tokenization="char")
    assert gleu_score(sources, predictions, references) == first


def test_output_equal_to_the_single_reference_scores_100():
    sources = ["he go to school", "a apple"]
    refs = ["he goes to school", "an apple"]
    assert gleu_score(sources, refs, [[r] for r in refs])["gleu"] == pytest.approx(100.0)


def test_source_copy_scores_below_a_correction():
    sources = ["he go to the school every days", "she have two cat"]
    refs = [["he goes to school every day"], ["she has two cats"]]
    copy = gleu_score(sources, sources, refs)["gleu"]
    fixed = gleu_score(sources, ["he goes to school every day", "she has two cat"], refs)["gleu"]
    assert copy < fixed


def test_reference_picks_are_the_packages_fixed_seed_picks():
    from gleu.util import make_id_rindex

    state = random.getstate()
    ours = fixed_seed_reference_picks(50, [4] * 30)
    assert random.getstate() == state  # the process-wide generator is left alone
    np.testing.assert_array_equal(ours, make_id_rindex(50, 30, 4, True))


def test_examples_may_have_different_numbers_of_references():
    sources = ["he go home", "a apple", "she run fast"]
    predictions = ["he goes home", "an apple", "she runs fast"]
    same = [["he goes home"], ["an apple"] * 2, ["she runs fast"] * 3]
    assert gleu_score(sources, predictions, same)["gleu"] == pytest.approx(100.0)
    varied = [["he goes home"], ["an apple", "one apple"], ["she runs fast", "she ran", "she is"]]
    score = gleu_score(sources, predictions, varied, iterations=20)["gleu"]
    # The definition: the mean over rounds of the single-reference GLEU of each round's picks.
    picks = fixed_seed_reference_picks(20, [len(refs) for refs in varied])
    rounds = [gleu_score(sources, predictions,
                         [[refs[j]] for refs, j in zip(varied, row, strict=True)],
                         iterations=1)["gleu"] for row in picks]
    assert len({tuple(row) for row in picks}) > 1  # the rounds pick different references
    assert score == pytest.approx(float(np.mean(rounds)), abs=1e-9)
    assert score < 100.0  # "one apple", "she ran", "she is" lower some rounds
    assert gleu_score(sources, predictions, varied, iterations=20)["gleu"] == score


def test_vectorised_rounds_equal_the_packages_own_computation(jfleg):
    """`gleu_score` sums rectified statistics in numpy; the package's `drn_accum_to_gleu` does it
    with Accumulator objects, round by round: the same number."""
    from gleu import aggreg, count
    from gleu.corpus_main import drn_accum_to_gleu

    source, refs = jfleg
    rows = [tuple(r) for r in zip(*refs, strict=True)][:120]
    hyp = refs[0][:120][::-1]  # a poor system: references of other sentences
    hyp = [refs[1][i] if i % 3 else h for i, h in enumerate(hyp)]
    count.set_tokenization("word")
    drn_accum = aggreg.make_drn_accum(4, source[:120], rows, hyp)
    dr_rlen = np.array([count.make_dx_xlen([row])[0] for row in rows])
    d_hlen = count.make_dx_xlen([(h,) for h in hyp])[:, 0]
    picks = fixed_seed_reference_picks(30, [4] * 120)
    expected = 100 * np.mean([drn_accum_to_gleu(drn_accum, p, dr_rlen, d_hlen) for p in picks])
    score = gleu_score(source[:120], hyp, [list(r) for r in rows], iterations=30)["gleu"]
    assert score == pytest.approx(expected, rel=1e-12)


def test_subset_scorer_equals_scoring_the_subset(jfleg):
    from textedit.metrics.gleu_metric import gleu_subset_scorer

    source, refs = jfleg
    references = [list(r) for r in zip(*refs, strict=True)]
    hyp = [refs[2][i] if i % 4 else s for i, s in enumerate(source)]
    scorer = gleu_subset_scorer(source, hyp, references, iterations=40)
    indices = np.random.default_rng(1).integers(0, len(source), 300)  # with repeats
    pick = lambda values: [values[i] for i in indices]  # noqa: E731
    assert scorer(indices)["gleu"] == pytest.approx(
        gleu_score(pick(source), pick(hyp), pick(references), iterations=40)["gleu"], rel=1e-12)
    assert scorer(np.arange(len(source)))["gleu"] == pytest.approx(
        gleu_score(source, hyp, references, iterations=40)["gleu"], rel=1e-12)
