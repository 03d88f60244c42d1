"""Re-ranking a beam by constraints (textedit/decoding/constraint_rerank.py), and MuCoCO started
from the re-ranked beam, on the tiny random T5 of the decoding tests: the keyword constraint is
met exactly by the outputs that contain the keyword, so the expected choice is read off the beams
directly."""

import numpy as np
import pytest
from decoding_cases import MAX_LENGTH, VOCAB

from textedit.decoding.beam_search import beam_search_decode
from textedit.decoding.constraint_rerank import (
    choose_satisfying,
    hard_constraint_values,
    rerank_beams,
    rerank_sequences,
)
from textedit.decoding.mucoco import MucocoSettings, mucoco_decode
from textedit.models.constraints import KeywordInclusion


def content(sequence) -> list[int]:
    """The pieces of an output before its EOS."""
    pieces = list(sequence)
    return pieces[:pieces.index(1)] if 1 in pieces else pieces


@pytest.fixture(scope="module")
def beams(model, encoder_tokens):
    return np.asarray(beam_search_decode(model, encoder_tokens, MAX_LENGTH, beam_size=4)[0])


@pytest.fixture(scope="module")
def keyword(beams):
    """A piece in a lower beam of row 0 but not in its best beam."""
    best = set(content(beams[0, 0]))
    return next(p for beam in beams[0, 1:] for p in content(beam) if p not in best)


def test_choose_satisfying_takes_the_first_candidate_within_every_bound():
    values = np.array([[[0.5, 0.0], [0.1, 0.0], [0.0, 0.0]],    # candidate 1 is the first
                       [[0.5, 0.0], [0.1, 2.0], [0.3, 0.0]],    # none: candidate 0
                       [[0.0, 1.0], [0.0, 0.0], [0.0, 0.0]]])   # candidate 0 itself
    assert choose_satisfying(values, [0.2, 1.0]).tolist() == [1, 0, 0]


def test_rerank_sequences_judges_by_the_bounds_given(beams, keyword, encoder_tokens):
    constraint = KeywordInclusion([keyword])
    strict = rerank_sequences([constraint], encoder_tokens, beams, VOCAB)
    assert keyword not in content(beams[0, 0]) and keyword in content(strict[0])
    # A bound every beam meets (a missing keyword scores 1.0) keeps each row's best beam.
    lenient = rerank_sequences([constraint], encoder_tokens, beams, VOCAB, epsilons=[1.0])
    np.testing.assert_array_equal(lenient, beams[:, 0])


def test_hard_values_of_a_keyword_say_whether_the_output_contains_it(beams, keyword,
                                                                      encoder_tokens):
    values = hard_constraint_values([KeywordInclusion([keyword])], encoder_tokens, beams[:, 0],
                                    VOCAB)
    expected = [0.0 if keyword in content(beam) else 1.0 for beam in beams[:, 0]]
    np.testing.assert_allclose(values[:, 0], expected)
    chunked = hard_constraint_values([KeywordInclusion([keyword])], encoder_tokens, beams[:, 0],
                                     VOCAB, rows_per_chunk=1)
    np.testing.assert_array_equal(chunked, values)


def test_rerank_keeps_the_most_probable_beam_with_the_keyword_else_the_best(
        model, encoder_tokens, beams, keyword):
    chosen = rerank_beams(model, [KeywordInclusion([keyword])], encoder_tokens, MAX_LENGTH)
    for row in range(len(beams)):
        with_keyword = [k for k in range(4) if keyword in content(beams[row, k])]
        np.testing.assert_array_equal(chosen[row], beams[row, with_keyword[0] if with_keyword
                                                          else 0])
    assert keyword not in content(beams[0, 0]) and keyword in content(chosen[0])


def test_mucoco_from_the_reranked_beam_keeps_it_where_it_satisfies(
        model, encoder_tokens, beams, keyword):
    constraints = (KeywordInclusion([keyword]),)
    reranked = rerank_beams(model, constraints, encoder_tokens, MAX_LENGTH)
    settings = MucocoSettings(steps=3, learning_rate=2.0, multiplier_learning_rate=2.0,
                              confidence=6.0, initial="rerank")
    result = mucoco_decode(model, encoder_tokens, MAX_LENGTH, constraints, settings=settings,
                           jit_compile=False)
    has_keyword = np.array([keyword in content(row) for row in reranked])
    np.testing.assert_array_equal(result.initial_satisfied, has_keyword)
    assert result.initial_satisfied[0]
    for row in range(len(reranked)):
        if result.initial_satisfied[row] or not result.satisfied[row]:
            np.testing.assert_array_equal(result.tokens[row], reranked[row])
        else:  # the search put the keyword in
            assert keyword in content(result.tokens[row])


def test_settings_name_the_starting_points_they_accept():
    with pytest.raises(ValueError, match="rerank"):
        MucocoSettings(initial="sampled")
