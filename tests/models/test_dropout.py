"""`Dropout` (Philox masks on TensorFlow): Keras's layer in every respect a user sees - identity
outside training, inverted scaling, the rate's share of zeros, noise_shape, the same state
variables - and masks that change from call to call yet are fixed by the seed."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from textedit.models.t5.dropout import Dropout  # noqa: E402


def test_identity_outside_training_and_at_rate_zero():
    x = np.random.default_rng(0).random((4, 8)).astype(np.float32)
    np.testing.assert_array_equal(Dropout(0.5)(x, training=False), x)
    np.testing.assert_array_equal(Dropout(0.0)(x, training=True), x)


def test_rate_share_of_zeros_and_inverted_scaling_under_xla():
    layer = Dropout(0.25, seed=1)
    step = tf.function(lambda x: layer(x, training=True), jit_compile=True)
    x = tf.ones((200, 500))
    first, second = step(x).numpy(), step(x).numpy()
    assert abs((first == 0).mean() - 0.25) < 0.01
    np.testing.assert_allclose(first[first != 0], 1 / 0.75, rtol=1e-6)
    assert (first != second).any()  # the seed state advances between calls


def test_same_seed_same_masks_and_noise_shape_through_keras():
    x = tf.ones((3, 50, 40))
    a = Dropout(0.5, seed=7)(x, training=True).numpy()
    b = Dropout(0.5, seed=7)(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)
    shared = Dropout(0.5, noise_shape=(None, 1, 40), seed=7)(x, training=True).numpy()
    np.testing.assert_array_equal(shared, np.broadcast_to(shared[:, :1], shared.shape))


def test_same_state_variables_as_keras_dropout():
    ours, theirs = Dropout(0.1, seed=3), keras.layers.Dropout(0.1, seed=3)
    assert [(v.name, v.shape) for v in ours.weights] == [(v.name, v.shape) for v in theirs.weights]
    assert ours.get_config() == {**theirs.get_config(), "name": ours.name}
