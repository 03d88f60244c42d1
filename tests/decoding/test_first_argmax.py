"""`first_argmax`, greedy decoding's argmax: equal to numpy's, ties going to the first index."""

import numpy as np

from textedit.decoding.greedy import first_argmax


def test_first_argmax_equals_numpy_argmax_with_ties():
    rng = np.random.default_rng(0)
    logits = rng.integers(-3, 4, size=(64, 50)).astype(np.float32)  # many ties
    logits[0] = -1e9  # a fully forbidden row
    logits[1, [3, 7]] = 1e9
    np.testing.assert_array_equal(np.asarray(first_argmax(logits)), logits.argmax(axis=-1))
