"""The distillation objective against a hand computation; its limits (α = 0 is cross-entropy,
a teacher equal to the student costs no KL); one compiled train step with a frozen teacher."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from textedit.models import Gemma2Config, Gemma2DecoderOnly
from textedit.objectives.decoder_only import DECODER_ONLY_MODEL_FEATURES, decoder_only_objective
from textedit.objectives.distill import distill_objective, distill_sums
from textedit.objectives.seq2seq import seq2seq_cross_entropy


def test_kl_and_mixture_equal_a_hand_computation():
    # One position, vocabulary 3, temperature 2: teacher logits (2, 0, 0) -> scaled (1, 0, 0).
    teacher = np.array([[[2.0, 0.0, 0.0]]], np.float32)
    student = np.array([[[0.0, 2.0, 0.0]]], np.float32)
    e = np.e
    p_teacher = np.array([e, 1, 1]) / (e + 2)
    p_student = np.array([1, e, 1]) / (e + 2)
    kl = np.sum(p_teacher * np.log(p_teacher / p_student))  # = (e - 1) / (e + 2)
    assert kl == pytest.approx((e - 1) / (e + 2))
    ce = -np.log(np.exp(0.0) / (np.exp(2.0) + 2))  # target 0 under the student at τ = 1
    sums = distill_sums(student, teacher, np.array([[0]]), np.ones((1, 1)), kl_weight=0.25,
                        temperature=2.0)
    assert float(sums.kl) == pytest.approx(kl, rel=1e-5)
    assert float(sums.cross_entropy) == pytest.approx(ce, rel=1e-5)
    assert float(sums.loss) == pytest.approx(0.75 * ce + 0.25 * 4.0 * kl, rel=1e-5)
    assert float(sums.teacher_cross_entropy) == pytest.approx(np.log(np.exp(2.0) + 2) - 2.0,
                                                              rel=1e-5)


def test_weights_limits_and_vocabulary_check():
    rng = np.random.default_rng(0)
    student = rng.normal(size=(2, 4, 7)).astype(np.float32) * 2
    teacher = rng.normal(size=(2, 4, 7)).astype(np.float32) * 2
    targets = rng.integers(0, 7, size=(2, 4))
    weights = np.array([[1, 1, 0, 0], [0, 1, 1, 1]], np.float32)
    pure_ce = distill_sums(student, teacher, targets, weights, kl_weight=0.0, z_loss=1e-3)
    plain = seq2seq_cross_entropy(student, targets, weights, z_loss=1e-3)
    assert float(pure_ce.loss) == pytest.approx(float(plain.loss), rel=1e-6)
    same = distill_sums(student, student, targets, weights, kl_weight=1.0, temperature=3.0)
    assert abs(float(same.kl)) < 1e-5 and abs(float(same.loss)) < 1e-4
    # Padding (weight 0) positions do not count: changing their teacher changes nothing.
    changed = teacher.copy()
    changed[0, 2:] += 5.0
    a = distill_sums(student, teacher, targets, weights, kl_weight=1.0)
    b = distill_sums(student, changed, targets, weights, kl_weight=1.0)
    assert float(a.kl) == pytest.approx(float(b.kl), rel=1e-6) and float(a.kl) > 0
    with pytest.raises(ValueError, match="one vocabulary"):
        distill_sums(student, teacher[..., :5], targets, weights)
    with pytest.raises(ValueError, match="kl_weight"):
        distill_objective(Gemma2DecoderOnly(Gemma2Config.named("tiny", vocab_size=7)),
                          kl_weight=1.5)


def _decoder_only_batch(vocab):
    rng = np.random.default_rng(1)
    targets = rng.integers(2, vocab, size=(4, 10)).astype(np.int32)
    inputs = np.concatenate([np.zeros((4, 1), np.int32), targets[:, :-1]], axis=1)
    weights = np.concatenate([np.zeros((4, 4)), np.ones((4, 6))], axis=1).astype(np.float32)
    return {"decoder_input_tokens": inputs, "decoder_target_tokens": targets,
            "decoder_loss_weights": weights}


def test_teacher_gets_no_gradient_and_the_student_does():
    keras.utils.set_random_seed(0)
    teacher = Gemma2DecoderOnly(Gemma2Config.named("tiny", vocab_size=24, num_layers=2))
    student = Gemma2DecoderOnly(Gemma2Config.named("tiny", vocab_size=24, num_layers=1))
    objective = distill_objective(teacher, kl_weight=1.0,
                                  model_features=DECODER_ONLY_MODEL_FEATURES)
    assert teacher.trainable_weights == []  # frozen
    batch = _decoder_only_batch(24)
    teacher_variables = teacher.non_trainable_weights
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([v.value for v in teacher_variables])
        out = objective.loss_fn(objective.forward(student, batch, True), batch)
    student_grads = tape.gradient(out.loss_sum, student.trainable_weights)
    teacher_grads = tape.gradient(out.loss_sum, [v.value for v in teacher_variables])
    assert all(g is not None for g in student_grads)
    assert all(g is None for g in teacher_grads)  # stopped: the teacher is not trained
    assert float(out.metrics["kl"]) > 0


@pytest.mark.slow  # compiles a train step of two models with XLA (~30 s on one core)
def test_train_step_with_a_frozen_larger_teacher():
    from textedit.training.train_step import TrainStep

    keras.utils.set_random_seed(0)
    teacher = Gemma2DecoderOnly(Gemma2Config.named("tiny", vocab_size=24, num_layers=4))
    student = Gemma2DecoderOnly(Gemma2Config.named("tiny", vocab_size=24, num_layers=1))
    before = [v.numpy() for v in teacher.trainable_weights + teacher.non_trainable_weights]
    objective = distill_objective(teacher, kl_weight=0.5, temperature=2.0,
                                  model_features=DECODER_ONLY_MODEL_FEATURES)
    assert objective.features == ("decoder_input_tokens", "decoder_target_tokens",
                                  "decoder_loss_weights")
    batch = {k: tf.constant(v) for k, v in _decoder_only_batch(24).items()}
    optimizer = keras.optimizers.Adam(1e-2)
    step = TrainStep(student, objective, optimizer, tf.distribute.get_strategy())
    first = step(batch)
    for _ in range(5):
        last = step(batch)
    assert float(last["loss"]) < float(first["loss"])
    assert float(first["kl"]) > 0 and float(first["teacher_cross_entropy"]) > 0
    after = teacher.trainable_weights + teacher.non_trainable_weights
    assert all(np.array_equal(a, b.numpy()) for a, b in zip(before, after, strict=True))


def test_decoder_only_objective_reads_decoder_inputs_only():
    objective = decoder_only_objective(z_loss=0.0)
    assert objective.model_features == ("decoder_input_tokens",)
    model = Gemma2DecoderOnly(Gemma2Config.named("tiny", vocab_size=24))
    batch = _decoder_only_batch(24)
    out = objective.loss_fn(objective.forward(model, batch, False), batch)
    assert float(out.normalizer) == 24  # completion tokens only (6 of 10 per row)
    assert 0 < float(out.loss_sum) / 24 < 2 * np.log(24)
