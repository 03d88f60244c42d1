"""EdiT5 student, seq2seq teacher (textedit/objectives/edit5_distill.py): α = 0 is edit5_loss to
the bit, the KL and the mixed insertion loss equal a numpy computation, the teacher's logits are
read at the right target positions, and no gradient reaches the frozen teacher."""

import dataclasses

import keras
import numpy as np
import pytest
import tensorflow as tf
from rl_tiny_models import RL_TINY_CONFIG

from textedit.models import Edit5Config, Edit5Model, T5EncoderDecoder
from textedit.objectives.edit5_distill import (
    edit5_distill_loss,
    edit5_distill_objective,
    teacher_logits_at_insertions,
)
from textedit.objectives.edit5_loss import edit5_loss

VOCAB = RL_TINY_CONFIG.vocab_size  # 24: <pos_k> = 3 .. 10, content ids 11 .. 23, EOS 1
POS = 3  # id of <pos_0>
A, LONG, USER, QUERY, THE, IS, VERY, NEW = 11, 12, 13, 14, 15, 16, 17, 18


def batch():
    """The paper example ("A long user query" -> "The user query is very long") and a row that
    keeps nothing and inserts one piece, as EditFeatureConverter(teacher_features=True) pads them
    (L = 8, T = 8, Tt = 8)."""
    targets = [[THE, USER, QUERY, IS, VERY, LONG, 1, 0], [NEW, 1, 0, 0, 0, 0, 0, 0]]
    return {
        "encoder_input_tokens": [[A, LONG, USER, QUERY, 1, 0, 0, 0], [A, USER, 1, 0, 0, 0, 0, 0]],
        "encoder_mask": [[1, 1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 0, 0, 0, 0, 0]],
        "tags": [[0, 1, 1, 1, 1, 0, 0, 0], [0, 0, 1, 0, 0, 0, 0, 0]],
        "pointers": [[0, 4, 3, 1, 2, 5, 6, 7], [0, 1, 2, 3, 4, 5, 6, 7]],
        "decoder_target_tokens": [[POS, THE, POS + 2, IS, VERY, 1, 0, 0],
                                  [POS, NEW, 1, 0, 0, 0, 0, 0]],
        "decoder_input_tokens": [[0, POS, THE, POS + 2, IS, VERY, 1, 0],
                                 [0, POS, NEW, 1, 0, 0, 0, 0]],
        "decoder_loss_weights": [[1, 1, 1, 1, 1, 1, 0, 0], [1, 1, 1, 0, 0, 0, 0, 0]],
        "decoder_target_positions": [[-1, 0, -1, 3, 4, -1, -1, -1],
                                     [-1, 0, -1, -1, -1, -1, -1, -1]],
        "teacher_decoder_target_tokens": targets,
        "teacher_decoder_input_tokens": [[0, *row[:-1]] for row in targets],
    }


def as_arrays(features):
    return {name: np.asarray(value, np.int32) for name, value in features.items()}


def random_outputs(seed=0):
    rng = np.random.default_rng(seed)
    return ({"tag_logits": rng.normal(size=(2, 8, 2)).astype(np.float32),
             "pointer_logits": rng.normal(size=(2, 8, 8)).astype(np.float32),
             "insertion_logits": 2 * rng.normal(size=(2, 8, VOCAB)).astype(np.float32)},
            2 * rng.normal(size=(2, 8, VOCAB)).astype(np.float32))


def test_content_positions_match_the_teachers_targets():
    b = as_arrays(batch())
    for row in range(2):
        for i, j in enumerate(b["decoder_target_positions"][row]):
            if j >= 0 and b["decoder_loss_weights"][row, i]:
                assert b["teacher_decoder_target_tokens"][row, j] == b["decoder_target_tokens"][
                    row, i]
    _, teacher = random_outputs()
    gathered = np.asarray(teacher_logits_at_insertions(teacher, b["decoder_target_positions"]))
    assert np.array_equal(gathered[0, 3], teacher[0, 3]) and np.array_equal(gathered[0, 4],
                                                                            teacher[0, 4])
    assert np.array_equal(gathered[1, 1], teacher[1, 0])


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_alpha_zero_is_the_plain_edit5_loss_exactly(reduction):
    b = as_arrays(batch())
    outputs, teacher = random_outputs(1)
    lambdas = {"tag": 0.5, "pointer": 2.0, "insertion": 1.5}
    plain, plain_parts = edit5_loss(outputs, b, lambdas, reduction)
    total, parts = edit5_distill_loss(outputs, teacher, b, kl_weight=0.0, temperature=2.0,
                                      lambdas=lambdas, reduction=reduction)
    assert float(total) == float(plain)  # to the bit
    assert float(parts["distill_insertion"]) == float(plain_parts["insertion"])
    assert float(parts["kl_sum"]) > 0  # the KL is there, only weighted 0


def _numpy_log_softmax(x):
    x = x.astype(np.float64)
    return x - np.log(np.exp(x - x.max(-1, keepdims=True)).sum(-1, keepdims=True)) - x.max(
        -1, keepdims=True)


def test_kl_and_mixed_insertion_loss_equal_numpy():
    b = as_arrays(batch())
    outputs, teacher = random_outputs(2)
    alpha, tau = 0.3, 2.0
    _, parts = edit5_distill_loss(outputs, teacher, b, kl_weight=alpha, temperature=tau)
    student = outputs["insertion_logits"]
    kl_sum = ce_content = 0.0
    mixed = 0.0
    for row in range(2):
        for i in range(8):
            if not b["decoder_loss_weights"][row, i]:
                continue
            ce = -_numpy_log_softmax(student[row, i])[b["decoder_target_tokens"][row, i]]
            j = b["decoder_target_positions"][row, i]
            if j < 0:  # <pos_k> or EOS: cross-entropy alone
                mixed += ce
                continue
            log_p_teacher = _numpy_log_softmax(teacher[row, j] / tau)
            kl = np.sum(np.exp(log_p_teacher) * (log_p_teacher
                                                  - _numpy_log_softmax(student[row, i] / tau)))
            kl_sum += kl
            ce_content += ce
            mixed += (1 - alpha) * ce + alpha * tau**2 * kl
    assert float(parts["content_count"]) == 4  # The, is, very; new
    assert float(parts["kl_sum"]) == pytest.approx(kl_sum, rel=1e-5)
    assert float(parts["content_cross_entropy_sum"]) == pytest.approx(ce_content, rel=1e-5)
    assert float(parts["distill_insertion"]) == pytest.approx(mixed / 9, rel=1e-5)  # 9 tokens
    # Padding and <pos_k> positions do not reach the KL: changing the teacher there changes
    # nothing; its row 1 (the piece "user", kept, not inserted) is read by no position.
    changed = teacher.copy()
    changed[0, 1] += 5.0
    changed[:, 6:] -= 3.0
    _, same = edit5_distill_loss(outputs, changed, b, kl_weight=alpha, temperature=tau)
    assert float(same["kl_sum"]) == pytest.approx(float(parts["kl_sum"]), rel=1e-6)


def test_settings_and_vocabulary_are_checked():
    b = as_arrays(batch())
    outputs, teacher = random_outputs()
    with pytest.raises(ValueError, match="one vocabulary"):
        edit5_distill_loss(outputs, teacher[..., :20], b, kl_weight=0.5, temperature=1.0)
    with pytest.raises(ValueError, match="kl_weight"):
        edit5_distill_objective(T5EncoderDecoder(RL_TINY_CONFIG), kl_weight=-0.1)


def tiny_models():
    keras.utils.set_random_seed(0)
    teacher = T5EncoderDecoder(RL_TINY_CONFIG)
    student = Edit5Model(Edit5Config(t5=dataclasses.replace(RL_TINY_CONFIG, num_decoder_layers=1),
                                     max_input_length=8, num_position_tokens=8))
    return teacher, student


def test_teacher_gets_no_gradient_and_the_student_does():
    teacher, student = tiny_models()
    objective = edit5_distill_objective(teacher, kl_weight=0.5, temperature=2.0)
    assert teacher.trainable_weights == []  # frozen
    assert {"teacher_decoder_input_tokens", "decoder_target_positions"} <= set(
        objective.features)
    b = {name: tf.constant(value) for name, value in as_arrays(batch()).items()}
    teacher_variables = [v.value for v in teacher.non_trainable_weights]
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(teacher_variables)
        out = objective.loss_fn(objective.forward(student, b, True), b,
                                objective.normalizers_fn(b))
    student_grads = tape.gradient(out.loss_sum, student.trainable_weights)
    teacher_grads = tape.gradient(out.loss_sum, teacher_variables)
    assert teacher_grads and all(g is None for g in teacher_grads)  # stopped
    decoder_grads = [g for g, v in zip(student_grads, student.trainable_weights, strict=True)
                     if "decoder" in v.path]
    assert decoder_grads and all(g is not None for g in decoder_grads)
    kl, content = (float(x) for x in out.metrics["kl"])
    assert kl > 0 and content == 4
    # The objective's loss is the pure function's, with the batch's own normalisers.
    student_outputs, teacher_logits = objective.forward(student, b, False)
    total, _ = edit5_distill_loss(student_outputs, teacher_logits, b, kl_weight=0.5,
                                  temperature=2.0)
    assert float(objective.loss_fn((student_outputs, teacher_logits), b,
                                   objective.normalizers_fn(b)).loss_sum) == pytest.approx(
                                       float(total), rel=1e-6)
