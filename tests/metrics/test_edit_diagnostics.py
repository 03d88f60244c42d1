"""`EditDiagnostics`: the tagger's AUC (against counting every positive/negative pair), its
thresholds, and the accuracies per kind of insertion target, on constructed arrays."""

import itertools

import numpy as np
import pytest

from textedit.metrics.edit_diagnostics import EditDiagnostics, roc_auc


def pairwise_auc(scores, positives):
    pairs = [(p, n) for p, n in itertools.product(scores[positives], scores[~positives])]
    return sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in pairs) / len(pairs)


def test_roc_auc_counts_pairs_with_ties_as_halves():
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 5, size=40).astype(float)  # many ties
    positives = rng.random(40) < 0.3
    assert roc_auc(scores, positives) == pytest.approx(pairwise_auc(scores, positives))
    assert roc_auc(np.array([0.9, 0.8, 0.1]), np.array([True, True, False])) == 1.0
    assert roc_auc(np.array([0.1, 0.8]), np.array([True, False])) == 0.0
    assert np.isnan(roc_auc(np.array([0.3, 0.4]), np.array([False, False])))


def test_batch_statistics_per_stage():
    stats = EditDiagnostics(first_position_id=3, num_position_tokens=10)
    # Two rows of 4 source positions; row 1's last position is padding (must not count).
    delete_prob = np.array([[0.9, 0.1, 0.6, 0.2], [0.3, 0.8, 0.05, 0.99]])
    tags = np.array([[0, 1, 1, 1], [0, 1, 1, 0]])
    mask = np.array([[1, 1, 1, 1], [1, 1, 1, 0]])
    pointers = np.array([[0, 2, 3, 1], [0, 2, 1, 3]])
    pointer_pred = np.array([[0, 2, 0, 1], [1, 2, 1, 3]])
    # Targets: <pos_1> 20 EOS | <pos_0> <pos_2> 21 EOS; ids 3..12 are <pos_k>, 1 is EOS.
    targets = np.array([[4, 20, 1, 0], [3, 5, 21, 1]])
    weights = np.array([[1, 1, 1, 0], [1, 1, 1, 1]])
    predicted = np.array([[4, 22, 1, 1], [5, 5, 21, 7]])
    stats.add(delete_prob, tags, mask, pointer_pred, pointers, predicted, targets, weights)
    s = stats.summary()
    assert s["examples"] == 2 and s["tag_positions"] == 7
    counted_probs = np.array([0.9, 0.1, 0.6, 0.2, 0.3, 0.8, 0.05])
    deleted = np.array([1, 0, 0, 0, 1, 0, 0], dtype=bool)
    assert s["tag_auc"] == pytest.approx(pairwise_auc(counted_probs, deleted))
    assert s["tag_delete_share"] == pytest.approx(2 / 7)
    assert s["tag_predicted@0.5"] == 3 and s["tag_precision@0.5"] == pytest.approx(1 / 3)
    assert s["tag_recall@0.5"] == pytest.approx(1 / 2)
    # kept rows: row 0 positions 1, 2, 3 (one wrong), row 1 positions 1, 2 (both right)
    assert (s["pointer_accuracy"], s["pointer_count"]) == (pytest.approx(4 / 5), 5)
    assert (s["insertion_eos_accuracy"], s["insertion_eos_count"]) == (0.0 + 1 / 2, 2)
    assert (s["insertion_position_accuracy"], s["insertion_position_count"]) == (2 / 3, 3)
    assert (s["insertion_first_position_accuracy"],
            s["insertion_first_position_count"]) == (1 / 2, 2)
    assert (s["insertion_content_accuracy"], s["insertion_content_count"]) == (1 / 2, 2)
    assert any(line.startswith("tagger: DELETE AUC") for line in stats.lines())


def test_nll_per_part_and_of_the_whole_edit():
    stats = EditDiagnostics(first_position_id=3, num_position_tokens=10)
    mask = np.array([[1, 1, 0], [1, 1, 1]])
    tags = np.array([[1, 1, 0], [1, 0, 1]])
    zeros = np.zeros((2, 3), np.int64)
    stats.add(np.full((2, 3), 0.5), tags, mask, zeros, zeros, zeros, zeros, zeros)
    stats.add_nll({"tag": 2.0, "pointer": 3.0, "insertion": 6.0},
                  {"tag": 5, "pointer": 4, "insertion": 8})
    stats.add_nll({"tag": 1.0, "pointer": 0.0, "insertion": 2.0},
                  {"tag": 3, "pointer": 2, "insertion": 2})  # a second batch (no add: 0 rows)
    s = stats.summary()
    assert s["tag_nll"] == pytest.approx(3 / 8) and s["pointer_nll"] == pytest.approx(3 / 6)
    assert s["insertion_nll"] == pytest.approx(8 / 10)
    assert s["edit_nll_per_example"] == pytest.approx(14 / 2)  # all sums over the 2 examples
    assert any(line.startswith("NLL (nats): tag 0.3750 per token") for line in stats.lines())
    assert "tag_nll" not in EditDiagnostics(3, 10).summary()  # only when add_nll was called
