"""Edit conversion speed (`textedit benchmark edits`): EdiT5 edit conversion (textedit.edits) on a
real data set, timed, with its statistics.

Pairs are word tokens (whitespace split). Reading the files is timed apart from the conversion
(`convert_all`: alignment + plan, one core, no parallelism); `--repeat` converts several times and
reports the fastest run. The target: all 34,308 W&I training pairs in under 10 seconds.
Pairs that need more position tokens than `--max_positions` are counted and listed, not dropped.
`benchmark_edits` takes the flags as its parameters, named alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable

DATASETS = ("wi_train", "wi_dev", "fce_train", "wikisplit_fusion", "bisect_fusion")


def read_pairs(dataset: str, annotator: int, skip=None) -> list[tuple[str, str]]:
    """(source, target) text pairs of one of DATASETS (first annotator's target for GEC) from the
    current data directory; `skip` (a `SkipReport`) counts malformed records instead of failing."""
    from textedit.data.data_dir import data_path
    from textedit.data.readers.fce_reader import read_fce_pairs
    from textedit.data.readers.fusion_readers import read_bisect_fusion, read_wikisplit_fusion
    from textedit.data.readers.m2_reader import read_m2_pairs

    if dataset in ("wi_train", "wi_dev"):
        split = dataset.split("_")[1]
        files = [f"gec/wi.{level}.{split}.m2" for level in "ABC"]
        examples = [e for f in files for e in read_m2_pairs(data_path(f), annotator, skip)]
    elif dataset == "fce_train":
        examples = read_fce_pairs(data_path("gec/fce.train.json"), annotator, skip)
    elif dataset == "wikisplit_fusion":
        examples = [
            e
            for split in ("tune", "validation")
            for e in read_wikisplit_fusion(data_path(f"fusion/wikisplit.{split}.tsv"), skip)
        ]
    elif dataset == "bisect_fusion":
        examples = read_bisect_fusion(
            data_path("fusion/bisect.valid.src.gz"), data_path("fusion/bisect.valid.dst.gz"), skip
        )
    else:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {DATASETS}")
    return [(e.source, e.target) for e in examples]


def benchmark_edits(dataset: str = "wi_train", *, annotator: int = 0,
                    max_positions: int | None = None, min_moved_run: int = 1, repeat: int = 1,
                    examples: int = 0, skip_bad_lines: bool = False,
                    out: Callable[[str], None] = print) -> None:
    """Reads `dataset`, converts it (the fastest of `repeat` runs) and writes timings, the
    statistics and `examples` re-ordered pairs (format_alignment) through `out`."""
    from textedit.data.data_dir import get_data_dir
    from textedit.data.readers.malformed_input import SkipReport
    from textedit.edits import convert_all, edit_stats, format_alignment

    out(f"data directory: {get_data_dir()}")
    skip = SkipReport() if skip_bad_lines else None
    start = time.perf_counter()
    pairs = [(s.split(), t.split()) for s, t in read_pairs(dataset, annotator, skip)]
    out(f"read {len(pairs)} {dataset} pairs in {time.perf_counter() - start:.2f} s")
    if skip is not None:
        out(skip.summary())

    timings = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        report = convert_all(pairs, max_positions=max_positions, min_moved_run=min_moved_run)
        timings.append(time.perf_counter() - start)
    seconds = min(timings)
    out(f"converted {len(pairs)} pairs in {seconds:.2f} s ({len(pairs) / seconds:,.0f} pairs/s)")
    out(edit_stats(pairs, report).format())

    shown = 0
    for (source, _), plan in zip(pairs, report.plans, strict=True):
        if shown >= examples:
            break
        if plan is not None and plan.is_reordered():
            out("")
            out(format_alignment(source, plan))
            shown += 1
