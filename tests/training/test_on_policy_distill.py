"""On-policy distillation on a tiny T5 (eagerly: no XLA compilation): λ = 0 is supervised
distillation exactly; the sampled rows are the student's own samples from the run's seed, scored
by τ² KL(p_T || p_S) against an independent numpy computation; the reference rows keep the
distill mix; the sample counter advances after each update."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from rl_tiny_models import RL_TINY_CONFIG, prompts_and_references

from textedit.decoding.response_samples import sample_responses
from textedit.models.t5.t5_encoder_decoder import T5EncoderDecoder
from textedit.objectives.distill import distill_objective
from textedit.training.on_policy_distill import mix_in_samples, on_policy_distill_objective

START = RL_TINY_CONFIG.decoder_start_id
ALPHA, TAU = 0.3, 2.0


def student_and_teacher():
    keras.utils.set_random_seed(0)
    student = T5EncoderDecoder(RL_TINY_CONFIG)
    keras.utils.set_random_seed(1)
    return student, T5EncoderDecoder(RL_TINY_CONFIG)


def batch_of(rows=4):
    prompts, targets = prompts_and_references(rows)
    inputs = tf.concat([tf.fill([rows, 1], START), targets[:, :-1]], axis=1)
    return {"encoder_input_tokens": prompts, "decoder_input_tokens": inputs,
            "decoder_target_tokens": targets,
            "decoder_loss_weights": tf.ones(targets.shape, tf.float32)}


def log_softmax(x):
    x = x.astype(np.float64)
    return x - np.log(np.exp(x - x.max(-1, keepdims=True)).sum(-1, keepdims=True)) - x.max(
        -1, keepdims=True)


def logits(model, prompts, inputs):
    return model({"encoder_input_tokens": prompts, "decoder_input_tokens": inputs},
                 training=False).numpy()


def kl_and_ce(student, teacher, prompts, inputs, targets):
    """Per position KL(p_T || p_S) at τ and ce at τ = 1, numpy float64 [b, t]."""
    s, t = logits(student, prompts, inputs), logits(teacher, prompts, inputs)
    log_s, log_t = log_softmax(s / TAU), log_softmax(t / TAU)
    kl = (np.exp(log_t) * (log_t - log_s)).sum(-1)
    ce = -np.take_along_axis(log_softmax(s), targets[..., None], -1)[..., 0]
    return kl, ce


def evaluate(objective, student, batch):
    out = objective.loss_fn(objective.forward(student, batch, False), batch)
    return float(out.loss_sum), float(out.normalizer), out


def test_no_sampled_rows_is_supervised_distillation():
    student, teacher = student_and_teacher()
    batch = batch_of()
    on_policy = on_policy_distill_objective(teacher, on_policy_fraction=0.0, kl_weight=ALPHA,
                                            temperature=TAU, z_loss=0.0)
    supervised = distill_objective(teacher, kl_weight=ALPHA, temperature=TAU, z_loss=0.0)
    loss, norm, _ = evaluate(on_policy, student, batch)
    expected_loss, expected_norm, _ = evaluate(supervised, student, batch)
    assert norm == expected_norm == 16.0
    assert loss == pytest.approx(expected_loss, rel=1e-5)


def test_mixed_batch_matches_a_hand_computation_on_the_students_own_samples():
    student, teacher = student_and_teacher()
    batch = batch_of()
    objective = on_policy_distill_objective(teacher, on_policy_fraction=0.5, kl_weight=ALPHA,
                                            temperature=TAU, z_loss=0.0, seed=5)
    loss, norm, out = evaluate(objective, student, batch)

    samples = sample_responses(student, batch["encoder_input_tokens"][:2], 4,
                               tf.constant([5, 0], tf.int32)).numpy()
    sample_weights = np.cumsum(samples == 1, axis=1) - (samples == 1) == 0  # up to the EOS
    inputs = np.concatenate([np.full([2, 1], START), samples[:, :-1]], axis=1)
    inputs = np.concatenate([inputs, batch["decoder_input_tokens"].numpy()[2:]], axis=0)
    targets = np.concatenate([samples, batch["decoder_target_tokens"].numpy()[2:]], axis=0)
    weights = np.concatenate([sample_weights, np.ones([2, 4], bool)], axis=0).astype(np.float64)
    kl, ce = kl_and_ce(student, teacher, batch["encoder_input_tokens"].numpy(), inputs, targets)
    expected = (TAU**2 * (kl[:2] * weights[:2]).sum()
                + ((1 - ALPHA) * ce[2:] + ALPHA * TAU**2 * kl[2:]).sum())
    assert norm == pytest.approx(weights.sum())
    assert loss == pytest.approx(expected, rel=1e-4)
    sampled_kl, sampled_count = out.metrics["on_policy_kl"]
    assert float(sampled_kl) == pytest.approx((kl[:2] * weights[:2]).sum(), rel=1e-4)
    assert float(sampled_count) == pytest.approx(weights[:2].sum())
    assert float(out.metrics["cross_entropy"][1]) == 8.0  # the two reference rows only


def test_gradient_reaches_the_student_only_and_samples_follow_the_step():
    student, teacher = student_and_teacher()
    teacher_weights = [w.copy() for w in teacher.get_weights()]
    batch = batch_of()
    objective = on_policy_distill_objective(teacher, on_policy_fraction=1.0, seed=3)
    with tf.GradientTape() as tape:
        first = objective.forward(student, batch, True)
        out = objective.loss_fn(first, batch)
    grads = tape.gradient(out.loss_sum, student.trainable_variables)
    assert all(g is not None for g in grads) and any(
        np.abs(tf.convert_to_tensor(g).numpy()).max() > 0 for g in grads)
    assert not teacher.trainable and all(
        np.array_equal(a, b) for a, b in zip(teacher_weights, teacher.get_weights(), strict=True))
    assert float(out.metrics["cross_entropy"][1]) == 0.0  # every row sampled: no reference

    objective.after_update_fn(student)
    assert int(objective.state["distill_sample_step"][0].numpy()) == 1
    expected = sample_responses(student, batch["encoder_input_tokens"], 4,
                                tf.constant([3, 1], tf.int32)).numpy()
    np.testing.assert_array_equal(objective.forward(student, batch, False)["targets"].numpy(),
                                  expected)


def test_mix_in_samples_cuts_weights_after_eos():
    batch = batch_of()
    samples = tf.constant([[5, 1, 7, 9], [6, 8, 4, 2]], tf.int32)  # EOS (1) only in row 0
    inputs, targets, weights, is_sampled = mix_in_samples(batch, samples, START)
    np.testing.assert_array_equal(inputs.numpy()[:2], [[START, 5, 1, 7], [START, 6, 8, 4]])
    np.testing.assert_array_equal(targets.numpy()[2:], batch["decoder_target_tokens"].numpy()[2:])
    np.testing.assert_array_equal(weights.numpy()[:2], [[1, 1, 0, 0], [1, 1, 1, 1]])
    np.testing.assert_array_equal(is_sampled.numpy()[:, 0], [1, 1, 0, 0])


@pytest.mark.parametrize("kwargs", [{"on_policy_fraction": 1.5}, {"sample_temperature": 0.0},
                                    {"kl_weight": -0.1}])
def test_bad_settings_are_refused(kwargs):
    _, teacher = student_and_teacher()
    with pytest.raises(ValueError):
        on_policy_distill_objective(teacher, **kwargs)
