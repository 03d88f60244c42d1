"""Registers text-to-text SeqIO tasks over the data-set catalog or a user's loader.

Every task: source = in-memory examples (read when a dataset is first built, then cached per data
directory), preprocessors = tokenize + append EOS, postprocess_fn = `postprocess_text`,
metric_fns = the given metrics (exact match by default): each a registered scorer name such as
"sari" (wrapped by `seqio_metric`) or a ready SeqIO metric_fn (e.g. tasks/gec.py's gold-M2 ERRANT).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import seqio

from tasks.features import OUTPUT_FEATURES
from textedit.data import dataset_catalog
from textedit.data.data_dir import find_data_dir
from textedit.data.dataset_catalog import LoadedSplit
from textedit.data.seqio_sources import examples_source, postprocess_text
from textedit.metrics.seqio_adapters import MetricFn, seqio_metric

# A task metric: a scorer name from textedit.metrics.METRICS, or a SeqIO metric_fn.
Metric = str | MetricFn


@dataclasses.dataclass
class Settings:
    """Process-wide options the tools set from their flags before building datasets."""

    skip_bad_lines: bool = False


SETTINGS = Settings()
# (task, split, data_dir, skip_bad_lines) -> what was read, for reports such as skipped lines
# (data_dir: str(find_data_dir()), "None" when there is none, as for the embedded tasks).
LOADED: dict[tuple, LoadedSplit] = {}


def loaded_split(task: str, split: str, load: Callable[[str, bool], LoadedSplit]) -> LoadedSplit:
    """Reads (once per data directory and option) and returns a split of `task`."""
    key = (task, split, str(find_data_dir()), SETTINGS.skip_bad_lines)
    if key not in LOADED:
        LOADED[key] = load(split, SETTINGS.skip_bad_lines)
    return LOADED[key]


def register_text_task(
    name: str,
    splits: Sequence[str],
    load: Callable[[str, bool], LoadedSplit],
    metric_names: Sequence[Metric] = ("exact_match",),
) -> seqio.Task:
    """Registers `name` (replacing a previous registration of the same name).

    `metric_names` may mix scorer names and metric_fns (the name is kept for older callers).
    """
    source = examples_source(lambda split: loaded_split(name, split, load).examples, list(splits))
    seqio.TaskRegistry.remove(name)
    return seqio.TaskRegistry.add(
        name,
        source=source,
        preprocessors=[seqio.preprocessors.tokenize, seqio.preprocessors.append_eos],
        output_features=OUTPUT_FEATURES,
        postprocess_fn=postprocess_text,
        metric_fns=[as_metric_fn(m) for m in metric_names],
    )


def as_metric_fn(metric: Metric) -> MetricFn:
    """A SeqIO metric_fn for a scorer name, or the metric_fn itself."""
    return seqio_metric(metric) if isinstance(metric, str) else metric


def register_catalog_task(name: str, metric_names: Sequence[Metric] = ("exact_match",)) -> None:
    """Registers the built-in data set `name` from textedit.data.dataset_catalog."""
    spec = dataset_catalog.get_dataset(name)
    register_text_task(
        name,
        list(spec.splits),
        lambda split, skip: dataset_catalog.load_split(name, split, skip_bad_lines=skip),
        metric_names,
    )
