"""Every built-in data set, split by split: which files, how to read them, how splits are drawn.

This is the one place that says what `train` and `validation` mean for each task; the SeqIO tasks
(tasks/) and the vocabulary trainer (`textedit data`) both read it, so the vocabulary can
never see a validation or test file by accident.

Splits that the published files do not provide are drawn by a fixed rule: an example goes to
`validation` when the SHA-1 of its source text, read as an integer, is divisible by 5 (about 20%),
else to `train`. Hashing the text (not the line number) keeps an example in the same split when
files are re-ordered, and puts duplicated sources in the same split.

Test splits read the benchmarks' published test files, in the formats of their dev files, and
only when asked: a task declares its `test` split whether or not the files are installed, and
reading it without them raises DataFileNotFoundError naming the first missing file (the task
table shows the split as absent). Test files are never hash-split, never part of `train`, and
never read for the vocabulary (textedit/data/vocab/vocabulary_corpus.py reads `train` only).
W&I has no public test set: gec_wi_fce's test split is the FCE test essays alone.

Train and validation never share a source sentence: a training example whose source also occurs
in validation is removed from train and counted in `LoadedSplit.removed_overlap` (W&I has a few
dozen such short sentences, e.g. greetings, across its official train and dev essays).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence

from textedit.data import readers
from textedit.data.data_dir import data_path
from textedit.data.examples import MultiReferenceExample
from textedit.data.readers.malformed_input import SkipReport

TRAIN, VALIDATION, TEST = "train", "validation", "test"
_VALIDATION_MODULUS = 5


def in_validation(source: str) -> bool:
    """The fixed hash rule for data sets published without a train/validation split."""
    digest = hashlib.sha1(source.encode("utf-8")).hexdigest()
    return int(digest, 16) % _VALIDATION_MODULUS == 0


@dataclasses.dataclass
class LoadedSplit:
    examples: list[MultiReferenceExample]
    files: list[str]  # absolute paths read
    skipped: SkipReport | None = None
    removed_overlap: int = 0  # train examples dropped (and counted) for sharing a validation source


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
    """A data set: for each split, the files it reads and a function reading them."""

    name: str
    description: str
    splits: dict[str, tuple[Sequence[str], Callable[..., list[MultiReferenceExample]]]]
    training_text_only: bool = False  # True: a corpus of clean text (source == target)
    # Known-malformed lines in the published files are skipped and counted even without
    # --skip_bad_lines (MASC has 55 lines with untagged tokens, e.g. URLs and "M. B._NN").
    always_skip_bad_lines: bool = False

    def files(self, split: str) -> list[str]:
        self._check_split(split)
        return list(self.splits[split][0])

    def _check_split(self, split: str) -> None:
        if split not in self.splits:
            raise ValueError(f"{self.name} has no split {split!r}; it has {sorted(self.splits)}")


def _single(examples) -> list[MultiReferenceExample]:
    return [MultiReferenceExample(e.source, (e.target,)) for e in examples]


def _expand_references(examples: list[MultiReferenceExample]) -> list[MultiReferenceExample]:
    """Training on a multi-reference set: one (source, reference) example per reference."""
    return [MultiReferenceExample(e.source, (r,)) for e in examples for r in e.references]


def _hash_split(examples: list[MultiReferenceExample], split: str) -> list[MultiReferenceExample]:
    keep_validation = split == VALIDATION
    chosen = [e for e in examples if in_validation(e.source) == keep_validation]
    return _expand_references(chosen) if split == TRAIN else chosen


# --- readers per data set (paths relative to the data directory) ---------------------------

_WI_TRAIN = [f"gec/wi.{level}.train.m2" for level in "ABC"]
_WI_DEV = [f"gec/wi.{level}.dev.m2" for level in "ABC"]
_JFLEG = {s: [f"gec/jfleg.{s}.src"] + [f"gec/jfleg.{s}.ref{i}" for i in range(4)]
          for s in ("dev", "test")}
_ASSET, _ASSET_TEST = (
    [f"simplification/asset.{s}.orig"] + [f"simplification/asset.{s}.simp.{i}" for i in range(10)]
    for s in ("valid", "test"))
_TURK, _TURK_TEST = (
    [f"simplification/turk.{s}.norm"] + [f"simplification/turk.{s}.turk.{i}" for i in range(8)]
    for s in ("tune", "test"))
_BISECT, _BISECT_TEST = (
    [f"fusion/bisect.{s}.src.gz", f"fusion/bisect.{s}.dst.gz"] for s in ("valid", "test"))
_FCE_TEST = "gec/fce.test.json"
_WIKISPLIT_TEST = "fusion/wikisplit.test.tsv"
_CORPORA = ["corpora/state_union", "corpora/inaugural", "corpora/masc_written"]


def _wi_fce_train(skip=None):
    pairs = [p for f in _WI_TRAIN for p in readers.read_m2_pairs(data_path(f), 0, skip=skip)]
    pairs += readers.read_fce_pairs(data_path("gec/fce.train.json"), skip=skip)
    return _single(pairs)


def _fce_test(skip=None):
    return _single(readers.read_fce_pairs(data_path(_FCE_TEST), skip=skip))


def _m2_references(files):
    return lambda skip=None: [
        e for f in files for e in readers.read_m2_references(data_path(f), skip=skip)]


def _line_aligned(files):
    def read(skip=None):
        paths = [data_path(f) for f in files]
        return readers.read_line_aligned(paths[0], paths[1:], skip=skip)
    return read


def _hashed(read_all, split):
    return lambda skip=None: _hash_split(read_all(skip=skip), split)


def _bisect(files):
    def read(skip=None):
        src, dst = (data_path(f) for f in files)
        return _single(readers.read_bisect_fusion(src, dst, skip=skip))
    return read


_bisect_all = _bisect(_BISECT)


def _wikisplit(file):
    return lambda skip=None: _single(readers.read_wikisplit_fusion(data_path(file), skip=skip))


def _corpus_files(split: str) -> list[str]:
    """Clean-text files, split by the hash rule on the file name (whole documents per split)."""
    files = []
    for folder in _CORPORA:
        for path in sorted(data_path(folder).glob("*.txt")):
            if in_validation(path.name) == (split == VALIDATION):
                files.append(f"{folder}/{path.name}")
    return files


def _clean_text(split):
    def read(skip=None):
        sentences = []
        for f in _corpus_files(split):
            if f.startswith("corpora/masc_written/"):
                sentences += [s.text for s in readers.read_tagged_corpus(data_path(f), skip=skip)]
            else:
                sentences += readers.read_plain_corpus(data_path(f), skip=skip)
        return [MultiReferenceExample(s, (s,)) for s in sentences]
    return read


class _LazyFiles(Sequence):
    """The clean-text file list needs the data directory, so it is listed on first use."""

    def __init__(self, split):
        self._split = split

    def _files(self):
        return _corpus_files(self._split)

    def __getitem__(self, i):
        return self._files()[i]

    def __len__(self):
        return len(self._files())


DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in [
        DatasetSpec(
            "gec_wi_fce",
            "GEC: W&I A/B/C train + FCE train (annotator 0); validation W&I A/B/C dev; "
            "test reads fce.test.json when present (FCE test only: W&I has no public test)",
            {TRAIN: (_WI_TRAIN + ["gec/fce.train.json"], _wi_fce_train),
             VALIDATION: (_WI_DEV, _m2_references(_WI_DEV)),
             TEST: ([_FCE_TEST], _fce_test)},
        ),
        DatasetSpec(
            "gec_jfleg",
            "Fluency GEC: JFLEG dev (4 references); test reads jfleg.test.* when present",
            {VALIDATION: (_JFLEG["dev"], _line_aligned(_JFLEG["dev"])),
             TEST: (_JFLEG["test"], _line_aligned(_JFLEG["test"]))},
        ),
        DatasetSpec(
            "gec_conll",
            "GEC: CoNLL-2013 test as validation; test reads conll14.test.m2 when present",
            {VALIDATION: (["gec/conll13.test.m2"], _m2_references(["gec/conll13.test.m2"])),
             TEST: (["gec/conll14.test.m2"], _m2_references(["gec/conll14.test.m2"]))},
        ),
        DatasetSpec(
            "fusion_wikisplit",
            "Sentence fusion (reversed WikiSplit): train = tune, validation = validation; "
            "test reads wikisplit.test.tsv when present",
            {TRAIN: (["fusion/wikisplit.tune.tsv"], _wikisplit("fusion/wikisplit.tune.tsv")),
             VALIDATION: (["fusion/wikisplit.validation.tsv"],
                          _wikisplit("fusion/wikisplit.validation.tsv")),
             TEST: ([_WIKISPLIT_TEST], _wikisplit(_WIKISPLIT_TEST))},
        ),
        DatasetSpec(
            "fusion_bisect",
            "Sentence fusion (reversed BiSECT valid), hash-split into train/validation; "
            "test reads bisect.test.{src,dst}.gz when present",
            {**{split: (_BISECT, _hashed(_bisect_all, split)) for split in (TRAIN, VALIDATION)},
             TEST: (_BISECT_TEST, _bisect(_BISECT_TEST))},
        ),
        DatasetSpec(
            "simplify_asset",
            "Simplification: ASSET valid (10 refs), hash-split; train has a pair per reference; "
            "test reads asset.test.{orig,simp.0..9} when present",
            {**{split: (_ASSET, _hashed(_line_aligned(_ASSET), split))
                for split in (TRAIN, VALIDATION)},
             TEST: (_ASSET_TEST, _line_aligned(_ASSET_TEST))},
        ),
        DatasetSpec(
            "simplify_turk",
            "Simplification: TurkCorpus tune (8 refs), hash-split; train has a pair per "
            "reference; test reads turk.test.{norm,turk.0..7} when present",
            {**{split: (_TURK, _hashed(_line_aligned(_TURK), split))
                for split in (TRAIN, VALIDATION)},
             TEST: (_TURK_TEST, _line_aligned(_TURK_TEST))},
        ),
        DatasetSpec(
            "clean_text",
            "Clean text for pre-training: State of the Union, inaugural, MASC; split by file",
            {split: (_LazyFiles(split), _clean_text(split)) for split in (TRAIN, VALIDATION)},
            training_text_only=True,
            always_skip_bad_lines=True,
        ),
    ]
}


def remove_overlap(
    train: list[MultiReferenceExample], validation: list[MultiReferenceExample]
) -> tuple[list[MultiReferenceExample], int]:
    """Drops training examples whose source occurs in validation; returns (kept, removed)."""
    held_out = {e.source for e in validation}
    kept = [e for e in train if e.source not in held_out]
    return kept, len(train) - len(kept)


def get_dataset(name: str) -> DatasetSpec:
    if name not in DATASETS:
        raise KeyError(f"unknown data set {name!r}; known: {', '.join(sorted(DATASETS))}")
    return DATASETS[name]


def load_split(name: str, split: str, skip_bad_lines: bool = False) -> LoadedSplit:
    """Reads one split of a built-in data set, enforcing that train never meets validation."""
    spec = get_dataset(name)
    spec._check_split(split)
    files, read = spec.splits[split]
    tolerant = skip_bad_lines or spec.always_skip_bad_lines
    skip = SkipReport() if tolerant else None
    paths = [str(data_path(f)) for f in files]  # raises, naming the path, when one is missing
    examples = read(skip=skip)
    removed = 0
    if split == TRAIN and VALIDATION in spec.splits:
        validation = spec.splits[VALIDATION][1](skip=SkipReport() if tolerant else None)
        examples, removed = remove_overlap(examples, validation)
    return LoadedSplit(examples, paths, skip, removed)
