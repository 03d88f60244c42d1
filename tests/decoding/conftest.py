"""Fixtures of the decoding tests: one tiny T5 (session-wide, so compiled functions are reused)
and a batch with rows of different lengths. Constants and helpers live in `decoding_cases`."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from decoding_cases import LENGTHS, VOCAB  # noqa: E402

from textedit.models import T5Config, T5EncoderDecoder  # noqa: E402


@pytest.fixture(scope="session")
def model() -> T5EncoderDecoder:
    keras.utils.set_random_seed(7)
    return T5EncoderDecoder(T5Config.named("tiny", vocab_size=VOCAB, num_decoder_layers=1))


@pytest.fixture(scope="session")
def encoder_tokens() -> np.ndarray:
    """int32 [3, 7]: rows of 7, 4 and 2 tokens (EOS-terminated), padded with 0."""
    tokens = np.random.default_rng(0).integers(2, VOCAB, size=(3, 7)).astype(np.int32)
    for row, length in enumerate(LENGTHS):
        tokens[row, length - 1] = 1
        tokens[row, length:] = 0
    return tokens


@pytest.fixture(scope="module")
def model_and_tokens():
    """(a tiny random EdiT5 whose vocabulary is mostly position tokens, int32 [BATCH, LENGTH]
    inputs of word ids with EOS and padding): the sampled-edit tests' model."""
    from test_edit_inference import (
        BATCH,
        LENGTH,
        RANDOM_POSITIONS,
        RANDOM_VOCAB,
        WORDS,
        tiny_config,
    )

    from textedit.models.edit5.edit5_model import Edit5Model

    keras.utils.set_random_seed(11)
    model = Edit5Model(tiny_config(RANDOM_VOCAB, RANDOM_POSITIONS, LENGTH))
    rng = np.random.default_rng(0)
    tokens = rng.choice(list(WORDS), size=(BATCH, LENGTH)).astype(np.int32)
    for row, length in enumerate(rng.integers(2, LENGTH + 1, size=BATCH)):
        tokens[row, length - 1] = 1
        tokens[row, length:] = 0
    return model, tokens
