"""Reading a data file as text lines with 1-based line numbers (plain or gzip, UTF-8).

Every reader goes through here so that they all agree on three details:
- a `.gz` file is decompressed transparently;
- lines end at `\\n` only, and one trailing `\\r` is removed (the W&I M2 files have CRLF endings);
  a lone `\\r` inside a line is kept, because Python's universal newlines would otherwise split a
  record in two and shift every later line number;
- text is UTF-8 (a leading byte-order mark is dropped); a file that is not UTF-8 raises
  `MalformedInputError` naming the first bad line, since no record after it could be trusted.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from textedit.data.readers.malformed_input import MalformedInputError

_BOM = b"\xef\xbb\xbf"


def read_bytes(path: str | os.PathLike) -> bytes:
    """The file's bytes, gunzipped when the name ends in `.gz`."""
    if Path(path).suffix == ".gz":
        with gzip.open(path, "rb") as f:
            return f.read()
    return Path(path).read_bytes()


def read_text(path: str | os.PathLike) -> str:
    """The whole file as UTF-8 text; MalformedInputError (with the line) when it is not UTF-8."""
    return decode_text(read_bytes(path), path)


def decode_text(data: bytes, path: str | os.PathLike = "<stdin>") -> str:
    """Bytes (of `path`, for messages) as UTF-8 text, a leading byte-order mark dropped;
    MalformedInputError naming the first line that is not UTF-8."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        bad = data[error.start : error.start + 8]
        raise MalformedInputError(path, line, "UTF-8 text", f"the bytes {bad!r}") from None


def split_lines(text: str) -> list[str]:
    """Splits on `\\n` only, dropping one trailing `\\r` per line and the empty piece after a
    final newline (so "a\\nb\\n" and "a\\nb" are both two lines, "a\\n\\n" is "a" and "")."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def read_lines(path: str | os.PathLike) -> Iterator[tuple[int, str]]:
    """Yields `(line_number, line)` pairs, numbered from 1, without line terminators."""
    yield from enumerate(split_lines(read_text(path)), start=1)


def count_lines(path: str | os.PathLike) -> int:
    """The number of lines `read_lines` yields."""
    return len(split_lines(read_text(path)))


def read_json_objects(path: str | os.PathLike) -> Iterator[tuple[int, dict | None, str]]:
    """Yields `(line_number, record, line)` for a JSON-lines file; `record` is None when the line
    is not a JSON object, so the caller reports it with its own expectation."""
    for number, line in read_lines(path):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            record = None
        yield number, record if isinstance(record, dict) else None, line


def write_json_objects(path: str | os.PathLike, objects: Iterable[dict]) -> int:
    """Writes `objects` as JSON lines (UTF-8, one object a line, non-ASCII kept as is); returns
    the count. The writing twin of `read_json_objects`."""
    count = 0
    with open(path, "w", encoding="utf-8") as file:
        for record in objects:
            file.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count
