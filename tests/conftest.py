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
    from textedit.data.vocab.vocabulary import file_sha256, train_vocabulary

    path = data_path("gec/wi.A.train.m2")
    pairs = readers.read_m2_pairs(path)
    texts = [p.source for p in pairs] + [p.target for p in pairs]
    return train_vocabulary(
        texts, _VOCAB_DIR, training_files={"gec/wi.A.train.m2": file_sha256(path)},
        vocab_size=2000, num_position_tokens=TINY_POSITIONS)


def make_edit5_run(run_dir, vocab_dir, positions: int, seed: int = 0, vocab_rows: int = 2176,
                   image_tower=None):
    """A run directory as `textedit train` leaves it (model.json, vocab/, checkpoints/ckpt-7) for
    a tiny, randomly initialised EdiT5 model over the vocabulary in `vocab_dir` (with
    `image_tower`, an ImageTowerConfig, the model reads line images); returns the model.
    """
    import keras
    from run_dirs import save_run

    from textedit.models import Edit5Config, Edit5Model, T5Config

    keras.utils.set_random_seed(seed)
    config = Edit5Config(t5=T5Config.named("tiny", vocab_size=vocab_rows, num_decoder_layers=1,
                                           dropout_rate=0.0),
                         max_input_length=64, num_position_tokens=positions,
                         image_tower=image_tower)
    model = Edit5Model(config, name="edit5")
    save_run(run_dir, model, vocab_dir, step=7)
    return model


@pytest.fixture(scope="session")
def tiny_edit5_run(tiny_vocab, tmp_path_factory):
    """(run directory, model) of `make_edit5_run` over the tiny vocabulary."""
    run_dir = tmp_path_factory.mktemp("edit5_run")
    return run_dir, make_edit5_run(run_dir, _VOCAB_DIR, TINY_POSITIONS)


@pytest.fixture(scope="session")
def tiny_edit5_image_run(tiny_vocab, tmp_path_factory):
    """The run directory of a tiny EdiT5 with an image tower (image_tower_runs.TINY_TOWER: 16 x 64
    line images) over the tiny vocabulary."""
    from image_tower_runs import TINY_TOWER

    run_dir = tmp_path_factory.mktemp("edit5_image_run")
    make_edit5_run(run_dir, _VOCAB_DIR, TINY_POSITIONS, seed=2, image_tower=TINY_TOWER)
    return run_dir
