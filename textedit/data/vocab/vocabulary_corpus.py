"""What the vocabulary is trained on, and the reuse check for an existing vocabulary.

Only training text: the `train` split of every built-in data set (sources and targets), GSM8K
train (questions and worked answers) and the HH preference dialogues (which have no held-out part
here). Validation and test files are never read.

Without a data directory (`find_data_dir()` is None) the vocabulary is trained on the embedded
default data instead (textedit/data/embedded/: both sides of its noised train pairs), with at
most `embedded.max_vocab_size(num_position_tokens)` pieces: that little text supports no more.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

from textedit.data import dataset_catalog, embedded, readers
from textedit.data.data_dir import data_path, find_data_dir
from textedit.data.readers.malformed_input import SkipReport
from textedit.data.vocab.vocabulary import (
    MANIFEST_FILE,
    NUM_SENTINELS,
    VocabularyManifest,
    file_sha256,
    read_manifest,
    train_vocabulary,
)

EXTRA_TRAINING_FILES = [
    "math/gsm8k.train.jsonl",
    "preference/hh.harmless-base.jsonl.gz",
    "preference/hh.helpful-online.jsonl.gz",
    "preference/hh.helpful-rejection-sampled.jsonl.gz",
]


def training_files() -> list[Path]:
    """Every file the vocabulary reads (train splits only), as absolute paths."""
    files = []
    for spec in dataset_catalog.DATASETS.values():
        if dataset_catalog.TRAIN in spec.splits:
            files += [data_path(f) for f in spec.files(dataset_catalog.TRAIN)]
    files += [data_path(f) for f in EXTRA_TRAINING_FILES]
    return sorted(set(files))


def training_texts(skip: SkipReport | None = None) -> Iterator[str]:
    for name, spec in dataset_catalog.DATASETS.items():
        if dataset_catalog.TRAIN not in spec.splits:
            continue
        for example in dataset_catalog.load_split(name, dataset_catalog.TRAIN).examples:
            yield example.source
            if not spec.training_text_only:
                yield from example.references
    for example in readers.read_gsm8k(data_path(EXTRA_TRAINING_FILES[0]), skip=skip):
        yield example.question
        yield example.answer
    for f in EXTRA_TRAINING_FILES[1:]:
        for pair in readers.read_hh_preferences(data_path(f), skip=skip):
            yield pair.prompt
            yield pair.chosen
            yield pair.rejected


def ensure_vocabulary(
    vocab_dir: str | os.PathLike,
    vocab_size: int,
    num_position_tokens: int,
    retrain: bool = False,
    skip_bad_lines: bool = False,
) -> VocabularyManifest:
    """Returns the manifest of an up-to-date vocabulary in vocab_dir, training one if needed."""
    vocab_dir = Path(vocab_dir)
    root = find_data_dir()
    if root is None:  # the embedded default data
        hashes = {embedded.MANIFEST_NAME: embedded.training_texts_sha256()}
        what = f"the embedded default data ({len(embedded.clean_sentences())} sentences)"
        most = embedded.max_vocab_size(num_position_tokens)
        if vocab_size > most:
            print(f"vocabulary: {vocab_size} pieces are too many for the embedded data; "
                  f"using {most}", flush=True)
            vocab_size = most
    else:
        files = training_files()
        hashes = {str(p.relative_to(root)): file_sha256(p) for p in files}
        what = f"{len(files)} training files"
    if not retrain and (vocab_dir / MANIFEST_FILE).exists():
        manifest = read_manifest(vocab_dir)
        same = (manifest.options.get("vocab_size") == vocab_size
                and manifest.num_position_tokens == num_position_tokens
                and manifest.num_sentinels == NUM_SENTINELS
                and manifest.training_files == hashes)
        if same:
            print(f"vocabulary: up to date in {vocab_dir} ({manifest.vocab_size} ids)", flush=True)
            return manifest
        print(f"vocabulary: {vocab_dir} was built with other options or files; retraining",
              flush=True)
    print(f"vocabulary: training {vocab_size} pieces on {what} ...", flush=True)
    start = time.time()
    skip = SkipReport() if skip_bad_lines else None
    texts = training_texts(skip) if root is not None else iter(embedded.training_texts())
    manifest = train_vocabulary(
        texts, vocab_dir, training_files=hashes, vocab_size=vocab_size,
        num_position_tokens=num_position_tokens)
    if skip is not None:
        print(f"vocabulary: {skip.summary()}")
    ranges = ", ".join(f"{k} {a}..{b - 1}" for k, (a, b) in manifest.reserved_ranges().items())
    print(f"vocabulary: wrote {vocab_dir} in {time.time() - start:.0f}s from "
          f"{manifest.training_lines} lines; {manifest.vocab_size} ids ({ranges})", flush=True)
    return manifest
