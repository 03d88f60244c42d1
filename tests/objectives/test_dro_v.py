"""DRO-V: its losses on a known case, and its gradients on a tiny policy + value model against
finite differences of the squared residual it minimises (docs/algorithms.md#dro)."""

import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from textedit.models.reward import PolicyWithValue, T5ScalarModel
from textedit.models.t5.t5_config import T5Config
from textedit.models.t5.t5_encoder_decoder import T5EncoderDecoder
from textedit.objectives.dro import dro_v_losses, dro_v_objective
from textedit.objectives.sequence_log_prob import batch_log_probs
from textedit.objectives.single_trajectory import reference_log_probs

TAU = 0.5


def test_dro_v_losses_known_case():
    log_pi, log_ref = tf.constant([-2.0, -1.0]), tf.constant([-1.0, -1.0])
    value, reward = tf.constant([0.5, 0.0]), tf.constant([1.0, -1.0])
    policy, value_loss = dro_v_losses(log_pi, log_ref, value, reward, TAU)
    # ρ = [-1, 0]: policy = 2·0.5 + 0.25·1 and 1·(-1) + 0; value = ½(1 - 0.5 + 0.5)², ½(-1)².
    np.testing.assert_allclose(ops.convert_to_numpy(policy), [1.25, -1.0], rtol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(value_loss), [0.5, 0.5], rtol=1e-6)
    with pytest.raises(ValueError, match="tau=0"):
        dro_v_losses(log_pi, log_ref, value, reward, 0)


def tiny_batch():
    rng = np.random.default_rng(0)
    targets = rng.integers(2, 40, size=(3, 4)).astype(np.int32)
    weights = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [1, 1, 1, 0]], np.float32)
    targets = (targets * weights).astype(np.int32)
    return {"encoder_input_tokens": tf.constant(rng.integers(2, 40, size=(3, 5)), tf.int32),
            "decoder_input_tokens": tf.constant(np.pad(targets[:, :-1], ((0, 0), (1, 0)))),
            "decoder_target_tokens": tf.constant(targets),
            "decoder_loss_weights": tf.constant(weights),
            "reward": tf.constant([1.0, -1.0, 1.0])}


@pytest.mark.slow  # ~10 s on the shared 2-core machine: four eager passes of two models
def test_dro_v_gradients_match_finite_differences():
    config = T5Config.named("tiny", vocab_size=40, dropout_rate=0.0, d_model=16, d_ff=16,
                             num_heads=2, num_encoder_layers=1, num_decoder_layers=1)
    model = PolicyWithValue(T5EncoderDecoder(config), T5ScalarModel(config))
    reference = T5EncoderDecoder(config)
    # A non-zero value head, so V(x) varies with φ beyond its bias.
    head = model.value.score_head.kernel
    head.assign(tf.random.stateless_normal(head.shape, seed=(1, 2)) * 0.5)
    batch = tiny_batch()
    objective = dro_v_objective(reference, tau=TAU)
    log_ref = reference_log_probs(reference, batch)
    reward = batch["reward"]

    def residual_square():
        # J = Σ ½ (r − V(x) − τ ρ)², the square DRO fits; float64 for the differences.
        logits, value = model(batch)
        rho = batch_log_probs(logits, batch) - log_ref
        res = tf.cast(reward - value - TAU * rho, tf.float64)
        return float(tf.reduce_sum(0.5 * tf.square(res)))

    with tf.GradientTape() as tape:
        loss = objective.loss_fn(objective.forward(model, batch, False), batch).loss_sum
    policy_vars = model.policy.trainable_variables
    value_vars = model.value.trainable_variables
    grads = tape.gradient(loss, policy_vars + value_vars)
    rng = np.random.default_rng(3)
    directions = [rng.standard_normal(v.shape).astype(np.float32) for v in policy_vars + value_vars]
    n = len(policy_vars)
    # Unit directions within θ and within φ, so that eps is a small step in parameter space.
    for part in (slice(0, n), slice(n, None)):
        norm = np.sqrt(sum(np.sum(d**2) for d in directions[part]))
        directions[part] = [d / norm for d in directions[part]]
    eps = 1e-2

    def directional(variables, dirs):
        saved = [v.numpy() for v in variables]
        values = []
        for sign in (1.0, -1.0):
            for v, d, s in zip(variables, dirs, saved, strict=True):
                v.assign(s + sign * eps * d)
            values.append(residual_square())
        for v, s in zip(variables, saved, strict=True):
            v.assign(s)
        return (values[0] - values[1]) / (2 * eps)

    def analytic(grads_part, dirs):
        return sum(float(np.sum(ops.convert_to_numpy(g) * d)) for g, d in zip(grads_part, dirs,
                                                                                strict=True))

    # In θ: ∇ policy loss = −(r − V − τρ)∇log π = (1/τ) ∇_θ J.
    fd_policy = directional(policy_vars, directions[:n]) / TAU
    assert analytic(grads[:n], directions[:n]) == pytest.approx(fd_policy, rel=3e-2)
    # In φ: ∇ value loss = ∇_φ J (ρ held fixed, and J does not depend on θ through φ).
    fd_value = directional(value_vars, directions[n:])
    assert analytic(grads[n:], directions[n:]) == pytest.approx(fd_value, rel=3e-2)
    assert abs(fd_policy) > 1e-2 and abs(fd_value) > 1e-2  # the check is not vacuous
