"""EdiT5 teacher -> EdiT5 student (textedit/objectives/edit5_edit_distill.py): α = 0 is
edit5_loss to the bit, each part's KL and mixed loss equal a numpy computation over exactly the
counted positions, and no gradient reaches the frozen teacher."""

import dataclasses

import keras
import numpy as np
import pytest
import tensorflow as tf
from rl_tiny_models import RL_TINY_CONFIG
from test_edit5_distill import as_arrays, batch

from textedit.models import Edit5Config, Edit5Model
from textedit.objectives.edit5_edit_distill import (
    edit5_edit_distill_loss,
    edit5_edit_distill_objective,
)
from textedit.objectives.edit5_loss import edit5_loss

VOCAB = RL_TINY_CONFIG.vocab_size


def random_outputs(seed):
    """Random tag [2, 8, 2], pointer [2, 8, 8] and insertion [2, 8, V] logits; the pointer's
    masked entries as the model writes them (sinkhorn.MASKED) where the batch's row is padding."""
    rng = np.random.default_rng(seed)
    pointer = rng.normal(size=(2, 8, 8)).astype(np.float32)
    pointer[0, :, 5:] = -1e9
    return {"tag_logits": rng.normal(size=(2, 8, 2)).astype(np.float32),
            "pointer_logits": pointer,
            "insertion_logits": 2 * rng.normal(size=(2, 8, VOCAB)).astype(np.float32)}


def log_softmax(x):
    x = x.astype(np.float64)
    shifted = x - x.max(-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_alpha_zero_is_the_plain_edit5_loss_exactly(reduction):
    b = as_arrays(batch())
    student, teacher = random_outputs(0), random_outputs(1)
    lambdas = {"tag": 0.5, "pointer": 2.0, "insertion": 1.5}
    plain, _ = edit5_loss(student, b, lambdas, reduction)
    total, parts = edit5_edit_distill_loss(student, teacher, b, kl_weight=0.0, temperature=2.0,
                                           lambdas=lambdas, reduction=reduction)
    assert float(total) == float(plain)  # to the bit
    assert all(float(parts[f"{part}_kl_sum"]) > 0 for part in ("tag", "pointer", "insertion"))


def test_each_parts_kl_and_mixed_loss_equal_numpy():
    b = as_arrays(batch())
    student, teacher = random_outputs(2), random_outputs(3)
    alpha, tau = 0.3, 2.0
    lambdas = {"tag": 1.0, "pointer": 2.0, "insertion": 0.5}
    total, parts = edit5_edit_distill_loss(student, teacher, b, kl_weight=alpha,
                                           temperature=tau, lambdas=lambdas)
    kept = (b["encoder_mask"] == 1) & (b["tags"] == 1)
    cases = {  # part: (logits name, gold labels, counted positions)
        "tag": ("tag_logits", b["tags"], b["encoder_mask"] == 1),
        "pointer": ("pointer_logits", b["pointers"], kept),
        "insertion": ("insertion_logits", b["decoder_target_tokens"],
                      b["decoder_loss_weights"] == 1)}
    expected_total = 0.0
    for part, (name, labels, counted) in cases.items():
        kl_sum = mixed = 0.0
        for row, i in zip(*np.nonzero(counted), strict=True):
            ce = -log_softmax(student[name][row, i])[labels[row, i]]
            log_t = log_softmax(teacher[name][row, i] / tau)
            kl = np.sum(np.exp(log_t) * (log_t - log_softmax(student[name][row, i] / tau)))
            kl_sum += kl
            mixed += (1 - alpha) * ce + alpha * tau**2 * kl
        count = counted.sum()
        assert float(parts[f"{part}_count"]) == count
        assert float(parts[f"{part}_kl_sum"]) == pytest.approx(kl_sum, rel=1e-5)
        assert float(parts[f"distill_{part}"]) == pytest.approx(mixed / count, rel=1e-5)
        expected_total += lambdas[part] * mixed / count
    assert float(total) == pytest.approx(expected_total, rel=1e-5)
    assert [int(kept.sum()), int(b["encoder_mask"].sum()), int(b["decoder_loss_weights"].sum())
            ] == [5, 8, 9]  # kept rows, tagged positions, decoder tokens of the two rows
    # Positions nobody counts (deleted pointer rows, padding) do not reach the KL.
    changed = {name: value.copy() for name, value in teacher.items()}
    changed["pointer_logits"][0, 1] += 4.0  # "A" is deleted: its row is not a pointer row
    changed["tag_logits"][:, 6:] -= 3.0
    changed["insertion_logits"][1, 4:] += 2.0
    _, same = edit5_edit_distill_loss(student, changed, b, kl_weight=alpha, temperature=tau)
    for part in cases:
        assert float(same[f"{part}_kl_sum"]) == pytest.approx(float(parts[f"{part}_kl_sum"]),
                                                              rel=1e-6)


def test_a_student_equal_to_its_teacher_has_no_kl():
    b = as_arrays(batch())
    outputs = random_outputs(4)
    _, parts = edit5_edit_distill_loss(outputs, outputs, b, kl_weight=0.5, temperature=1.0)
    for part in ("tag", "pointer", "insertion"):
        assert abs(float(parts[f"{part}_kl_sum"])) < 1e-5
        assert float(parts[f"teacher_{part}_sum"]) == float(parts[f"{part}_sum"])


def test_shapes_that_differ_are_refused():
    b = as_arrays(batch())
    student, teacher = random_outputs(0), random_outputs(1)
    teacher["insertion_logits"] = teacher["insertion_logits"][..., :20]
    with pytest.raises(ValueError, match="one vocabulary"):
        edit5_edit_distill_loss(student, teacher, b, kl_weight=0.5, temperature=1.0)


def tiny_edit5(d_model):
    t5 = dataclasses.replace(RL_TINY_CONFIG, d_model=d_model, num_decoder_layers=1)
    return Edit5Model(Edit5Config(t5=t5, max_input_length=8, num_position_tokens=8,
                                  position_logits=True, position_inputs=True))


def test_a_larger_teacher_gets_no_gradient_and_the_student_does():
    keras.utils.set_random_seed(0)
    teacher, student = tiny_edit5(32), tiny_edit5(16)
    objective = edit5_edit_distill_objective(teacher, kl_weight=0.5, temperature=2.0)
    b = {name: tf.constant(value) for name, value in as_arrays(batch()).items()}
    objective.forward(teacher, b, False)  # builds the teacher before it is frozen below
    assert teacher.trainable_weights == []
    teacher_variables = [v.value for v in teacher.non_trainable_weights]
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(teacher_variables)
        out = objective.loss_fn(objective.forward(student, b, True), b,
                                objective.normalizers_fn(b))
    teacher_grads = tape.gradient(out.loss_sum, teacher_variables)
    assert teacher_grads and all(g is None for g in teacher_grads)
    student_grads = tape.gradient(out.loss_sum, student.trainable_weights)
    for head in ("tagger", "pointer", "decoder"):
        grads = [g for g, v in zip(student_grads, student.trainable_weights, strict=True)
                 if head in v.path]
        assert grads and any(g is not None and float(tf.reduce_sum(tf.abs(g))) > 0
                             for g in grads), head
    for part in ("tag", "pointer", "insertion"):
        kl, count = (float(x) for x in out.metrics[f"{part}_kl"])
        assert kl > 0 and count == {"tag": 8, "pointer": 5, "insertion": 9}[part]
