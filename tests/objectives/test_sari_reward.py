"""The in-graph sentence SARI reward agrees with the project's SARI metric (one sentence, one
reference, ids written as words), and ranks outputs as SARI does."""

import numpy as np
import pytest
import tensorflow as tf
from id_rows import padded

from textedit.metrics.sari import sari_score
from textedit.objectives.metric_rewards import metric_reward
from textedit.objectives.sari_reward import sari_reward, sentence_sari

# (source, output, reference) as word ids >= 2; padded with EOS (1) then 0 below.
CASES = [
    ([5, 6, 7, 8, 9], [5, 6, 7, 8, 9], [5, 6, 7, 8, 9]),            # copy, reference copies too
    ([5, 6, 7, 8, 9, 10], [5, 6, 7, 8, 9, 10], [5, 6, 8, 9]),       # copy, reference deletes
    ([5, 6, 7, 8, 9, 10], [5, 6, 8, 9], [5, 6, 8, 9]),              # the reference's deletion
    ([5, 6, 7, 8, 9, 10], [5, 6, 9, 10], [5, 6, 8, 9]),             # a wrong deletion
    ([5, 6, 7, 8, 9], [5, 11, 8, 9], [5, 11, 8, 9]),                # the reference's substitution
    ([5, 6, 7, 8, 9], [5, 12, 8, 9], [5, 11, 8, 9]),                # a wrong substitution
    ([5, 6, 6, 7, 5, 6], [5, 6, 7, 13, 13], [5, 6, 6, 7, 13]),      # repeated n-grams, counts
    ([5, 6, 7], [14, 15, 16, 17], [5, 6, 10]),                      # nothing of the source kept
]


def test_sentence_sari_matches_the_sari_metric():
    sources, outputs, references = (padded([case[i] for case in CASES]) for i in range(3))
    scores = sentence_sari(sources, outputs, references).numpy()
    for score, (source, output, reference) in zip(scores, CASES, strict=True):
        words = [" ".join(map(str, ids)) for ids in (source, output, reference)]
        expected = sari_score([words[0]], [words[1]], [[words[2]]], lowercase=False,
                              tokenize="none")["sari"] / 100
        assert score == pytest.approx(expected, rel=1e-5, abs=1e-6), (source, output, reference)
    # The reference's own edit beats copying and the wrong edit.
    assert scores[2] > scores[3] and scores[2] > scores[1]
    assert scores[4] > scores[5]
    np.testing.assert_allclose(sari_reward()(sources, outputs, references), scores)
    np.testing.assert_allclose(metric_reward("sari")(sources, outputs, references), scores)


def test_sari_reward_is_compiled_and_rejects_a_bad_order():
    sources, outputs, references = (padded([case[i] for case in CASES]) for i in range(3))
    compiled = tf.function(sari_reward(max_order=2), jit_compile=True)
    np.testing.assert_allclose(compiled(sources, outputs, references),
                               sentence_sari(sources, outputs, references, max_order=2),
                               rtol=1e-6)
    with pytest.raises(ValueError, match="max_order=0"):
        sari_reward(max_order=0)
