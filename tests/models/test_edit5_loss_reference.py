"""EdiT5's loss against a numpy computation written from docs/algorithms.md alone, on a small
hand-built batch: tags, pointers through the pointer mask and Sinkhorn (in probability space
here, in log space in the model), insertions; both reductions and the lambdas."""

import numpy as np
import pytest
from edit5_cases import VOCAB, features

from textedit.models.edit5.pointer_head import pointer_mask
from textedit.models.edit5.sinkhorn import log_sinkhorn
from textedit.objectives.edit5_loss import edit5_loss

ITERATIONS = 3


def numpy_pointer_mask(kept):
    """bool [b, L, L]: kept -> another kept position; a deleted or padding position (and START
    when it is the only kept one) points to itself."""
    b, length = kept.shape
    allowed = np.zeros((b, length, length), bool)
    for r in range(b):
        alone = kept[r].sum() <= 1
        for m in range(length):
            for j in range(length):
                if m == j:
                    allowed[r, m, j] = not kept[r, m] or alone
                else:
                    allowed[r, m, j] = kept[r, m] and kept[r, j]
    return allowed


def numpy_sinkhorn(scores, allowed, iterations):
    """S of exp(scores) on the allowed entries: columns then rows normalised, K times."""
    s = np.where(allowed, np.exp(scores.astype(np.float64)), 0.0)
    for _ in range(iterations):
        s = s / s.sum(axis=1, keepdims=True)
        s = s / s.sum(axis=2, keepdims=True)
    return s


def numpy_cross_entropy(probabilities, targets, weights):
    """Sum over positions of -weight * log p(target) for probabilities [..., C] (rows sum to 1)."""
    picked = np.take_along_axis(probabilities, targets[..., None], axis=-1)[..., 0]
    return float(np.sum(-np.log(np.where(weights > 0, picked, 1.0)) * weights))


def softmax(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.fixture(scope="module")
def case():
    b = features()
    rng = np.random.default_rng(7)
    raw = {"tag_logits": rng.normal(size=(2, 8, 2)),
           "pointer_scores": rng.normal(scale=2.0, size=(2, 8, 8)),
           "insertion_logits": rng.normal(size=(2, 8, VOCAB))}
    return b, {k: v.astype(np.float32) for k, v in raw.items()}


def test_pointer_mask_and_sinkhorn_equal_numpy(case):
    b, raw = case
    kept = (b["encoder_mask"] == 1) & (b["tags"] == 1)
    allowed = numpy_pointer_mask(kept)
    np.testing.assert_array_equal(np.asarray(pointer_mask(kept)), allowed)
    expected = numpy_sinkhorn(raw["pointer_scores"], allowed, ITERATIONS)
    ours = np.exp(np.asarray(log_sinkhorn(raw["pointer_scores"], allowed, ITERATIONS)))
    np.testing.assert_allclose(ours, expected, atol=1e-6)
    # Every row sums to 1 exactly (the last step), columns nearly: the batch is not vacuous.
    np.testing.assert_allclose(expected.sum(axis=2), 1.0, atol=1e-12)
    assert 0 < np.abs(expected.sum(axis=1) - 1.0).max() < 0.05


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_loss_equals_numpy(case, reduction):
    b, raw = case
    mask = b["encoder_mask"].astype(np.float64)
    kept = (b["encoder_mask"] == 1) & (b["tags"] == 1)
    allowed = numpy_pointer_mask(kept)
    sums = {
        "tag": numpy_cross_entropy(softmax(raw["tag_logits"].astype(np.float64)), b["tags"],
                                   mask),
        "pointer": numpy_cross_entropy(numpy_sinkhorn(raw["pointer_scores"], allowed, ITERATIONS),
                                       b["pointers"], kept.astype(np.float64)),
        "insertion": numpy_cross_entropy(softmax(raw["insertion_logits"].astype(np.float64)),
                                         b["decoder_target_tokens"],
                                         b["decoder_loss_weights"].astype(np.float64)),
    }
    # Hand counts: tags over 5 + 3 unpadded positions, pointer rows over 4 + 1 kept positions
    # (START included), insertions over 6 + 3 weighted decoder tokens; 2 examples.
    counts = {"tag": 8, "pointer": 5, "insertion": 9}
    divisors = counts if reduction == "mean" else dict.fromkeys(counts, 2)
    expected = {part: sums[part] / divisors[part] for part in sums}
    lambdas = {"tag": 0.5, "pointer": 2.0, "insertion": 1.5}

    outputs = {"tag_logits": raw["tag_logits"],
               "pointer_logits": log_sinkhorn(raw["pointer_scores"], allowed, ITERATIONS),
               "insertion_logits": raw["insertion_logits"]}
    total, parts = edit5_loss(outputs, b, lambdas=lambdas, reduction=reduction)
    for part in sums:
        assert float(parts[f"{part}_count"]) == counts[part]
        assert float(parts[f"{part}_sum"]) == pytest.approx(sums[part], rel=1e-5)
        assert float(parts[part]) == pytest.approx(expected[part], rel=1e-5)
    assert float(total) == pytest.approx(sum(lambdas[p] * expected[p] for p in sums), rel=1e-5)
    assert min(expected.values()) > 0.1  # random logits: every part is a real cost
