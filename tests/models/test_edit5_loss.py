"""edit5_loss: masks (padding, deleted pointer rows, decoder weights), reductions, lambdas."""

import numpy as np
import pytest
from edit5_cases import VOCAB, features

from textedit.objectives.edit5_loss import edit5_loss


def batch():
    return features()


def random_outputs(seed=0):
    rng = np.random.default_rng(seed)
    return {"tag_logits": rng.normal(size=(2, 8, 2)).astype(np.float32),
            "pointer_logits": rng.normal(size=(2, 8, 8)).astype(np.float32),
            "insertion_logits": rng.normal(size=(2, 8, VOCAB)).astype(np.float32)}


def perfect_outputs(b):
    def one_hot(targets, classes):
        return np.where(np.eye(classes, dtype=bool)[targets], 30.0, -30.0).astype(np.float32)
    return {"tag_logits": one_hot(b["tags"], 2), "pointer_logits": one_hot(b["pointers"], 8),
            "insertion_logits": one_hot(b["decoder_target_tokens"], VOCAB)}


def numbers(parts):
    return {name: float(value) for name, value in parts.items()}


def test_perfect_predictions_cost_nothing():
    total, parts = edit5_loss(perfect_outputs(batch()), batch())
    assert float(total) == pytest.approx(0.0, abs=1e-6)
    assert numbers(parts)["tag_accuracy"] == numbers(parts)["pointer_accuracy"] == 1.0


def test_counts_follow_the_masks():
    _, parts = edit5_loss(random_outputs(), batch())
    parts = numbers(parts)
    assert parts["tag_count"] == 5 + 3  # unpadded positions, START included
    assert parts["pointer_count"] == 4 + 1  # kept rows incl. START: 3 + START, START alone
    assert parts["insertion_count"] == 6 + 3  # decoder_loss_weights
    assert parts["num_examples"] == 2


def test_padding_deleted_rows_and_unweighted_tokens_do_not_count():
    b, outputs = batch(), random_outputs()
    reference = numbers(edit5_loss(outputs, b)[1])
    changed = {name: value.copy() for name, value in outputs.items()}
    changed["tag_logits"][0, 5:] = 50.0  # padding
    changed["pointer_logits"][0, 0] = -50.0  # a deleted row
    changed["pointer_logits"][1, :2] = 50.0  # deleted rows of the second example
    changed["pointer_logits"][:, 6:] = 7.0  # padding rows
    changed["insertion_logits"][1, 3:] = 9.0  # unweighted decoder positions
    assert numbers(edit5_loss(changed, b)[1]) == pytest.approx(reference)
    changed["pointer_logits"][0, 1, 2] += 5.0  # a kept row does count
    assert numbers(edit5_loss(changed, b)[1])["pointer"] != pytest.approx(reference["pointer"])


def test_reductions_and_lambdas():
    b, outputs = batch(), random_outputs(1)
    _, parts = edit5_loss(outputs, b, reduction="mean")
    parts = numbers(parts)
    for part in ("tag", "pointer", "insertion"):
        assert parts[part] == pytest.approx(parts[f"{part}_sum"] / parts[f"{part}_count"])
    _, summed = edit5_loss(outputs, b, reduction="sum")
    for part in ("tag", "pointer", "insertion"):
        assert float(summed[part]) == pytest.approx(parts[f"{part}_sum"] / 2)
    total, mixed = edit5_loss(outputs, b, lambdas={"tag": 2.0, "pointer": 0.5, "insertion": 0.0},
                              reduction={"tag": "sum", "pointer": "sum"})
    expected = 2.0 * parts["tag_sum"] / 2 + 0.5 * parts["pointer_sum"] / 2
    assert float(total) == pytest.approx(expected, rel=1e-5)
    assert float(edit5_loss(outputs, b, lambdas=(1.0, 0.0, 0.0))[0]) == pytest.approx(parts["tag"])
    assert float(mixed["insertion"]) == pytest.approx(parts["insertion"])
    with pytest.raises(ValueError, match="unknown parts"):
        edit5_loss(outputs, b, lambdas={"tags": 1.0})
    with pytest.raises(ValueError, match="loss_reduction"):
        edit5_loss(outputs, b, reduction="max")


def test_pointer_rows_are_renormalised():
    b, outputs = batch(), random_outputs(2)
    shifted = dict(outputs, pointer_logits=outputs["pointer_logits"] + 3.0)
    assert float(edit5_loss(shifted, b)[0]) == pytest.approx(float(edit5_loss(outputs, b)[0]))
