"""SeqIO preprocessors that turn tokenised (inputs, targets) pairs into EdiT5 training features.

An edit task runs, in order (tasks/edit_tasks.py):

    tokenize -> append_eos -> convert_to_edit_features -> CacheDatasetPlaceholder
             -> filter_edit_lengths(sequence_length)

`convert_to_edit_features` is deterministic, so it sits before the cache placeholder: SeqIO's
offline cache (seqio_cache_tasks, Apache Beam) can store the converted features. Per example it
adds (n = source pieces, EOS excluded; layout in textedit/data/edit5/edit_features.py):

    inputs           int32 [n + 1]   unchanged: pieces + EOS; position n is also the START slot
    targets          int32 [m + 1]   unchanged: the plain target, kept for seq2seq-style metrics
    tags             int32 [n + 1]   KEEP 1 / DELETE 0; the EOS/START position is always KEEP
    pointers         int32 [n + 1]   next position in the output; a permutation of 0 .. n
    decoder_targets  int32 [d + 1]   <pos_k> span <pos_m> span ... EOS

and, with `target_positions=True` (distillation from a seq2seq teacher; off by default, so the
edit tasks and their caches are unchanged):

    decoder_target_positions  int32 [d + 1]   per decoder_targets position, the index j of its
                                              piece in `targets`; -1 at <pos_k> and EOS

Nothing is dropped silently. Two kinds of pair are filtered, each counted in `SKIPPED` (per task
label and reason) and logged with its numbers:
- `too_many_positions`: the insertions need `<pos_k>` with k >= the vocabulary's position tokens
  (only possible for sources of at least that many pieces). Filtering rather than raising keeps a
  training run alive over one overlong sentence; `textedit data --edit_stats TASK` reports
  the same pairs, with the count each needs, before any training starts.
- `inputs_too_long` / `decoder_targets_too_long` (`filter_edit_lengths`, after the cache, because
  it needs the requested `sequence_length`): SeqIO would otherwise trim `inputs` to the feature
  length, leaving tags and pointers that point past the end - a silently invalid plan. A trimmed
  decoder target would lose insertions and its EOS. With `targets` among the checked features
  (the teacher-feature tasks), `targets_too_long` too: a trimmed target would leave
  `decoder_target_positions` pointing past its end.
The counts cover what this process has streamed (every epoch counts again); examples read from an
offline cache were converted (and counted) by the caching job.
"""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import seqio
import tensorflow as tf

from textedit.data.edit5.edit_features import (
    check_decoder_target_positions,
    decoder_target_positions,
    plan_to_features,
)
from textedit.data.vocab.vocabulary import (
    VocabularyManifest,
    read_manifest,
    sentinel_table,
    word_start_table,
)
from textedit.edits import TooManyPositionsError, convert, convert_segments, convert_words

_LOG = logging.getLogger(__name__)
TOO_MANY_POSITIONS = "too_many_positions"
INPUTS_TOO_LONG = "inputs_too_long"
DECODER_TARGETS_TOO_LONG = "decoder_targets_too_long"
TARGETS_TOO_LONG = "targets_too_long"
TARGET_POSITIONS = "decoder_target_positions"


class SkipCounts:
    """Thread-safe counts of filtered examples, keyed by (task label, reason); logs as it counts.

    The first few skips of each kind are logged one by one, then every power of ten, so a data set
    with many overlong pairs still says how many without flooding the log.
    """

    _LOG_FIRST = 5

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: collections.Counter[tuple[str, str]] = collections.Counter()

    def record(self, label: str, reason: str, detail: str) -> None:
        with self._lock:
            self._counts[label, reason] += 1
            count = self._counts[label, reason]
        if count <= self._LOG_FIRST or _is_power_of_ten(count):
            _LOG.warning("%s: skipped example (%s; %d so far): %s",
                         label or "edit task", reason, count, detail)

    def get(self, label: str, reason: str) -> int:
        with self._lock:
            return self._counts[label, reason]

    def as_dict(self) -> dict[tuple[str, str], int]:
        with self._lock:
            return dict(self._counts)

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


def _is_power_of_ten(count: int) -> bool:
    while count % 10 == 0 and count > 1:
        count //= 10
    return count == 1


SKIPPED = SkipCounts()


def manifest_of(vocabulary: seqio.Vocabulary) -> VocabularyManifest:
    """The manifest next to a SentencePiece vocabulary's model file (read when a dataset is built,
    so tasks can register before the vocabulary is trained)."""
    model_file = getattr(vocabulary, "sentencepiece_model_file", None)
    if model_file is None:
        raise ValueError(f"{vocabulary!r} has no model file; pass the manifest explicitly")
    return read_manifest(Path(model_file).parent)


def convert_to_edit_features(
    dataset: tf.data.Dataset,
    output_features: Mapping[str, seqio.Feature],
    manifest: VocabularyManifest | None = None,
    min_moved_run: int = 1,
    label: str = "",
    word_aware: bool = False,
    target_positions: bool = False,
    segmented: bool = False,
    borrow: bool = True,
) -> tf.data.Dataset:
    """Adds `tags`, `pointers`, `decoder_targets` to tokenised examples ending in EOS.

    Args:
      dataset: examples with `inputs` int32 [n + 1] and `targets` int32 [m + 1], each ending in
        EOS (after `seqio.preprocessors.append_eos`); other features pass through.
      output_features: the task's features; `inputs`' vocabulary gives EOS and, without
        `manifest`, the position-token range.
      manifest: the vocabulary manifest (position ids and how many there are).
      min_moved_run: passed to `textedit.edits.convert` (`convert_words`: counted in words).
      label: names the task in `SKIPPED` and in the log.
      word_aware: convert whole words (`textedit.edits.convert_words`; words from the `inputs`
        vocabulary's `word_start_table`, pieces starting with "▁"): whole words are kept, deleted
        or inserted, never part of one. False: piece-level `textedit.edits.convert`.
      segmented: the inputs are segments separated by T5 sentinels (LMCor: x <extra_id_0> c_1
        ...); convert word-aware with `textedit.edits.convert_segments`, which takes each target
        word from the earliest segment that has it (x first). Needs `word_aware`.
      borrow: with `segmented`, whether later segments lend the words x lacks; False: they are
        all inserted (`convert_segments(borrow=False)`).

    Returns:
      The examples whose plans fit the position tokens, with the three features added; the rest
      are counted in `SKIPPED` under `too_many_positions`.
    """
    vocabulary = output_features["inputs"].vocabulary
    eos_id = vocabulary.eos_id
    if manifest is None:
        manifest = manifest_of(vocabulary)
    # Read when the dataset is built (the model file must exist by then), once per dataset.
    word_start = word_start_table(vocabulary) if word_aware else None
    if segmented and not word_aware:
        raise ValueError(f"{label}: segmented conversion is word-aware; pass word_aware=True")
    if not borrow and not segmented:
        raise ValueError(f"{label}: borrow=False needs segmented inputs (segmented=True)")
    separator = sentinel_table(vocabulary) if segmented else None
    names = ["tags", "pointers", "decoder_targets"] + ([TARGET_POSITIONS] if target_positions
                                                        else [])
    first_position = manifest.first_position_id

    def is_marker(token: int) -> bool:  # <pos_k> or EOS: no counterpart in the target
        return token == eos_id or 0 <= token - first_position < manifest.num_position_tokens

    def convert_pair(inputs: np.ndarray, targets: np.ndarray):
        for name, ids in (("inputs", inputs), ("targets", targets)):
            if not len(ids) or ids[-1] != eos_id:
                raise ValueError(f"{label}: {name} must end in EOS ({eos_id}); got {ids.tolist()}")
        source, target = inputs[:-1], targets[:-1]
        try:
            if word_start is None:
                plan = convert(source.tolist(), target.tolist(),
                               max_positions=manifest.num_position_tokens,
                               min_moved_run=min_moved_run)
            elif separator is not None:
                plan = convert_segments(source.tolist(), target.tolist(),
                                        word_start[source].tolist(), word_start[target].tolist(),
                                        separator[source].tolist(),
                                        max_positions=manifest.num_position_tokens,
                                        min_moved_run=min_moved_run, borrow=borrow)
            else:
                plan = convert_words(source.tolist(), target.tolist(),
                                     word_start[source].tolist(), word_start[target].tolist(),
                                     max_positions=manifest.num_position_tokens,
                                     min_moved_run=min_moved_run)
        except TooManyPositionsError as error:
            SKIPPED.record(label, TOO_MANY_POSITIONS,
                           f"{len(inputs) - 1} source pieces; {error}")
            return (*[np.zeros([0], np.int32)] * len(names), False)
        features = plan_to_features(plan, position_id=manifest.position_id, eos_id=eos_id)
        if target_positions:
            features[TARGET_POSITIONS] = decoder_target_positions(plan)
            check_decoder_target_positions(targets, features["decoder_targets"],
                                           features[TARGET_POSITIONS], is_marker)
        return (*[features[name] for name in names], True)

    def add_features(example):
        *values, ok = tf.numpy_function(
            convert_pair, [example["inputs"], example["targets"]],
            [tf.int32] * len(names) + [tf.bool], stateful=True)  # stateful: it counts skips
        example = dict(example)
        for name, value in zip(names, values, strict=True):
            value.set_shape([None])
            example[name] = value
        ok.set_shape([])
        example["_edit_ok"] = ok
        return example

    def drop_flag(example):
        example = dict(example)
        del example["_edit_ok"]
        return example

    return (dataset.map(add_features, num_parallel_calls=tf.data.AUTOTUNE)
            .filter(lambda example: example["_edit_ok"])
            .map(drop_flag))


def filter_edit_lengths(
    dataset: tf.data.Dataset,
    sequence_length: Mapping[str, int | None] | None = None,
    label: str = "",
    check_targets: bool = False,
) -> tf.data.Dataset:
    """Drops (and counts) examples whose `inputs` or `decoder_targets` exceed `sequence_length`.

    Runs after the cache placeholder, where SeqIO passes the requested lengths; without them
    (`sequence_length=None`, e.g. statistics over whole examples) every example passes.
    Tags and pointers have the length of `inputs`, so checking `inputs` covers them. An example
    too long on both sides is counted once, as `inputs_too_long`. `check_targets`: `targets`
    (when `sequence_length` names it) is checked too, after the others (`targets_too_long`);
    the teacher-feature tasks need it because `decoder_target_positions` index `targets`.
    """
    names = ("inputs", "decoder_targets") + (("targets",) if check_targets else ())
    limits = {name: (sequence_length or {}).get(name) for name in names}
    limits = {name: limit for name, limit in limits.items() if limit is not None}
    if not limits:
        return dataset
    reasons = {"inputs": INPUTS_TOO_LONG, "decoder_targets": DECODER_TARGETS_TOO_LONG,
               "targets": TARGETS_TOO_LONG}

    def check(*lengths: np.ndarray) -> bool:
        too_long = [(name, int(length), limit)
                    for (name, limit), length in zip(limits.items(), lengths, strict=True)
                    if length > limit]
        if too_long:  # one count per example, under its first reason (inputs before decoder)
            SKIPPED.record(label, reasons[too_long[0][0]], "; ".join(
                f"{name} has {length} ids > {limit}" for name, length, limit in too_long))
        return np.bool_(not too_long)

    def keep(example) -> tf.Tensor:
        lengths = [tf.size(example[name]) for name in limits]
        ok = tf.numpy_function(check, lengths, tf.bool, stateful=True)  # it counts skips
        ok.set_shape([])
        return ok

    return dataset.filter(keep)
