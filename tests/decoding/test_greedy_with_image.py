"""Greedy decoding with an image tower equals argmax decoding without the cache."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from textedit.decoding.greedy_with_image import greedy_decode_with_image  # noqa: E402
from textedit.models import T5Config  # noqa: E402
from textedit.models.image_tower import ImageTowerConfig, T5WithImageTower  # noqa: E402

TOWER = ImageTowerConfig(image_height=8, image_width=32, patch_height=8, patch_width=4, width=16,
                         num_layers=1, num_heads=2, mlp_dim=32)


@pytest.mark.slow  # about 10 s, nearly all XLA compilation
def test_cached_greedy_decoding_matches_teacher_forced_argmax():
    keras.utils.set_random_seed(3)
    model = T5WithImageTower(T5Config.named("tiny", vocab_size=32), TOWER)
    rng = np.random.default_rng(3)
    tokens = rng.integers(2, 32, size=(2, 5)).astype(np.int32)
    tokens[1, 3:] = 0
    images = rng.random((2, 8, 32)).astype(np.float32)
    steps = 4
    decoded = np.asarray(greedy_decode_with_image(model, tokens, images, steps))
    # Reference: re-run the whole model on the prefix and take the argmax of the last position
    # (no cache), stopping a row after EOS (1) as the loop does.
    prefix = np.zeros((2, 1), np.int32)  # decoder start id 0
    for _ in range(steps):
        logits = np.asarray(model({"encoder_input_tokens": tokens, "decoder_input_tokens": prefix,
                                   "encoder_image": images}))
        prefix = np.concatenate([prefix, logits[:, -1].argmax(-1)[:, None].astype(np.int32)], 1)
    expected = prefix[:, 1:]
    for row in range(2):
        ended = np.flatnonzero(expected[row] == 1)
        if ended.size:
            expected[row, ended[0] + 1:] = 0
    np.testing.assert_array_equal(decoded, expected)
