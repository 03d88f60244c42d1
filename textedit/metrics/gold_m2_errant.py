"""ERRANT F0.5 against gold M2 files as they are, as a SeqIO metric_fn.

A GEC benchmark distributed as M2 (W&I dev, CoNLL-2013/2014) is scored by running
`errant_parallel` on the system output and `errant_compare` against the *gold* M2 file, not against
edits re-extracted from the annotators' corrected sentences: the gold spans are what the benchmark
publishes (re-extraction merges and splits edits differently; see tests/test_evaluate.py).

SeqIO hands a metric_fn only the postprocessed targets, `{"source", "references"}` per example,
so this metric_fn finds the gold edits itself:

1. It reads the M2 files of every split it was given (once per file list, lazily, on the first
   call), in file order: the order in which the task's data source yields the split.
2. It picks the split whose M2 sentences have the targets' sources, one by one, in order (SeqIO
   evaluates a split in dataset order, with `shuffle=False`). The targets may be a prefix of the
   split (`seqio.Evaluator(num_examples=...)`); anything else is an error that names the first
   differing example, since scoring against the wrong sentence's edits would give a wrong number
   silently.
3. It calls `errant_score(sources, predictions, gold_edits=...)` with each sentence's edits grouped
   by annotator id, noop and UNK lines included (errant_compare needs them: a noop annotator is a
   candidate, UNK edits are dropped).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from textedit.data.readers.m2_reader import M2Edit, M2Sentence, read_m2
from textedit.data.readers.malformed_input import SkipReport
from textedit.metrics.errant_metric import errant_score, errant_type_counts
from textedit.metrics.seqio_adapters import MetricFn, text_of, unpack_targets

_logger = logging.getLogger(__name__)

SplitFiles = Callable[[], Sequence[str | os.PathLike]]


def gold_edits_by_annotator(sentence: M2Sentence) -> list[list[M2Edit]]:
    """[annotators] edit lists of one M2 block, list index = annotator id, in file order.

    A block without edit lines gives [] (errant_compare treats it as a single noop annotator); an
    id with no line in the block gets an empty list (not a candidate, as in errant_compare).
    """
    count = max((edit.annotator for edit in sentence.edits), default=-1) + 1
    per_annotator: list[list[M2Edit]] = [[] for _ in range(count)]
    for edit in sentence.edits:
        per_annotator[edit.annotator].append(edit)
    return per_annotator


def _normalised(text: str) -> str:
    return " ".join(text.split())


class _GoldM2Files:
    """Reads and caches the M2 sentences of each split; finds the split the targets come from."""

    def __init__(self, split_files: Mapping[str, SplitFiles], skip_bad_lines: Callable[[], bool]):
        self._split_files = dict(split_files)
        self._skip_bad_lines = skip_bad_lines
        self._cache: dict[tuple, list[tuple[str, M2Sentence]]] = {}
        self._lock = threading.Lock()

    def _sentences(self, paths: Sequence[str | os.PathLike]) -> list[tuple[str, M2Sentence]]:
        """(file, sentence) pairs of the files, in order; read once per file list and option."""
        skip = self._skip_bad_lines()
        key = (tuple(str(p) for p in paths), skip)
        with self._lock:
            if key not in self._cache:
                # The same skip rule as the task's reader, so both drop the same malformed blocks.
                self._cache[key] = [
                    (str(path), sentence)
                    for path in paths
                    for sentence in read_m2(path, skip=SkipReport() if skip else None)
                ]
            return self._cache[key]

    def match(self, sources: Sequence[str]) -> list[M2Sentence]:
        """The gold sentences of `sources` (the first len(sources) of the matching split)."""
        problems = []
        for split, files in self._split_files.items():
            try:
                paths = list(files())
            except FileNotFoundError as error:  # e.g. a test set that is not installed
                problems.append(f"{split}: absent ({error})")
                continue
            gold = self._sentences(paths)
            problem = _first_difference(sources, gold)
            if problem is None:
                if len(sources) < len(gold):
                    _logger.info("gold-M2 ERRANT: scoring the first %d of the %d sentences of %s.",
                                 len(sources), len(gold), split)
                return [sentence for _, sentence in gold[: len(sources)]]
            problems.append(f"{split} ({len(gold)} sentences in {', '.join(map(str, paths))}): "
                            f"{problem}")
        raise ValueError(
            f"gold-M2 ERRANT: the {len(sources)} targets are not the sentences of any split's M2 "
            f"files, in order (evaluate with shuffle=False):\n  " + "\n  ".join(problems)
        )


def _first_difference(sources: Sequence[str], gold: Sequence[tuple[str, M2Sentence]]) -> str | None:
    """None when `sources` are the first sentences of `gold`; else what differs first."""
    if len(sources) > len(gold):
        return f"{len(sources)} targets but only {len(gold)} M2 sentences"
    for i, (source, (path, sentence)) in enumerate(zip(sources, gold, strict=False)):
        if _normalised(source) != sentence.source:
            return (f"target {i} has source {source!r:.120} but {path}:{sentence.line} has "
                    f"{sentence.source!r:.120}")
    return None


def gold_m2_errant_metric(
    split_files: Mapping[str, SplitFiles],
    *,
    skip_bad_lines: Callable[[], bool] = lambda: False,
    **errant_kwargs: Any,
) -> MetricFn:
    """A SeqIO metric_fn scoring predictions with ERRANT against the gold edits of M2 files.

    Args:
      split_files: split name -> a function returning that split's M2 paths in the order the task
        reads them. Called at scoring time, so a data directory chosen after registration counts;
        a FileNotFoundError marks the split as absent.
      skip_bad_lines: whether malformed M2 blocks are skipped (as the task's reader skips them)
        rather than raising; read at scoring time.
      errant_kwargs: passed to `errant_score` (beta, tokenise, model).

    Returns:
      metric_fn(targets, predictions) -> errant_score's dict ("errant_f0.5", precision, recall,
      TP/FP/FN); named "errant".
    """
    gold_files = _GoldM2Files(split_files, skip_bad_lines)

    def matched(targets: Sequence[Any], predictions: Sequence[Any]):
        """(gold sentences, their per-annotator gold edits, prediction texts), aligned."""
        sources, _, _ = unpack_targets(targets)
        if len(predictions) != len(sources):
            raise ValueError(f"gold-M2 ERRANT: {len(sources)} targets but {len(predictions)} "
                             f"predictions.")
        sentences = gold_files.match(sources)
        return (sentences, [gold_edits_by_annotator(s) for s in sentences],
                [text_of(p) for p in predictions])

    def subset_scorer(targets: Sequence[Any], predictions: Sequence[Any]):
        """indices -> the scores of those sentences (with repeats), in that order: the gold
        sentences are matched once, on the whole split (paired_bootstrap.py)."""
        sentences, gold, texts = matched(targets, predictions)

        def score(indices: Sequence[int]) -> dict[str, float]:
            return errant_score(
                [sentences[i].source for i in indices],  # the S lines: the offsets refer to them
                [texts[i] for i in indices], gold_edits=[gold[i] for i in indices],
                **errant_kwargs)

        return score

    def errant(targets: Sequence[Any], predictions: Sequence[Any]) -> dict[str, float]:
        return subset_scorer(targets, predictions)(range(len(predictions)))

    def type_counts(targets: Sequence[Any], predictions: Sequence[Any], level: str = "main"):
        """{error category: ErrantCounts} against the gold edits (errant_type_counts)."""
        sentences, gold, texts = matched(targets, predictions)
        return errant_type_counts([s.source for s in sentences], texts, gold_edits=gold,
                                  level=level, **errant_kwargs)

    errant.__doc__ = "SeqIO metric_fn: ERRANT span-based correction F0.5 against gold M2 edits."
    errant.subset_scorer = subset_scorer
    errant.type_counts = type_counts
    return errant
