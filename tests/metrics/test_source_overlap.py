"""source_overlap: how much of their sources outputs reuse (textedit/metrics/source_overlap.py)."""

from __future__ import annotations

import pytest

from textedit.metrics.source_overlap import source_overlap


def test_constructed_counts_words_as_multisets():
    sources = ["the cat sat on the mat", "a b c", "x y"]
    predictions = ["the cat sat on the mat",   # a copy: 6 of 6 words shared
                   "a a d",                     # "a" once in the source: 1 shared of 3 output
                   " x y "]                     # a copy up to outer white space: 2 shared
    overlap = source_overlap(sources, predictions)
    assert overlap["exact_copy"] == pytest.approx(100.0 * 2 / 3)
    assert overlap["source_words_kept"] == pytest.approx(100.0 * (6 + 1 + 2) / (6 + 3 + 2))
    assert overlap["output_words_from_source"] == pytest.approx(100.0 * (6 + 1 + 2) / (6 + 3 + 2))


def test_unrelated_output_and_deletion_are_told_apart():
    sources = ["Picasa Web Albums was first leaked on June 6, 2006."]
    unrelated = source_overlap(sources, ["He was born in London."])
    shortened = source_overlap(sources, ["Picasa was leaked in 2006."])
    assert unrelated["output_words_from_source"] == pytest.approx(20.0)  # "was" of 5 words
    # Picasa, was, leaked and "2006." of 5 output words; of the source's 10 words
    assert shortened["output_words_from_source"] == pytest.approx(80.0)
    assert shortened["source_words_kept"] == pytest.approx(40.0)
    assert unrelated["exact_copy"] == shortened["exact_copy"] == 0.0


def test_length_mismatch_and_empty_inputs():
    with pytest.raises(ValueError, match="2 sources but 1 predictions"):
        source_overlap(["a", "b"], ["a"])
    assert source_overlap([""], [""]) == {"exact_copy": 100.0, "source_words_kept": 0.0,
                                          "output_words_from_source": 0.0}
