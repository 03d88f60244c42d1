"""Readers for a user's own parallel data: TSV, JSONL, or line-aligned source/reference files.

- TSV: `source<TAB>target[<TAB>more references...]`, one example per line.
- JSONL: one object per line with a source field and a target field (a string, or a list of
  references); field names are configurable.
- Line-aligned: a source file plus one or more reference files with the same number of lines.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from textedit.data.examples import MultiReferenceExample
from textedit.data.malformed_input import MalformedInputError, SkipReport, handle

FORMATS = ("tsv", "jsonl", "lines")


def infer_format(spec: str | os.PathLike | Sequence) -> str:
    """'lines' for a list of files, else from the extension (.tsv / .jsonl / .json)."""
    if isinstance(spec, (list, tuple)):
        return "lines"
    suffix = Path(spec).suffix.lower()
    if suffix in (".tsv", ".txt"):
        return "tsv"
    if suffix in (".jsonl", ".json"):
        return "jsonl"
    raise ValueError(f"cannot tell the format of {spec}: use .tsv or .jsonl, or pass format=")


def read_tsv_pairs(path, skip: SkipReport | None = None) -> list[MultiReferenceExample]:
    examples = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 2 or not fields[0].strip() or not all(x.strip() for x in fields[1:]):
                handle(MalformedInputError(path, number, "source<TAB>target[<TAB>...]", line), skip)
                continue
            examples.append(MultiReferenceExample(fields[0], tuple(fields[1:])))
    return examples


def read_jsonl_pairs(
    path, source_field: str = "source", target_field: str = "target",
    skip: SkipReport | None = None,
) -> list[MultiReferenceExample]:
    examples = []
    expected = f'a JSON object with string "{source_field}" and "{target_field}" (string or list)'
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                handle(MalformedInputError(path, number, expected, "an empty line"), skip)
                continue
            try:
                record = json.loads(line)
                source, target = record[source_field], record[target_field]
            except (json.JSONDecodeError, KeyError, TypeError):
                handle(MalformedInputError(path, number, expected, line), skip)
                continue
            references = (target,) if isinstance(target, str) else tuple(target)
            if not isinstance(source, str) or not references or not all(
                isinstance(r, str) for r in references
            ):
                handle(MalformedInputError(path, number, expected, line), skip)
                continue
            examples.append(MultiReferenceExample(source, references))
    return examples
