"""GEC on the embedded default data: no data directory needed.

    import tasks.gec_embedded  # registers gec_embedded and edit5_gec_embedded
    ds = seqio.get_mixture_or_task("gec_embedded").get_dataset(None, split="validation")

Data: textedit.data.embedded, 318 sentences that ship with the package, noised with the project's
GecNoiser at build time (seeded: the same pairs in every run); source = noised, target = clean.
Splits train (about 1,000 pairs: four noised versions of each training sentence) and validation
(31 pairs). What `textedit main` runs on when no data directory is found (gin/experiments/
edit5_gec_embedded.gin): a smoke test of the whole path, not a benchmark.

Metrics: those of gec_synthetic, exact match and GLEU against the clean sentence.
"""

from __future__ import annotations

from tasks.edit_tasks import register_edit_task
from tasks.gec_synthetic import METRICS
from tasks.registration import LOADED, register_text_task
from textedit.data import embedded
from textedit.data.dataset_catalog import LoadedSplit

TASK_NAME = "gec_embedded"


def load_embedded_split(split: str, seed: int = embedded.NOISE_SEED) -> LoadedSplit:
    """A split of the embedded pairs; `files` names the package file they come from."""
    return LoadedSplit(list(embedded.embedded_pairs(split, seed)), [embedded.MANIFEST_NAME])


def register_gec_embedded_task(name: str = TASK_NAME, seed: int = embedded.NOISE_SEED,
                               edit_task: bool = True) -> None:
    """Registers `name` (and `edit5_<name>`), replacing an earlier registration and its reads."""
    for key in [key for key in LOADED if key[0] == name]:
        del LOADED[key]
    register_text_task(name, list(embedded.SPLITS),
                       lambda split, skip: load_embedded_split(split, seed), METRICS)
    if edit_task:
        register_edit_task(name)


register_gec_embedded_task()
