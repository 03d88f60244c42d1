"""The embedded default data (textedit/data/embedded/): deterministic, non-trivial noised pairs
that differ from the clean sentences only by the generator's edits; its tasks and vocabulary
without a data directory; and `textedit main` end to end on it (slow).

"No data directory" is simulated with TEXTEDIT_DATA_DIR set to the empty string, which
textedit.data.data_dir documents as "none: do not look for ../shared/data either".
"""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from textedit.data import embedded
from textedit.data.data_dir import DataFileNotFoundError, find_data_dir

ROOT = Path(__file__).resolve().parents[2]
# At least this share of the pairs of each split carries errors (measured: 78% train, 81%
# validation); some stay unchanged, as in learner text.
MIN_CHANGED_SHARE, MAX_CHANGED_SHARE = 0.6, 0.95


@pytest.fixture
def no_data_dir(monkeypatch):
    monkeypatch.setenv("TEXTEDIT_DATA_DIR", "")
    assert find_data_dir() is None


def test_the_text_ships_with_the_package():
    sentences = embedded.clean_sentences()
    assert 300 <= len(sentences) == len(set(sentences))
    assert all(s.endswith((" .", " ?")) for s in sentences)  # tokenised like the GEC data
    setup = (ROOT / "setup.py").read_text()
    assert '"textedit.data.embedded": ["sentences.txt"]' in setup


def test_splits_are_disjoint_and_every_tenth_sentence_is_validation():
    train, validation = embedded.split_sentences("train"), embedded.split_sentences("validation")
    assert not set(train) & set(validation)
    assert len(train) + len(validation) == len(embedded.clean_sentences())
    assert validation == list(embedded.clean_sentences()[9::10])
    with pytest.raises(ValueError, match="test"):
        embedded.split_sentences("test")


def _pairs_fingerprint() -> str:
    return hashlib.sha256(json.dumps(
        {s: [[p.source, p.references] for p in embedded.embedded_pairs(s)]
         for s in embedded.SPLITS}).encode()).hexdigest()


def test_pairs_are_deterministic_across_calls_and_processes():
    first = _pairs_fingerprint()
    embedded.embedded_pairs.cache_clear()
    assert _pairs_fingerprint() == first
    code = ("from tests.data.test_embedded_data import _pairs_fingerprint; "
            "print(_pairs_fingerprint())")
    for hash_seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, text=True,
                             capture_output=True, env={**os.environ, "PYTHONHASHSEED": hash_seed})
        assert out.stdout.strip() == first


@pytest.mark.parametrize("split", embedded.SPLITS)
def test_a_stated_share_of_pairs_carries_errors(split):
    pairs = embedded.embedded_pairs(split)
    changed = sum(p.source != p.references[0] for p in pairs) / len(pairs)
    assert MIN_CHANGED_SHARE <= changed <= MAX_CHANGED_SHARE, changed
    assert f"{split} {len(pairs)} pairs" in embedded.describe()


def test_noised_side_differs_only_by_the_generators_edits():
    noiser = embedded.noiser()
    expected = {}
    for split in embedded.SPLITS:
        copies = embedded.TRAIN_COPIES if split == "train" else 1
        for clean in embedded.split_sentences(split):
            for key in range(copies):
                corruption = noiser.noise(clean, key=key)
                tokens = clean.split()
                pieces = []
                for i, token in enumerate(tokens):
                    error = next((e for e in corruption.errors if e.index == i), None)
                    if error is None:
                        pieces.append(token)
                    else:
                        assert error.before == token
                        pieces.extend(error.after)
                rebuilt = " ".join(pieces) if corruption.errors else clean
                # A dropped first word capitalises the next one; nothing else may differ.
                assert corruption.text in (rebuilt, rebuilt[:1].upper() + rebuilt[1:])
                expected.setdefault(split, {})[(corruption.text, clean)] = None
        got = [(p.source, p.references[0]) for p in embedded.embedded_pairs(split)]
        assert got == list(expected[split])


def test_tasks_read_the_embedded_pairs_without_a_data_directory(no_data_dir, tiny_vocab):
    import seqio

    import tasks  # noqa: F401
    from textedit.metrics import task_evaluation

    task = seqio.get_mixture_or_task("gec_embedded")
    assert seqio.get_mixture_or_task("edit5_gec_embedded").metric_fns == task.metric_fns
    ds = task.get_dataset(None, split="validation", shuffle=False)
    examples = list(ds.as_numpy_iterator())
    pairs = embedded.embedded_pairs("validation")
    assert [e["inputs_pretokenized"].decode() for e in examples] == [p.source for p in pairs]
    assert [e["targets_pretokenized"].decode() for e in examples] == [p.references[0]
                                                                      for p in pairs]
    # The GEC metrics against the clean sentence: the clean sentence scores 100, a copy less.
    split = task_evaluation.read_split("gec_embedded", "validation")
    scores = {}
    for result in task_evaluation.score(split, [p.references[0] for p in pairs]):
        scores.update(result.scores)
    assert scores["exact_match"] == pytest.approx(100.0) and scores["gleu"] > 99
    copy = {}
    for result in task_evaluation.score(split, [p.source for p in pairs]):
        copy.update(result.scores)
    assert copy["exact_match"] < 30 and copy["gleu"] < scores["gleu"]


def test_vocabulary_trains_on_the_embedded_text_without_a_data_directory(no_data_dir, tmp_path,
                                                                       capsys):
    from textedit.data.vocab.vocabulary_corpus import ensure_vocabulary

    manifest = ensure_vocabulary(tmp_path, 16000, 65)
    assert manifest.training_files == {"embedded/sentences.txt": embedded.training_texts_sha256()}
    assert manifest.options["vocab_size"] == embedded.max_vocab_size(65) == 832
    assert embedded.VOCAB_SIZE == embedded.max_vocab_size(513) == 1280
    assert "embedded default data (318 sentences)" in capsys.readouterr().out
    assert ensure_vocabulary(tmp_path, 16000, 65) == manifest
    assert "up to date" in capsys.readouterr().out


def test_an_explicit_empty_data_directory_is_an_error_naming_a_missing_file(monkeypatch, tmp_path):
    from textedit.data.vocab.vocabulary_corpus import ensure_vocabulary

    monkeypatch.setenv("TEXTEDIT_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "data").mkdir()
    with pytest.raises(DataFileNotFoundError, match="Expected data file .*TEXTEDIT_DATA_DIR") as e:
        ensure_vocabulary(tmp_path / "vocab", 16000, 65)
    assert e.value.path.is_relative_to(tmp_path / "data")


@pytest.mark.slow
def test_main_job_runs_on_the_embedded_default(tmp_path):
    """`textedit main` with no data directory: 2.5-4 minutes on 2 busy CPU cores (three processes
    that each import TensorFlow, 12 s of training, evaluation, the edit tool)."""
    env = {**os.environ, "TEXTEDIT_DATA_DIR": "", "TEXTEDIT_VOCAB_DIR": str(tmp_path / "vocab"),
           "JAX_PLATFORMS": "cpu", "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        [sys.executable, "-m", "textedit", "main", "--minutes", "0.2",
         "--model_dir", str(tmp_path / "run")],
        cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        timeout=600)
    out = done.stdout  # with stderr, where training reports its evaluation
    assert done.returncode == 0, out[-5000:]
    assert "Running on the EMBEDDED DEFAULT data: 318 embedded English sentences" in out
    assert "--data_dir DIR" in out and "TEXTEDIT_DATA_DIR=DIR" in out
    assert "vocabulary: training 1280 pieces on the embedded default data" in out
    assert "training on edit5_gec_embedded (train)" in out
    assert "eval step" in out and "gec_embedded" in out and "gleu" in out
    # The demo sentences went through the edit tool and were counted (what the tiny run makes of
    # them is not the point here).
    assert "She go to school every day ." in out and "of 5 demo sentences fixed" in out
    assert "[main] done." in out
    assert list((tmp_path / "run" / "checkpoints").glob("ckpt-*.index"))
