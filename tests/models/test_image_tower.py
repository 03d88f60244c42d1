"""The optional image tower: ViT shapes, splicing, no-tower identity, gradients into the tower."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from textedit.models import T5Config, T5EncoderDecoder  # noqa: E402
from textedit.models.image_tower import (  # noqa: E402
    ImageTowerConfig,
    T5WithImageTower,
    ViTImageTower,
    splice_image,
    text_part,
)
from textedit.runs.variable_keys import variable_key  # noqa: E402

VOCAB = 64
# 8 x 32 images in 4-px strips: 8 patches, a tower of one layer at width 16.
TOWER = ImageTowerConfig(image_height=8, image_width=32, patch_height=8, patch_width=4, width=16,
                         num_layers=1, num_heads=2, mlp_dim=32)


def _batch(seed=0):
    rng = np.random.default_rng(seed)
    tokens = rng.integers(2, VOCAB, size=(2, 6)).astype(np.int32)
    tokens[1, 4:] = 0  # second row: 4 tokens, then padding
    return {"encoder_input_tokens": tokens,
            "decoder_input_tokens": rng.integers(2, VOCAB, size=(2, 5)).astype(np.int32),
            "encoder_image": rng.random((2, 8, 32)).astype(np.float32)}


def _tiny(tower=None, seed=0, cls=T5WithImageTower):
    keras.utils.set_random_seed(seed)
    config = T5Config.named("tiny", vocab_size=VOCAB)
    return cls(config, tower) if tower is not None or cls is T5WithImageTower else cls(config)


def test_tower_patches_run_left_to_right_and_project_to_d_model():
    tower = ViTImageTower(TOWER, output_dim=32)
    image = np.zeros((1, 8, 32), np.float32)
    image[0, :, 4:8] = 1.0  # only the second 4-px strip is inked
    patches = np.asarray(tower.patches(image))
    assert patches.shape == (1, 8, 32)
    assert patches[0, 1].all() and not np.delete(patches[0], 1, axis=0).any()
    assert tuple(tower(image).shape) == (1, 8, 32)


def test_splice_keeps_text_positions_and_masks():
    batch = _batch()
    tokens = tf.constant(batch["encoder_input_tokens"])
    embeddings = tf.random.normal((2, 6, 3))
    vectors = tf.random.normal((2, 8, 3))
    begin, end = tf.constant([1.0, 2.0, 3.0]), tf.constant([-1.0, -2.0, -3.0])
    spliced, mask, is_text = splice_image(embeddings, tokens != 0, vectors, begin, end)
    assert tuple(spliced.shape) == (2, 8 + 2 + 6, 3)
    np.testing.assert_array_equal(text_part(spliced, 8), embeddings)
    np.testing.assert_array_equal(spliced[:, 1:9], vectors)
    np.testing.assert_array_equal(spliced[:, 0], [[1, 2, 3]] * 2)
    np.testing.assert_array_equal(spliced[:, 9], [[-1, -2, -3]] * 2)
    np.testing.assert_array_equal(mask[:, :10], True)  # markers and image always attended
    np.testing.assert_array_equal(text_part(mask, 8), batch["encoder_input_tokens"] != 0)
    np.testing.assert_array_equal(is_text, [[False] * 10 + [True] * 6] * 2)


def test_no_tower_is_the_plain_model_weights_and_outputs():
    plain = _tiny(cls=T5EncoderDecoder)
    wrapped = _tiny(None)
    assert wrapped.image_tower is None
    assert ([variable_key(v.path) for v in wrapped.weights]
            == [variable_key(v.path) for v in plain.weights])
    for a, b in zip(wrapped.weights, plain.weights, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    batch = _batch()
    # The image is ignored without a tower.
    np.testing.assert_array_equal(wrapped(batch), plain({k: batch[k] for k in (
        "encoder_input_tokens", "decoder_input_tokens")}))


def test_tower_adds_only_its_own_weights_and_lengthens_the_encoder():
    plain_keys = [variable_key(v.path) for v in _tiny(None).weights]
    model = _tiny(TOWER)
    keys = [variable_key(v.path) for v in model.weights]
    assert set(plain_keys) < set(keys)
    extra = set(keys) - set(plain_keys)
    markers = {"image_begin", "image_end"}
    assert markers <= extra
    assert all(k.startswith("image_tower/") for k in extra - markers)
    batch = _batch()
    hidden, mask = model.encode(batch["encoder_input_tokens"], image=batch["encoder_image"])
    assert tuple(hidden.shape) == (2, 8 + 2 + 6, 32) and tuple(mask.shape) == (2, 16)
    assert tuple(model(batch).shape) == (2, 5, VOCAB)
    try:
        model.encode(batch["encoder_input_tokens"])
    except ValueError as error:
        assert "image tower" in str(error)
    else:
        raise AssertionError("encoding without the image must fail")


def test_gradients_reach_the_tower_and_the_image_changes_the_output():
    model = _tiny(TOWER)
    batch = _batch()
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(model(batch, training=False)))
    tower_vars = model.image_tower.trainable_variables + [model.image_begin, model.image_end]
    grads = tape.gradient(loss, tower_vars)
    assert all(g is not None and float(tf.reduce_max(tf.abs(g))) > 0 for g in grads)
    other = dict(batch, encoder_image=np.zeros_like(batch["encoder_image"]))
    assert not np.allclose(model(batch), model(other))


def test_config_round_trip_keeps_the_tower():
    model = _tiny(TOWER)
    rebuilt = T5WithImageTower.from_config(model.get_config())
    assert rebuilt.image_tower_config == TOWER
    assert len(rebuilt.weights) == len(model.weights)
    assert T5WithImageTower.from_config(_tiny(None).get_config()).image_tower is None


CONV_TOWER = ImageTowerConfig(image_height=8, image_width=32, patch_height=8, patch_width=4,
                              width=16, num_layers=1, num_heads=2, mlp_dim=32,
                              conv_channels=(3, 5))


def test_convolutional_stem_keeps_patches_left_to_right_and_trains():
    tower = ViTImageTower(CONV_TOWER, output_dim=32)
    # Two stride-2 convolutions: the 8 x 32 image becomes a 2 x 8 map of 5 channels, cut into
    # the same 8 full-height columns (1 map column each): patch vectors of 2 * 1 * 5.
    feature_map = np.arange(2 * 8 * 5, dtype=np.float32).reshape(1, 2, 8, 5)
    patches = np.asarray(tower.patches(feature_map))
    assert patches.shape == (1, 8, 10)
    np.testing.assert_array_equal(patches[0, 3], feature_map[0, :, 3, :].reshape(-1))
    image = np.random.default_rng(0).random((2, 8, 32)).astype(np.float32)
    assert tuple(tower(image).shape) == (2, 8, 32)
    assert [w.shape for w in tower.stem[0].weights] == [(3, 3, 1, 3), (3,)]
    model = _tiny(CONV_TOWER)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(model(_batch(), training=False)))
    grads = tape.gradient(loss, [conv.kernel for conv in model.image_tower.stem])
    assert all(float(tf.reduce_max(tf.abs(g))) > 0 for g in grads)


def test_conv_channels_round_trip_and_plain_configs_keep_their_dict():
    assert "conv_channels" not in TOWER.to_dict()
    assert CONV_TOWER.to_dict()["conv_channels"] == [3, 5]
    assert ImageTowerConfig(**CONV_TOWER.to_dict()) == CONV_TOWER
    rebuilt = T5WithImageTower.from_config(_tiny(CONV_TOWER).get_config())
    assert rebuilt.image_tower_config == CONV_TOWER and len(rebuilt.image_tower.stem) == 2
    try:
        ImageTowerConfig(patch_width=8, conv_channels=(4, 4, 4, 4))
    except ValueError as error:
        assert "not divisible by 16" in str(error)
    else:
        raise AssertionError("patches narrower than the stem's stride must be refused")
