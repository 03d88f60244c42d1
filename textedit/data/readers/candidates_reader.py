"""Candidate files for LMCor: a source, k candidate outputs of a larger model, optional target.

One JSON object per line (docs/algorithms.md, LMCor):

    {"source": "He go home .", "candidates": ["He goes home .", "He went home .", ...],
     "target": "He goes home .",           # optional: a string or a list of references
     "scores": [-1.2, -3.4, ...],          # optional: the generator's score of each candidate
     "id": 17, ...}                        # any other keys are kept in `extra`, written back

Every record of a file must have the same number k of candidates (the corrector's input has k
slots); `k=` checks it against a number the caller expects. A malformed record raises
`MalformedInputError` naming the file and line (a bad JSON line, a missing source, empty or
non-string candidates, a wrong k, scores of another length) unless a `SkipReport` is given.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable

from textedit.data.examples import MultiReferenceExample
from textedit.data.readers.malformed_input import MalformedInputError, SkipReport, handle
from textedit.data.readers.text_lines import read_json_objects, write_json_objects

KNOWN_KEYS = ("source", "candidates", "target", "scores")


@dataclasses.dataclass(frozen=True)
class CandidateExample:
    """One source, its k candidate outputs and (for training / scoring) its references.

    `scores`: the generator's score of each candidate (higher is better, e.g. the sequence
    log-probability), or None. `extra`: the record's other keys, passed through unchanged.
    """

    source: str
    candidates: tuple[str, ...]
    references: tuple[str, ...] = ()
    scores: tuple[float, ...] | None = None
    extra: dict = dataclasses.field(default_factory=dict, compare=False)

    @property
    def k(self) -> int:
        return len(self.candidates)

    def as_reference_example(self) -> MultiReferenceExample:
        return MultiReferenceExample(self.source, self.references)

    def to_json(self) -> dict:
        record = {"source": self.source, "candidates": list(self.candidates)}
        if self.references:
            record["target"] = (self.references[0] if len(self.references) == 1
                                else list(self.references))
        if self.scores is not None:
            record["scores"] = list(self.scores)
        record.update(self.extra)
        return record


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _parse(record: dict | None, k: int | None) -> tuple[CandidateExample | None, str]:
    """(example, "") or (None, what was wrong) for one decoded line."""
    if record is None:
        return None, "a JSON object (the line is not valid JSON or not an object)"
    source, candidates = record.get("source"), record.get("candidates")
    if not isinstance(source, str):
        return None, 'a string "source"'
    if not isinstance(candidates, list) or not candidates:
        return None, 'a non-empty list "candidates"'
    if not all(isinstance(c, str) for c in candidates):
        return None, 'every candidate to be a string'
    if k is not None and len(candidates) != k:
        return None, f"{k} candidates (the file's k), found {len(candidates)}"
    target = record.get("target")
    if target is None:
        references = ()
    elif isinstance(target, str):
        references = (target,)
    elif isinstance(target, list) and target and all(isinstance(t, str) for t in target):
        references = tuple(target)
    else:
        return None, 'an optional "target" that is a string or a non-empty list of strings'
    scores = record.get("scores")
    if scores is not None:
        if not (isinstance(scores, list) and len(scores) == len(candidates)
                and all(_is_number(s) for s in scores)):
            return None, f'optional "scores": a list of {len(candidates)} numbers'
        scores = tuple(float(s) for s in scores)
    extra = {key: value for key, value in record.items() if key not in KNOWN_KEYS}
    return CandidateExample(source, tuple(candidates), references, scores, extra), ""


def read_candidates(
    path: str | os.PathLike, k: int | None = None, require_target: bool = False,
    skip: SkipReport | None = None,
) -> list[CandidateExample]:
    """Reads a candidate JSONL file (`.gz` allowed).

    Args:
      path: the file.
      k: the number of candidates every record must have; None: the first good record's count.
      require_target: a record without "target" is malformed (training and scoring need one).
      skip: count malformed records there instead of raising.

    Raises:
      MalformedInputError: file:line and what was expected, for the first bad record.
      ValueError: the file holds no usable record.
    """
    examples = []
    for number, record, line in read_json_objects(path):
        example, expected = _parse(record, k)
        if example is not None and require_target and not example.references:
            example, expected = None, 'a "target" (string or list of references)'
        if example is None:
            handle(MalformedInputError(path, number, expected, line or "an empty line"), skip)
            continue
        k = example.k  # the first good record fixes k for the rest of the file
        examples.append(example)
    if not examples:
        raise ValueError(f"{path}: no candidate records (expected JSON lines with "
                         f'"source" and "candidates")')
    return examples


def write_candidates(path: str | os.PathLike, examples: Iterable[CandidateExample]) -> int:
    """Writes `examples` as candidate JSONL (UTF-8, one object a line); returns the count."""
    return write_json_objects(path, (example.to_json() for example in examples))
