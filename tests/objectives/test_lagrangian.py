"""MuCoCO's Lagrangian updates (textedit/objectives/lagrangian.py) on a toy problem with a known
optimum: minimise 1/2 ||p - a||^2 over the simplex subject to p_0 <= 0.4, a = (0.7, 0.2, 0.1).

KKT: p* = (0.4, 0.35, 0.25) (the mass taken from p_0 is shared equally by the others), and the
multiplier is lam* = 0.45 (stationarity: p - a + lam e_0 + nu 1 = 0 gives nu = -0.15)."""

import numpy as np
import tensorflow as tf
from keras import ops

from textedit.objectives.lagrangian import (
    exponentiated_gradient_step,
    lagrangian,
    multiplier_ascent,
    satisfied,
)

TARGET = np.array([0.7, 0.2, 0.1], np.float32)
EPSILON = np.array([0.4], np.float32)


@tf.function(jit_compile=True)
def solve(steps: int = 4000):
    theta = tf.math.log(tf.fill([1, 3], 1.0 / 3.0))
    multipliers = tf.zeros([1, 1])
    for _ in tf.range(steps):
        p = tf.nn.softmax(theta)
        with tf.GradientTape() as tape:
            tape.watch(p)
            objective = 0.5 * tf.reduce_sum(tf.square(p - TARGET), axis=-1)
            values = p[:, :1]
            loss = tf.reduce_sum(lagrangian(objective, values, EPSILON, multipliers))
        gradient = tape.gradient(loss, p)
        theta = exponentiated_gradient_step(theta, gradient, 0.5)
        multipliers = multiplier_ascent(multipliers, values, EPSILON, 0.5)
    return tf.nn.softmax(theta)[0], multipliers[0, 0]


def test_updates_reach_the_known_optimum_and_multiplier():
    p, lam = solve()
    np.testing.assert_allclose(p.numpy(), [0.4, 0.35, 0.25], atol=5e-3)
    np.testing.assert_allclose(float(lam), 0.45, atol=2e-2)


def test_without_the_constraint_the_multiplier_stays_zero():
    multipliers = multiplier_ascent(ops.zeros((2, 1)), ops.convert_to_tensor([[0.1], [0.3]]),
                                    EPSILON, 1.0)
    np.testing.assert_allclose(np.asarray(multipliers), [[0.0], [0.0]])


def test_lagrangian_and_satisfied_by_hand():
    values = ops.convert_to_tensor([[0.5, 0.0], [0.2, -1.0]])
    total = lagrangian(ops.convert_to_tensor([1.0, 2.0]), values, [0.4, 0.0],
                       ops.convert_to_tensor([[2.0, 1.0], [0.0, 3.0]]))
    np.testing.assert_allclose(np.asarray(total), [1.0 + 2 * 0.1, 2.0 - 3.0], rtol=1e-6)
    assert np.asarray(satisfied(values, [0.4, 0.0])).tolist() == [False, True]


def test_exponentiated_step_stays_normalised_and_moves_against_the_gradient():
    theta = ops.log(ops.convert_to_tensor([[0.5, 0.25, 0.25]]))
    updated = np.exp(np.asarray(exponentiated_gradient_step(theta, ops.convert_to_tensor(
        [[1.0, 0.0, 0.0]]), 1.0)))
    np.testing.assert_allclose(updated.sum(), 1.0, rtol=1e-6)
    expected = np.array([0.5 / np.e, 0.25, 0.25])
    np.testing.assert_allclose(updated[0], expected / expected.sum(), rtol=1e-5)
