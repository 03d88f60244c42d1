"""Tiny T5 models and token batches for the model tests (random init, fixed seeds)."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from textedit.models import T5Config, T5EncoderDecoder  # noqa: E402

VOCAB = 64


def _make_model(seed: int = 0, **overrides) -> T5EncoderDecoder:
    keras.utils.set_random_seed(seed)
    return T5EncoderDecoder(T5Config.named("tiny", **{"vocab_size": VOCAB, **overrides}))


def _random_tokens(seed: int, shape, lengths=()) -> np.ndarray:
    """Ids in [2, VOCAB); row r ends with EOS at lengths[r] - 1, then padding."""
    tokens = np.random.default_rng(seed).integers(2, VOCAB, size=shape).astype(np.int32)
    for row, length in enumerate(lengths):
        tokens[row, length - 1] = 1
        tokens[row, length:] = 0
    return tokens


@pytest.fixture(scope="session")
def make_tiny_model():
    """`make_tiny_model(seed, **config_overrides)` -> a tiny T5EncoderDecoder (vocab 64)."""
    return _make_model


@pytest.fixture(scope="session")
def random_tokens():
    """`random_tokens(seed, shape, lengths=())` -> int32 ids, EOS-terminated rows if lengths."""
    return _random_tokens


@pytest.fixture(scope="session")
def tiny_model() -> T5EncoderDecoder:
    """Untied gated-GELU (v1.1) with 2 encoder layers and 1 decoder layer."""
    return _make_model(0, num_decoder_layers=1)
