"""Grammatical error correction tasks: W&I + FCE, JFLEG, CoNLL.

Metrics, as each benchmark reports itself:
- gec_wi_fce, gec_conll: ERRANT span-based correction F0.5 against the *gold* M2 edits of the
  split's files, used as they are (textedit.metrics.gold_m2_errant), plus exact match against
  any annotator's target. gec_wi_fce's test split is FCE test (`fce.test.json`; W&I has no
  public test set), published as JSON, not M2: there ERRANT extracts the gold edits from the
  corrected sentences with spaCy tokenisation (`errant_score(..., tokenise=True)`), as the
  BEA-2019 `json_to_m2.py` builds FCE's M2 files.
- gec_jfleg: GLEU against the four references (JFLEG's own metric), ERRANT F0.5 with the
  references' edits extracted from the parallel text (errant_parallel, as for any corrected
  text; about 16 s for the 754 dev sentences on 2 cores), plus exact match.
"""

from __future__ import annotations

from pathlib import Path

from tasks.registration import SETTINGS, loaded_split, register_catalog_task
from textedit.data import dataset_catalog
from textedit.data.data_dir import data_path
from textedit.metrics.errant_metric import errant_score, errant_type_counts
from textedit.metrics.gold_m2_errant import SplitFiles, gold_m2_errant_metric
from textedit.metrics.seqio_adapters import MetricFn, text_of, unpack_targets


def _m2_split_files(name: str) -> dict[str, SplitFiles]:
    """Split -> its M2 paths in reading order, for the splits read only from M2 files.

    Paths resolve when called, so `--data_dir` set after import counts; a missing file raises
    DataFileNotFoundError (a FileNotFoundError: the split is absent, e.g. an uninstalled test set).
    """
    spec = dataset_catalog.get_dataset(name)

    def files(split: str) -> SplitFiles:
        return lambda: [data_path(f) for f in spec.files(split)]

    return {split: files(split) for split in spec.splits
            if all(Path(f).suffix == ".m2" for f in spec.files(split))}


def _held_out_non_m2_splits(name: str) -> list[str]:
    """Held-out splits of `name` read from files other than M2 (gec_wi_fce: the FCE JSON test)."""
    spec = dataset_catalog.get_dataset(name)
    m2 = _m2_split_files(name)
    return [split for split in spec.splits if split != dataset_catalog.TRAIN and split not in m2]


def _normalised(text: str) -> str:
    return " ".join(text.split())


def gold_m2_errant(name: str) -> MetricFn:
    """ERRANT against the gold M2 edits of data set `name`, honouring --skip_bad_lines.

    For a held-out split read from non-M2 files (FCE JSON), targets that are that split's
    examples, in order (or a prefix of them), are scored against the edits ERRANT extracts from
    their references (spaCy-tokenised); anything else goes to the gold-M2 metric.
    """
    spec = dataset_catalog.get_dataset(name)
    gold = gold_m2_errant_metric(
        _m2_split_files(name),
        skip_bad_lines=lambda: SETTINGS.skip_bad_lines or spec.always_skip_bad_lines)
    parallel_splits = _held_out_non_m2_splits(name)
    if not parallel_splits:
        return gold

    def load(split: str, skip: bool):  # the task's own loader: shares its cached read
        return dataset_catalog.load_split(name, split, skip_bad_lines=skip)

    def matches_parallel_split(sources) -> bool:
        """Whether the targets are (a prefix of) a held-out split read from non-M2 files."""
        for split in parallel_splits:
            try:
                examples = loaded_split(name, split, load).examples
            except FileNotFoundError:  # not installed: cannot be where the targets come from
                continue
            if len(sources) <= len(examples) and all(
                    _normalised(s) == _normalised(e.source)
                    for s, e in zip(sources, examples, strict=False)):
                return True
        return False

    def parallel_scorer(targets, predictions):
        """indices -> ERRANT of those examples against their references' extracted edits."""
        sources, references, _ = unpack_targets(targets)
        if len(predictions) != len(sources):
            raise ValueError(f"ERRANT: {len(sources)} targets but {len(predictions)} "
                             f"predictions.")
        texts = [text_of(p) for p in predictions]
        return lambda indices: errant_score(
            [sources[i] for i in indices], [texts[i] for i in indices],
            [references[i] for i in indices], tokenise=True)

    def subset_scorer(targets, predictions):  # for the paired bootstrap (paired_bootstrap.py)
        if matches_parallel_split(unpack_targets(targets)[0]):
            return parallel_scorer(targets, predictions)
        return gold.subset_scorer(targets, predictions)

    def type_counts(targets, predictions, level: str = "main"):  # evaluate --errant_types
        sources, references, _ = unpack_targets(targets)
        if matches_parallel_split(sources):
            return errant_type_counts(sources, [text_of(p) for p in predictions], references,
                                      level=level, tokenise=True)
        return gold.type_counts(targets, predictions, level)

    def errant(targets, predictions) -> dict[str, float]:
        return subset_scorer(targets, predictions)(range(len(predictions)))

    errant.subset_scorer = subset_scorer
    errant.type_counts = type_counts
    errant.__doc__ = gold.__doc__
    return errant


register_catalog_task("gec_wi_fce", [gold_m2_errant("gec_wi_fce"), "exact_match"])
register_catalog_task("gec_conll", [gold_m2_errant("gec_conll"), "exact_match"])
register_catalog_task("gec_jfleg", ["gleu", "errant", "exact_match"])
