"""Low-resource variants of a task: a fixed share of its training pairs, the whole validation split.

    import tasks  # registers fusion_wikisplit_1pct, fusion_wikisplit_10pct and their edit5_ twins
    register_train_share_task("gec_wi_fce", 5)   # gec_wi_fce_5pct (+ edit5_gec_wi_fce_5pct)

The EdiT5 paper's low-resource experiment (its Table 2; docs/algorithms.md#span-corruption) trains
on 1%, 10% and 100% of the training data. A share task `<base>_<p>pct` is `<base>` with another
source: its `train` split keeps `round(n * p / 100)` pairs (at least one) chosen by a fixed
permutation of the `n` training pairs (textedit/data/train_share.py), so the shares are nested (the
1% pairs are among the 10% pairs) and the same on every run; the pairs keep their file order. Other
splits, the postprocess_fn and the metrics are the base task's: every share is scored on the same
validation examples. The edit twin `edit5_<base>_<p>pct` converts the same pairs
(tasks/edit_tasks.py).
"""

from __future__ import annotations

import dataclasses

import seqio

from tasks import fusion  # noqa: F401  (the base tasks must exist first)
from tasks.edit_tasks import register_edit_task
from tasks.registration import loaded_split
from textedit.data import dataset_catalog
from textedit.data.dataset_catalog import LoadedSplit
from textedit.data.seqio_sources import examples_source
from textedit.data.train_share import share_indices, share_task_name

TRAIN = "train"
# Built in: the shares of the low-resource experiment (`textedit experiment`); 100% = base task.
BUILTIN_SHARES = {"fusion_wikisplit": (1, 10)}


def register_train_share_task(base: str, percent: float, seed: int = 0) -> seqio.Task:
    """Registers `<base>_<percent>pct` and its edit twin over the catalog data set `base`.

    `base` must be a registered text task over the data-set catalog (its name is the data set's).
    Returns the text task; registering the same name again replaces both.
    """
    name = share_task_name(base, percent)
    base_task = seqio.get_mixture_or_task(base)
    splits = list(dataset_catalog.get_dataset(base).splits)

    def load(split: str, skip_bad_lines: bool) -> LoadedSplit:
        loaded = dataset_catalog.load_split(base, split, skip_bad_lines=skip_bad_lines)
        if split != TRAIN:
            return loaded
        kept = share_indices(len(loaded.examples), percent, seed)
        return dataclasses.replace(loaded, examples=[loaded.examples[i] for i in kept])

    task = base_task.replace(
        name=name,
        source=examples_source(lambda split: loaded_split(name, split, load).examples, splits),
    )
    seqio.TaskRegistry.remove(name)
    seqio.TaskRegistry.add_provider(name, task)
    register_edit_task(name)
    return task


for _base, _shares in BUILTIN_SHARES.items():
    for _percent in _shares:
        register_train_share_task(_base, _percent)
