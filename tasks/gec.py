"""Grammatical error correction tasks: W&I + FCE, JFLEG, CoNLL.

Metrics, as each benchmark reports itself:
- gec_wi_fce, gec_conll: ERRANT span-based correction F0.5 against the *gold* M2 edits of the
  split's files, used as they are (textedit.metrics.gold_m2_errant), plus exact match against
  any annotator's target.
- gec_jfleg: GLEU against the four references (JFLEG's own metric), ERRANT F0.5 with the
  references' edits extracted from the parallel text (errant_parallel, as for any corrected
  text; about 16 s for the 754 dev sentences on 2 cores), plus exact match.
"""

from __future__ import annotations

from pathlib import Path

from tasks.registration import SETTINGS, register_catalog_task
from textedit.data import dataset_catalog
from textedit.data.data_dir import data_path
from textedit.metrics.gold_m2_errant import SplitFiles, gold_m2_errant_metric
from textedit.metrics.seqio_adapters import MetricFn


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


def gold_m2_errant(name: str) -> MetricFn:
    """ERRANT against the gold M2 edits of data set `name`, honouring --skip_bad_lines."""
    spec = dataset_catalog.get_dataset(name)
    return gold_m2_errant_metric(
        _m2_split_files(name),
        skip_bad_lines=lambda: SETTINGS.skip_bad_lines or spec.always_skip_bad_lines)


register_catalog_task("gec_wi_fce", [gold_m2_errant("gec_wi_fce"), "exact_match"])
register_catalog_task("gec_conll", [gold_m2_errant("gec_conll"), "exact_match"])
register_catalog_task("gec_jfleg", ["gleu", "errant", "exact_match"])
