"""Register a task from your own parallel files, so it trains and evaluates like the built-ins.

    from tasks.user_data import register_parallel_task
    register_parallel_task(
        "my_gec",
        train="data/train.tsv",                           # source<TAB>target
        validation=("data/dev.src", "data/dev.ref0", "data/dev.ref1"),  # line-aligned files
    )

The same from gin (any tool that takes --gin_file calls `user_parallel_tasks` after parsing):

    user_parallel_tasks.tasks = [
        {"name": "my_gec", "train": "data/train.tsv", "validation": "data/dev.jsonl"},
    ]

Each split is a TSV file, a JSONL file (`source_field` / `target_field`, target a string or a list
of references), or a list of line-aligned files (source, reference 1, reference 2, ...). Relative
paths are taken as they are (relative to the working directory), not to the data directory.
As for the built-in tasks, training examples whose source also appears in validation are removed
and counted; malformed lines raise (file and line) unless `--skip_bad_lines` is set.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from tasks.registration import Metric, register_text_task
from textedit.data import readers
from textedit.data.dataset_catalog import TRAIN, VALIDATION, LoadedSplit, remove_overlap
from textedit.data.readers.malformed_input import SkipReport
from textedit.data.readers.user_parallel_reader import (
    FORMATS,
    infer_format,
    read_jsonl_pairs,
    read_tsv_pairs,
)

SplitSpec = str | os.PathLike | Sequence[str | os.PathLike]


def _read(spec: SplitSpec, fmt: str, source_field: str, target_field: str, skip):
    fmt = infer_format(spec) if fmt == "auto" else fmt
    if fmt not in FORMATS:
        raise ValueError(f"format must be 'auto' or one of {FORMATS}, got {fmt!r}")
    paths = list(spec) if isinstance(spec, (list, tuple)) else [spec]
    for path in paths:
        if not os.path.exists(path):
            raise FileNotFoundError(f"user task file {path} does not exist")
    if fmt == "lines":
        if len(paths) < 2:
            raise ValueError(f"line-aligned data needs a source and reference file(s): {paths}")
        return readers.read_line_aligned(paths[0], paths[1:], skip=skip), paths
    if len(paths) != 1:
        raise ValueError(f"format {fmt!r} takes one file per split, got {paths}")
    if fmt == "tsv":
        return read_tsv_pairs(paths[0], skip=skip), paths
    return read_jsonl_pairs(paths[0], source_field, target_field, skip=skip), paths


def register_parallel_task(
    name: str,
    train: SplitSpec | None = None,
    validation: SplitSpec | None = None,
    test: SplitSpec | None = None,
    format: str = "auto",
    source_field: str = "source",
    target_field: str = "target",
    metrics: Sequence[Metric] = ("exact_match",),
):
    """Registers SeqIO task `name` over the given split files; returns the seqio.Task."""
    splits = {s: spec for s, spec in
              ((TRAIN, train), (VALIDATION, validation), ("test", test)) if spec is not None}
    if not splits:
        raise ValueError(f"register_parallel_task({name!r}) needs at least one split")

    def load(split: str, skip_bad_lines: bool) -> LoadedSplit:
        skip = SkipReport() if skip_bad_lines else None
        examples, paths = _read(splits[split], format, source_field, target_field, skip)
        removed = 0
        if split == TRAIN and VALIDATION in splits:
            validation_examples = _read(
                splits[VALIDATION], format, source_field, target_field, None)[0]
            examples, removed = remove_overlap(examples, validation_examples)
        return LoadedSplit(examples, [str(p) for p in paths], skip, removed)

    return register_text_task(name, list(splits), load, metrics)


def user_parallel_tasks(tasks: Sequence[dict] = ()) -> list[str]:
    """Registers every dict in `tasks` (keyword arguments of register_parallel_task).

    Gin-configurable from the CLI (`user_parallel_tasks.tasks = [...]`); returns the names.
    """
    return [register_parallel_task(**spec).name for spec in tasks]
