"""The in-graph sentence GLEU reward agrees with the `gleu` package (textedit's GLEU metric) on
sentences of ids written as words."""

import numpy as np
import pytest
from id_rows import padded

from textedit.metrics.gleu_metric import gleu_score
from textedit.objectives.gleu_reward import gleu_reward, sentence_gleu

# (source, hypothesis, reference) as word ids >= 2; padded with EOS (1) then 0 below.
CASES = [
    ([5, 6, 7, 8, 9], [5, 6, 7, 8, 9], [5, 6, 7, 8, 9]),          # identical: 1
    ([5, 6, 7, 8, 9], [5, 6, 7, 8, 9], [5, 6, 10, 8, 9]),         # copies an error: no 4-gram
    ([5, 6, 7, 8, 9, 12, 13, 14, 15], [5, 6, 11, 8, 9, 12, 13, 14, 15],
     [5, 6, 10, 8, 9, 12, 13, 14, 15]),                           # a wrong fix: partial credit
    ([5, 6, 8, 9, 12, 13, 14, 15, 7], [5, 6, 8, 9, 12, 13, 14, 15, 7],
     [5, 6, 8, 9, 12, 13, 14, 15, 16]),                           # keeps a final error: penalised
    ([5, 6, 7, 8, 9], [5, 6, 10, 8, 9], [5, 6, 10, 8, 9]),        # fixes it
    ([5, 6, 7, 8, 9, 11], [5, 6, 10, 8, 9, 11, 11], [5, 6, 10, 8, 9, 11]),  # too long, repeats
    ([5, 6, 7, 8, 9, 12, 13], [5, 6, 10, 8], [5, 6, 10, 8, 9, 12, 13]),     # too short
    ([5, 6, 7], [14, 15, 16, 17], [5, 6, 10]),                    # nothing matches: 0
]


def test_sentence_gleu_matches_the_gleu_package():
    sources, hypotheses, references = (padded([case[i] for case in CASES]) for i in range(3))
    scores = sentence_gleu(sources, hypotheses, references).numpy()
    for score, (source, hypothesis, reference) in zip(scores, CASES, strict=True):
        words = [" ".join(map(str, ids)) for ids in (source, hypothesis, reference)]
        expected = gleu_score([words[0]], [words[1]], [[words[2]]], iterations=1)["gleu"] / 100
        assert score == pytest.approx(expected, rel=1e-5, abs=1e-6)
    assert scores[0] == pytest.approx(1.0) and scores[-1] == 0.0
    assert 0.0 < scores[2] < 1.0 and 0.0 < scores[3] < 1.0 and scores[4] == pytest.approx(1.0)
    np.testing.assert_allclose(gleu_reward()(sources, hypotheses, references), scores)
