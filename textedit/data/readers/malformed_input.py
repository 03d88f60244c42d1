"""Errors for malformed input and the `skip_bad_lines` bookkeeping shared by every reader.

A reader never drops data silently: a malformed record raises `MalformedInputError` naming the file,
the line and what was expected, unless the caller passes a `SkipReport`, which counts each skipped
record (with its first few reasons) so the caller can report it.
"""

from __future__ import annotations

import dataclasses
import os


class MalformedInputError(ValueError):
    """A record that does not follow its format: names file, 1-based line and the expectation."""

    def __init__(self, path: str | os.PathLike, line: int, expected: str, got: str = ""):
        self.path, self.line, self.expected = str(path), line, expected
        message = f"{path}:{line}: expected {expected}"
        if got:
            message += f", got {got[:120]!r}"
        super().__init__(message)


@dataclasses.dataclass
class SkipReport:
    """Counts records skipped under `skip_bad_lines`; keeps the first `keep` errors as examples."""

    keep: int = 5
    skipped: int = 0
    examples: list[str] = dataclasses.field(default_factory=list)

    def record(self, error: MalformedInputError) -> None:
        self.skipped += 1
        if len(self.examples) < self.keep:
            self.examples.append(str(error))

    def summary(self) -> str:
        if not self.skipped:
            return "no malformed records skipped"
        return f"skipped {self.skipped} malformed record(s), e.g.: " + "; ".join(self.examples)


def handle(error: MalformedInputError, skip: SkipReport | None) -> None:
    """Raises `error` unless a SkipReport is given, in which case it is counted."""
    if skip is None:
        raise error
    skip.record(error)
