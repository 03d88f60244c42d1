#!/usr/bin/env python3
"""Benchmarks EdiT5 edit conversion (textedit.edits) on a real data set and prints its statistics.

    .venv/bin/python tools/benchmark_edits.py                      # all W&I train pairs
    .venv/bin/python tools/benchmark_edits.py --dataset wikisplit_fusion --examples 3
    .venv/bin/python tools/benchmark_edits.py --max_positions 33 --min_moved_run 2

Pairs are word tokens (whitespace split). Reading the files is timed apart from the conversion
(`convert_all`: alignment + plan, one core, no parallelism); `--repeat` converts several times and
reports the fastest run. The target: all 34,308 W&I training pairs in under 10 seconds.
Pairs that need more position tokens than `--max_positions` are counted and listed, not dropped.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DATASETS = ("wi_train", "wi_dev", "fce_train", "wikisplit_fusion", "bisect_fusion")


def read_pairs(dataset: str, annotator: int) -> list[tuple[str, str]]:
    """(source, target) text pairs of one of DATASETS (first annotator's target for GEC)."""
    from textedit.data.data_dir import data_path
    from textedit.data.fce_reader import read_fce_pairs
    from textedit.data.fusion_readers import read_bisect_fusion, read_wikisplit_fusion
    from textedit.data.m2_reader import read_m2_pairs

    if dataset in ("wi_train", "wi_dev"):
        split = dataset.split("_")[1]
        files = [f"gec/wi.{level}.{split}.m2" for level in "ABC"]
        examples = [e for f in files for e in read_m2_pairs(data_path(f), annotator)]
    elif dataset == "fce_train":
        examples = read_fce_pairs(data_path("gec/fce.train.json"), annotator)
    elif dataset == "wikisplit_fusion":
        examples = [
            e
            for split in ("tune", "validation")
            for e in read_wikisplit_fusion(data_path(f"fusion/wikisplit.{split}.tsv"))
        ]
    elif dataset == "bisect_fusion":
        examples = read_bisect_fusion(
            data_path("fusion/bisect.valid.src.gz"), data_path("fusion/bisect.valid.dst.gz")
        )
    else:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {DATASETS}")
    return [(e.source, e.target) for e in examples]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data_dir", help="data directory (default: $TEXTEDIT_DATA_DIR, else ../shared/data)"
    )
    parser.add_argument(
        "--dataset",
        choices=DATASETS,
        default="wi_train",
        help="which pairs to convert (default %(default)s)",
    )
    parser.add_argument(
        "--annotator",
        type=int,
        default=0,
        help="GEC annotator whose target is used (default %(default)s)",
    )
    parser.add_argument(
        "--max_positions",
        type=int,
        default=None,
        help="position tokens available; pairs needing more are reported as "
        "failures (default: unlimited)",
    )
    parser.add_argument(
        "--min_moved_run",
        type=int,
        default=1,
        help="shortest run the alignment may re-order (default %(default)s = keep the most tokens)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="convert this many times and report the fastest (default 1)",
    )
    parser.add_argument(
        "--examples",
        type=int,
        default=0,
        help="print this many re-ordered pairs with format_alignment",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    from textedit.data.data_dir import get_data_dir, set_data_dir
    from textedit.edits import convert_all, edit_stats, format_alignment

    set_data_dir(args.data_dir)
    print(f"data directory: {get_data_dir()}")
    start = time.perf_counter()
    pairs = [(s.split(), t.split()) for s, t in read_pairs(args.dataset, args.annotator)]
    print(f"read {len(pairs)} {args.dataset} pairs in {time.perf_counter() - start:.2f} s")

    timings = []
    for _ in range(max(1, args.repeat)):
        start = time.perf_counter()
        report = convert_all(
            pairs, max_positions=args.max_positions, min_moved_run=args.min_moved_run
        )
        timings.append(time.perf_counter() - start)
    seconds = min(timings)
    print(f"converted {len(pairs)} pairs in {seconds:.2f} s ({len(pairs) / seconds:,.0f} pairs/s)")
    print(edit_stats(pairs, report).format())

    shown = 0
    for (source, _), plan in zip(pairs, report.plans, strict=True):
        if shown >= args.examples:
            break
        if plan is not None and plan.is_reordered():
            print()
            print(format_alignment(source, plan))
            shown += 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
