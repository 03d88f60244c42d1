"""Synthetic GEC: learner-like errors made in clean sentences; source = noised, target = clean.

    import tasks.gec_synthetic  # registers gec_synthetic and edit5_gec_synthetic
    ds = seqio.get_mixture_or_task("gec_synthetic").get_dataset(None, split="train")

Data: the sentences of `clean_text` (same train / validation files; read once and shared with
that task's cache). Errors: textedit.data.noise.gec_noise.GecNoiser (articles, prepositions,
punctuation, verb forms, noun number, agreement, missing and extra words, keyboard typos) at the
per-token rates of the W&I *training* M2 files (never the dev files, which are gec_wi_fce's
validation), estimated once per data directory and kept in memory; about 6 errors per 100
tokens; 39% of train and 42% of validation sentences stay unchanged (W&I train: 33%).

Reproducible: an example's errors are a function of (NOISE_SEED, the sentence, its occurrence
number among identical sentences of the split), so every run, order and process sees the same
pairs. Sentences are noised when first read, and kept.

Same output features and vocabulary as the GEC tasks; metrics: exact match and GLEU against the
clean sentence (the noised source copied as output: exact match 42, GLEU 71 on validation).
Variants (another seed or more noise): `register_gec_synthetic_task`.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence

import seqio

from tasks.edit_tasks import register_edit_task
from tasks.registration import LOADED, loaded_split, register_text_task
from textedit.data import dataset_catalog
from textedit.data.data_dir import data_path, get_data_dir
from textedit.data.dataset_catalog import LoadedSplit
from textedit.data.examples import MultiReferenceExample
from textedit.data.noise.gec_noise import ErrorRates, GecNoiser, estimate_error_rates
from textedit.metrics.seqio_adapters import seqio_metric

TASK_NAME = "gec_synthetic"
SOURCE_TASK = "clean_text"
NOISE_SEED = 0
NOISE_SCALE = 1.0  # x the W&I training rates
RATE_FILES = tuple(f"gec/wi.{level}.train.m2" for level in "ABC")  # training data only
# One reference per sentence: every GLEU sampling round picks it, so one round gives the
# 500-round number (4 s instead of 90 s on the 7.5k validation sentences).
METRICS = ("exact_match", seqio_metric("gleu", iterations=1))


@functools.cache
def _rates_in(data_dir: str) -> ErrorRates:
    return estimate_error_rates([data_path(f, data_dir) for f in RATE_FILES])


def wi_train_error_rates() -> ErrorRates:
    """The error rates of the W&I training M2 files of the current data directory (cached)."""
    return _rates_in(str(get_data_dir()))


class NoisedExamples(Sequence):
    """`clean` examples with their source noised on first access: (noised, (clean,))."""

    def __init__(self, clean: Sequence[MultiReferenceExample], noiser: GecNoiser):
        self._clean = clean
        self._noiser = noiser
        seen: Counter = Counter()
        self._keys = []  # occurrence number of the sentence so far: copies get their own errors
        for example in clean:
            self._keys.append(seen[example.source])
            seen[example.source] += 1
        self._noised: list[MultiReferenceExample | None] = [None] * len(clean)

    def __len__(self) -> int:
        return len(self._clean)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if self._noised[index] is None:
            clean = self._clean[index].source
            noised = self._noiser.corrupt(clean, key=self._keys[index])
            self._noised[index] = MultiReferenceExample(noised, (clean,))
        return self._noised[index]


def _clean_split(split: str) -> LoadedSplit:
    """clean_text's split, through the shared cache of tasks.registration."""
    return loaded_split(
        SOURCE_TASK, split,
        lambda s, skip: dataset_catalog.load_split(SOURCE_TASK, s, skip_bad_lines=skip))


def load_noised_split(split: str, seed: int = NOISE_SEED, noise_scale: float = NOISE_SCALE
                      ) -> LoadedSplit:
    """A split of clean_text with noised sources; `files` adds the M2 files of the rates."""
    clean = _clean_split(split)
    noiser = GecNoiser(wi_train_error_rates(), seed=seed, noise_scale=noise_scale)
    files = clean.files + [str(data_path(f)) for f in RATE_FILES]
    return LoadedSplit(NoisedExamples(clean.examples, noiser), files, clean.skipped,
                       clean.removed_overlap)


def register_gec_synthetic_task(name: str = TASK_NAME, seed: int = NOISE_SEED,
                                noise_scale: float = NOISE_SCALE, edit_task: bool = True) -> None:
    """Registers `name` (and `edit5_<name>`) over clean_text with the given noise, replacing an
    earlier registration of `name` and what it had read."""
    for key in [key for key in LOADED if key[0] == name]:
        del LOADED[key]
    splits = list(dataset_catalog.get_dataset(SOURCE_TASK).splits)
    register_text_task(name, splits,
                       lambda split, skip: load_noised_split(split, seed, noise_scale), METRICS)
    if edit_task:
        register_edit_task(name)


register_gec_synthetic_task()

# W&I + FCE with synthetic pairs beside them (issue 14: do learner-like errors in more sentences,
# keyboard typos included, teach what the 62k human pairs do not?): train = gec_wi_fce's train
# examples then gec_synthetic's (shuffled together by the trainer), any whose source is also a
# gec_wi_fce validation source removed and counted; validation and test = gec_wi_fce's, with its
# metrics. The edit5_ twin is what EdiT5 trains on.
UNION_NAME = "gec_wi_fce_synthetic"
HUMAN_TASK = "gec_wi_fce"


def _catalog_split(name: str, split: str) -> LoadedSplit:
    return loaded_split(name, split,
                        lambda s, skip: dataset_catalog.load_split(name, s, skip_bad_lines=skip))


def load_union_split(split: str) -> LoadedSplit:
    """gec_wi_fce's split; for train, followed by gec_synthetic's train examples (minus any
    whose source is a gec_wi_fce validation source; counted in `removed_overlap`)."""
    human = _catalog_split(HUMAN_TASK, split)
    if split != dataset_catalog.TRAIN:
        return human
    synthetic = loaded_split(TASK_NAME, split, lambda s, skip: load_noised_split(s))
    validation = _catalog_split(HUMAN_TASK, dataset_catalog.VALIDATION).examples
    extra, removed = dataset_catalog.remove_overlap(list(synthetic.examples), validation)
    return LoadedSplit(list(human.examples) + extra, human.files + synthetic.files,
                       human.skipped, human.removed_overlap + removed)


def register_union_task() -> None:
    """Registers gec_wi_fce_synthetic and edit5_gec_wi_fce_synthetic (above)."""
    human = seqio.get_mixture_or_task(HUMAN_TASK)
    register_text_task(UNION_NAME, list(dataset_catalog.get_dataset(HUMAN_TASK).splits),
                       lambda split, skip: load_union_split(split), list(human.metric_fns))
    register_edit_task(UNION_NAME)


register_union_task()
