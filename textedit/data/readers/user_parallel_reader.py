"""Readers for a user's own parallel data: TSV, JSONL, or line-aligned source/reference files.

- TSV: `source<TAB>target[<TAB>more references...]`, one example per line.
- JSONL: one object per line with a source field and a target field (a string, or a list of
  references); field names are configurable.
- Line-aligned: a source file plus one or more reference files with the same number of lines.

Lines are read as every built-in reader reads them (textedit/data/readers/text_lines.py: UTF-8, CRLF
tolerated, `.gz` decompressed), and malformed lines are reported with file and line.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from textedit.data.examples import MultiReferenceExample
from textedit.data.readers.malformed_input import MalformedInputError, SkipReport, handle
from textedit.data.readers.text_lines import read_json_objects, read_lines

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
    for number, line in read_lines(path):
        fields = line.split("\t")
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
    for number, record, line in read_json_objects(path):
        source = record.get(source_field) if record else None
        target = record.get(target_field) if record else None
        if isinstance(target, str):
            references = (target,)
        else:
            references = tuple(target) if isinstance(target, list) else ()
        if not isinstance(source, str) or not references or not all(
            isinstance(r, str) for r in references
        ):
            handle(MalformedInputError(path, number, expected, line or "an empty line"), skip)
            continue
        examples.append(MultiReferenceExample(source, references))
    return examples
