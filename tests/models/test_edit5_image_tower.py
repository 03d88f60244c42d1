"""EdiT5 with the optional image tower: text-only tags/pointers, image-aware insertions, and
exactly the old model without a tower."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from edit5_cases import POSITIONS, VOCAB, features  # noqa: E402

from textedit.models import T5Config, T5EncoderDecoder  # noqa: E402
from textedit.models.edit5.edit5_config import Edit5Config  # noqa: E402
from textedit.models.edit5.edit5_model import Edit5Model  # noqa: E402
from textedit.models.image_tower import ImageTowerConfig, T5WithImageTower  # noqa: E402
from textedit.runs.variable_keys import variable_key  # noqa: E402

# 8 x 32 images in 4-px strips: P = 8 patches, one tower layer at width 16.
TOWER = ImageTowerConfig(image_height=8, image_width=32, patch_height=8, patch_width=4, width=16,
                         num_layers=1, num_heads=2, mlp_dim=32)


def make_config(**overrides) -> Edit5Config:
    t5 = T5Config.named("tiny", vocab_size=VOCAB, num_decoder_layers=1, dropout_rate=0.0)
    return Edit5Config(**{"t5": t5, "num_position_tokens": POSITIONS, "max_input_length": 16,
                          "position_logits": True, "position_inputs": True, **overrides})


def image_features(seed=0):
    inputs = features()
    inputs["encoder_image"] = np.random.default_rng(seed).random((2, 8, 32)).astype(np.float32)
    return inputs


def build(seed=3, **overrides) -> Edit5Model:
    keras.utils.set_random_seed(seed)
    return Edit5Model(make_config(**overrides))


@pytest.fixture(scope="module")
def tower_model() -> Edit5Model:
    return build(image_tower=TOWER)


def test_no_tower_is_the_old_model():
    # A config written before the tower existed (no "image_tower" key) and one with None.
    old_dict = make_config().to_dict()
    assert "image_tower" not in old_dict  # text-only configs serialise as before
    old, new = build(), Edit5Model(Edit5Config.from_dict({**old_dict, "image_tower": None}))
    assert type(old.backbone) is T5EncoderDecoder and type(new.backbone) is T5EncoderDecoder
    old_keys = [variable_key(v.path) for v in old.weights]
    assert old_keys == [variable_key(v.path) for v in new.weights]
    assert not any("image" in key for key in old_keys)
    new.set_weights(old.get_weights())
    inputs = features()
    inputs["encoder_image"] = np.ones((2, 8, 32), np.float32)  # ignored without a tower
    for name, value in old(features()).items():
        np.testing.assert_array_equal(value.numpy(), new(inputs)[name].numpy())


def test_config_round_trip_with_tower():
    config = make_config(image_tower=TOWER)
    assert config.to_dict()["image_tower"] == TOWER.to_dict()
    assert Edit5Config.from_dict(config.to_dict()) == config


def test_tower_keys_and_text_only_shapes(tower_model):
    assert isinstance(tower_model.backbone, T5WithImageTower)
    keys = [variable_key(v.path) for v in tower_model.weights]
    plain = [variable_key(v.path) for v in build().weights]
    # The text-only model's keys, plus the tower's and the markers' (T5WithImageTower's names).
    assert set(plain) < set(keys)
    assert {"image_begin", "image_end"} <= set(keys)
    assert all(key.startswith("image_") for key in set(keys) - set(plain))
    outputs = tower_model(image_features())
    assert {name: tuple(value.shape) for name, value in outputs.items()} == {
        "tag_logits": (2, 8, 2), "pointer_logits": (2, 8, 8), "insertion_logits": (2, 8, VOCAB)}
    hidden, mask, image_states = tower_model.encode_all(features()["encoder_input_tokens"],
                                                        image=image_features()["encoder_image"])
    d_model = tower_model.config.t5.d_model
    assert tuple(hidden.shape) == (2, 8, d_model)
    assert tuple(image_states.shape) == (2, TOWER.num_patches + 2, d_model)
    np.testing.assert_array_equal(mask.numpy(), features()["encoder_mask"] == 1)


def test_image_reaches_insertions_but_is_never_tagged(tower_model):
    first, second = tower_model(image_features(0)), tower_model(image_features(1))
    assert not np.allclose(first["insertion_logits"], second["insertion_logits"])
    # The tags read the text states (which attend to the image), but only text positions are
    # scored: padding tags stay masked like the text-only model's, whatever the image.
    pointer = np.exp(second["pointer_logits"].numpy())
    np.testing.assert_allclose(pointer.sum(axis=-1), 1.0, atol=1e-5)
    assert pointer[1, 2, 2] == pytest.approx(1.0)  # row 1 keeps only START: a fixed point


def test_tower_model_refuses_to_run_without_an_image(tower_model):
    with pytest.raises(ValueError, match="image tower"):
        tower_model(features())
    hidden, mask, _ = tower_model.encode_all(features()["encoder_input_tokens"],
                                             image=image_features()["encoder_image"])
    with pytest.raises(ValueError, match="image_states"):
        tower_model.init_cache(2, 4, hidden, mask)
