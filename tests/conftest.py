"""Shared test set-up: the `slow` marker, quiet TensorFlow, and a tiny trained vocabulary.

The vocabulary directory is fixed here, before any test module imports `tasks` (the task features
read TEXTEDIT_VOCAB_DIR at import); the `tiny_vocab` fixture trains a small model into it once.
"""

import os
import tempfile

os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
_VOCAB_DIR = tempfile.mkdtemp(prefix="textedit-test-vocab-")
os.environ["TEXTEDIT_VOCAB_DIR"] = _VOCAB_DIR

import pytest  # noqa: E402

TINY_POSITIONS = 65


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: longer than a few seconds; not in the default run")


@pytest.fixture(scope="session")
def tiny_vocab():
    """A 2,000-piece vocabulary trained on W&I A train (both sides) into TEXTEDIT_VOCAB_DIR."""
    from textedit.data import readers
    from textedit.data.data_dir import data_path
    from textedit.data.vocabulary import file_sha256, train_vocabulary

    path = data_path("gec/wi.A.train.m2")
    pairs = readers.read_m2_pairs(path)
    texts = [p.source for p in pairs] + [p.target for p in pairs]
    return train_vocabulary(
        texts, _VOCAB_DIR, training_files={"gec/wi.A.train.m2": file_sha256(path)},
        vocab_size=2000, num_position_tokens=TINY_POSITIONS)
