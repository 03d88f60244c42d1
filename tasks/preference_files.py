"""Reward-model pair tasks that add pairs to the policy half's human pairs: the West-of-N
experiment's training sets (docs/algorithms.md#reward-models, `textedit experiment west_of_n`).

    register_pairs_plus_files_task(["wo4.jsonl"])     # hh_pairs_policy_plus_file: human + file
    register_pairs_plus_judge_task(1234)              # hh_pairs_policy_plus_judge1234: human +
                                                      # the first 1234 judge-half human pairs

From gin: `MIXTURE_OR_TASK_NAME = @hh_pairs_policy_plus_file()` / `@hh_pairs_policy_plus_judge()`
(gin/experiments/rm_hh_west_of_n.gin, rm_hh_human_extra.gin).

Why these sets. The base reward model trains on the human pairs of the policy half
(`hh_pairs_policy`). West-of-N pairs are made on the judge half's prompts, whose human labels are
never read, so the synthetic pairs add prompts the base model has not seen. The control adds the
same number K of *human* pairs from the judge half instead: the first K in data order
(deterministic, and the West-of-N command also takes judge prompts in data order, so with
--max_prompts both draw from the same leading prompts). Every task has the features of
`hh_pairs` ("chosen", "rejected": `scored_text(prompt, response)`) and validates on the whole
validation split, so the three reward models are compared on the same pairs.

Pair files are read when the task is registered, so a malformed line stops the run at once with
file:line (textedit/data/readers/pair_file_reader.py), or is counted under --skip_bad_lines
(`SKIPPED`).
"""

from __future__ import annotations

import os
import random
from collections.abc import Sequence

import seqio
import tensorflow as tf

from tasks.preference import JUDGE_HALF, PAIR_FEATURES, POLICY_HALF, SIDES, half_pairs
from tasks.registration import SETTINGS
from textedit.data.dataset_catalog import TRAIN, VALIDATION
from textedit.data.preference_views import scored_text
from textedit.data.readers.malformed_input import SkipReport
from textedit.data.readers.pair_file_reader import read_pair_file
from textedit.data.readers.preference_reader import PreferencePair

PLUS_FILE_TASK = "hh_pairs_policy_plus_file"
PLUS_JUDGE_PREFIX = "hh_pairs_policy_plus_judge"
# Skipped lines of each pair file read under --skip_bad_lines, for reports.
SKIPPED: dict[str, SkipReport] = {}


def file_pairs(files: Sequence[str | os.PathLike]) -> list[PreferencePair]:
    """The pairs of every file, in order (MalformedInputError with file:line for a bad line)."""
    pairs = []
    for path in files:
        if not os.path.exists(path):
            raise FileNotFoundError(f"pair file {path} does not exist")
        skip = SkipReport() if SETTINGS.skip_bad_lines else None
        pairs += [p.as_preference_pair() for p in read_pair_file(path, skip)]
        if skip is not None:
            SKIPPED[str(path)] = skip
    return pairs


def judge_extra_pairs(count: int) -> list[PreferencePair]:
    """The first `count` human pairs of the judge half of train, in data order."""
    judge = half_pairs(TRAIN, JUDGE_HALF, SETTINGS.skip_bad_lines).pairs
    if not 0 <= count <= len(judge):
        raise ValueError(f"{count} extra judge-half pairs asked for; the half has {len(judge)}")
    return judge[:count]


def _register(name: str, extra: list[PreferencePair]) -> seqio.Task:
    """Registers (replacing) `name`: train = policy-half human pairs + `extra`; validation =
    the whole validation split."""

    def dataset_fn(split: str, shuffle_files: bool, seed: int | None = None) -> tf.data.Dataset:
        pairs = half_pairs(split, POLICY_HALF, SETTINGS.skip_bad_lines).pairs
        if split == TRAIN:
            pairs = pairs + extra
        records = [{side: scored_text(p.prompt, getattr(p, side)) for side in SIDES}
                   for p in pairs]
        if shuffle_files:  # in memory, so this is the file-level shuffle (as hh_pairs)
            random.Random(seed).shuffle(records)
        return tf.data.Dataset.from_generator(
            lambda: iter(records),
            output_signature={side: tf.TensorSpec([], tf.string) for side in SIDES})

    seqio.TaskRegistry.remove(name)
    return seqio.TaskRegistry.add(
        name,
        source=seqio.FunctionDataSource(dataset_fn, splits=[TRAIN, VALIDATION]),
        preprocessors=[seqio.preprocessors.tokenize, seqio.preprocessors.append_eos],
        output_features=PAIR_FEATURES,
    )


def register_pairs_plus_files_task(files: Sequence[str | os.PathLike],
                                   name: str = PLUS_FILE_TASK) -> seqio.Task:
    """Policy-half human pairs + the pairs of `files` (e.g. `textedit west_of_n` output)."""
    if not files:
        raise ValueError(f"{name}: no pair files given")
    return _register(name, file_pairs(files))


def plus_judge_task_name(count: int) -> str:
    return f"{PLUS_JUDGE_PREFIX}{count}"


def register_pairs_plus_judge_task(count: int, name: str | None = None) -> seqio.Task:
    """Policy-half human pairs + the first `count` judge-half human pairs (the control)."""
    return _register(name or plus_judge_task_name(count), judge_extra_pairs(count))


def hh_pairs_policy_plus_file(files: Sequence[str]) -> str:
    """`register_pairs_plus_files_task` for gin: returns the task's name."""
    return register_pairs_plus_files_task(list(files)).name


def hh_pairs_policy_plus_judge(extra_pairs: int | None = None,
                               same_count_as: Sequence[str] = ()) -> str:
    """`register_pairs_plus_judge_task` for gin: K = `extra_pairs`, or the number of pairs in
    the `same_count_as` files (the West-of-N files the control is matched to); returns the
    task's name."""
    if (extra_pairs is None) == (not same_count_as):
        raise ValueError("give exactly one of extra_pairs and same_count_as")
    count = extra_pairs if extra_pairs is not None else len(file_pairs(same_count_as))
    return register_pairs_plus_judge_task(count).name
