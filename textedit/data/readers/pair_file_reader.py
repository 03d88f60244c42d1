"""Preference-pair files: one (prompt, chosen, rejected) pair per JSON line, e.g. the synthetic
pairs `textedit west_of_n` writes (docs/algorithms.md#reward-models).

    {"prompt": "\\n\\nHuman: hi\\n\\nAssistant:", "chosen": " Hello!", "rejected": " No.",
     "margin": 2.3,                 # optional: the scoring reward model's R(chosen) - R(rejected)
     "source": "west_of_n"}         # optional: where the pair came from; other keys are kept

The prompt and responses are split as in the HH reader (`prompt + response` is the dialogue), so
a reward model reads a file pair exactly as it reads an HH pair (`scored_text`). A malformed line
(not a JSON object, a missing or non-string prompt / chosen / rejected, chosen equal to
rejected, a margin that is not a number, an empty line) raises `MalformedInputError` naming the
file and line, unless a `SkipReport` is given, which counts it.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Iterable

from textedit.data.readers.malformed_input import MalformedInputError, SkipReport, handle
from textedit.data.readers.preference_reader import PreferencePair
from textedit.data.readers.text_lines import read_json_objects, write_json_objects

KNOWN_KEYS = ("prompt", "chosen", "rejected", "margin", "source")


@dataclasses.dataclass(frozen=True)
class FilePair:
    """One pair of a pair file; `line` is its 1-based line number (0 for a pair not yet
    written). Equality compares the pair, not where it was read."""

    prompt: str
    chosen: str
    rejected: str
    margin: float | None = None
    source: str = ""
    line: int = dataclasses.field(default=0, compare=False)
    extra: dict = dataclasses.field(default_factory=dict, compare=False)

    def as_preference_pair(self) -> PreferencePair:
        """The HH reader's pair type, for `evaluate_pairs` and the pair tasks."""
        return PreferencePair(self.prompt, self.chosen, self.rejected,
                              self.prompt + self.chosen, self.prompt + self.rejected, self.line)

    def to_json(self) -> dict:
        record = {"prompt": self.prompt, "chosen": self.chosen, "rejected": self.rejected}
        if self.margin is not None:
            record["margin"] = self.margin
        if self.source:
            record["source"] = self.source
        record.update(self.extra)
        return record


def _parse(record: dict | None, number: int) -> tuple[FilePair | None, str]:
    """(pair, "") or (None, what was expected) for one decoded line."""
    if record is None:
        return None, "a JSON object (the line is not valid JSON or not an object)"
    for key in ("prompt", "chosen", "rejected"):
        if not isinstance(record.get(key), str):
            return None, f'a string "{key}"'
    if record["chosen"] == record["rejected"]:
        # An identical pair carries no preference; the HH loader drops and counts these, a
        # written file should not contain them at all.
        return None, '"chosen" and "rejected" that differ'
    margin = record.get("margin")
    if margin is not None and (isinstance(margin, bool) or not isinstance(margin, int | float)
                               or not math.isfinite(margin)):
        return None, 'an optional "margin" that is a finite number'
    source = record.get("source", "")
    if not isinstance(source, str):
        return None, 'an optional "source" that is a string'
    extra = {key: value for key, value in record.items() if key not in KNOWN_KEYS}
    return FilePair(record["prompt"], record["chosen"], record["rejected"],
                    None if margin is None else float(margin), source, number, extra), ""


def read_pair_file(path: str | os.PathLike, skip: SkipReport | None = None) -> list[FilePair]:
    """The pairs of a pair JSONL file (`.gz` allowed), in file order.

    Raises:
      MalformedInputError: file:line and what was expected, for the first bad line (unless
        `skip` counts it).
    An empty file gives no pairs (West-of-N may keep none); the caller decides if that is wrong.
    """
    pairs = []
    for number, record, line in read_json_objects(path):
        pair, expected = _parse(record, number)
        if pair is None:
            handle(MalformedInputError(path, number, expected, line or "an empty line"), skip)
            continue
        pairs.append(pair)
    return pairs


def write_pair_file(path: str | os.PathLike, pairs: Iterable[FilePair]) -> int:
    """Writes `pairs` as pair JSONL (UTF-8, one object a line); returns the count."""
    return write_json_objects(path, (pair.to_json() for pair in pairs))
