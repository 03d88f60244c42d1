"""REINFORCE, J-BOND and the leave-one-out baseline on constructed numbers."""

import math

import numpy as np
import pytest
import tensorflow as tf

from textedit.objectives.jbond import best_anchor_index, jbond_losses, jbond_reward
from textedit.objectives.leave_one_out import leave_one_out_baseline
from textedit.objectives.reinforce import reinforce_losses

LOG16 = math.log(16.0)


def test_leave_one_out_baseline_is_the_mean_of_the_others():
    returns = tf.constant([[1.0, 3.0], [2.0, -2.0]])
    np.testing.assert_allclose(leave_one_out_baseline(returns, axis=-1), [[3.0, 1.0], [-2.0, 2.0]])
    column = tf.constant([1.0, 2.0, 6.0])
    np.testing.assert_allclose(leave_one_out_baseline(column, axis=0), [4.0, 3.5, 1.5])
    with pytest.raises(ValueError, match="at least 2"):
        leave_one_out_baseline(tf.constant([[1.0]]), axis=-1)


def test_reinforce_terms_and_gradient():
    policy = tf.Variable([[-2.0, -4.0]])
    reference = tf.constant([[-3.0, -3.0]])
    rewards = tf.constant([[1.0, 0.0]])
    with tf.GradientTape() as tape:
        terms = reinforce_losses(policy, reference, rewards, kl_weight=0.5)
        total = tf.reduce_sum(terms.loss)
    # log ratios 1 and -1; returns 1 - 0.5 = 0.5 and 0 + 0.5 = 0.5: equal, so no advantage.
    np.testing.assert_allclose(terms.log_ratio, [[1.0, -1.0]])
    np.testing.assert_allclose(terms.returns, [[0.5, 0.5]])
    np.testing.assert_allclose(terms.advantages, [[0.0, 0.0]])
    np.testing.assert_allclose(tape.gradient(total, policy), [[0.0, 0.0]])
    with tf.GradientTape() as tape:
        terms = reinforce_losses(policy, reference, rewards, kl_weight=0.0)
        total = tf.reduce_sum(terms.loss)
    # Without the penalty: advantages +1 / -1; d loss / d log π = -advantage (returns held fixed).
    np.testing.assert_allclose(terms.advantages, [[1.0, -1.0]])
    np.testing.assert_allclose(tape.gradient(total, policy), [[-1.0, 1.0]])


def test_jbond_reward_only_penalises_losing_to_both_anchor_samples():
    anchor = tf.constant([[0.2, 0.5], [0.2, 0.5], [0.2, 0.5], [0.4, 0.4]])
    policy = tf.constant([0.1, 0.3, 0.9, 0.4])  # below both, between, above, tie with both
    np.testing.assert_allclose(jbond_reward(policy, anchor), [-LOG16, 0.0, 0.0, 0.0], rtol=1e-6)
    np.testing.assert_array_equal(best_anchor_index(anchor), [1, 1, 1, 0])


def test_jbond_losses_on_constructed_samples():
    policy_lp = tf.Variable([-1.0, -2.0, -3.0])
    best_anchor_lp = tf.Variable([-4.0, -5.0, -6.0])
    anchor_lp = tf.constant([-1.5, -2.0, -2.0])  # log ratios 0.5, 0, -1
    policy_r = tf.constant([0.0, 1.0, 0.0])
    anchor_r = tf.constant([[0.5, 0.7], [0.5, 0.7], [-1.0, 0.7]])  # lost, won, between
    with tf.GradientTape(persistent=True) as tape:
        terms = jbond_losses(policy_lp, best_anchor_lp, anchor_lp, policy_r, anchor_r,
                             beta=0.5, gamma=0.0)
        total = tf.reduce_sum(terms.loss)
    np.testing.assert_allclose(terms.jbond_reward, [-LOG16, 0.0, 0.0], rtol=1e-6)
    returns = np.array([-LOG16 - 0.5, 0.0, 1.0])
    np.testing.assert_allclose(terms.returns, returns, rtol=1e-6)
    others = (returns.sum() - returns) / 2.0
    np.testing.assert_allclose(terms.forward, [4.0, 5.0, 6.0])
    np.testing.assert_allclose(terms.backward, -(returns - others) * np.array([-1., -2., -3.]),
                               rtol=1e-6)
    # d/d log π(y) = -β (R - b); d/d log π(y_best) = -(1 - β).
    np.testing.assert_allclose(tape.gradient(total, policy_lp), -0.5 * (returns - others),
                               rtol=1e-6)
    np.testing.assert_allclose(tape.gradient(total, best_anchor_lp), [-0.5, -0.5, -0.5])
    with tf.GradientTape() as tape:
        extra = jbond_losses(policy_lp, best_anchor_lp, anchor_lp, policy_r, anchor_r,
                             beta=0.5, gamma=2.0)
        total = tf.reduce_sum(extra.loss)
    # γ adds γ · (log π − log π_anchor) to the policy sample's gradient weight.
    np.testing.assert_allclose(tape.gradient(total, policy_lp),
                               -0.5 * (returns - others) + 2.0 * np.array([0.5, 0.0, -1.0]),
                               rtol=1e-6)


def test_jbond_beta_limits():
    args = (tf.constant([-1.0, -2.0]), tf.constant([-4.0, -5.0]), tf.constant([-1.0, -2.0]),
            tf.constant([0.0, 1.0]), tf.constant([[0.5, 0.7], [0.5, 0.7]]))
    forward_only = jbond_losses(*args, beta=0.0)
    np.testing.assert_allclose(forward_only.loss, [4.0, 5.0])
    backward_only = jbond_losses(*args, beta=1.0)
    np.testing.assert_allclose(backward_only.loss, backward_only.backward)
    with pytest.raises(ValueError, match="beta"):
        jbond_losses(*args, beta=1.5)
