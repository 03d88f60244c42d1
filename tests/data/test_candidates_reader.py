"""Candidate JSONL files for LMCor: parsing, pass-through keys, write/read, and every error."""

import json

import pytest

from textedit.data.readers.candidates_reader import (
    CandidateExample,
    read_candidates,
    write_candidates,
)
from textedit.data.readers.malformed_input import MalformedInputError, SkipReport


def _write(tmp_path, lines, name="c.jsonl"):
    path = tmp_path / name
    path.write_text("".join(
        (line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
        encoding="utf-8")
    return path


GOOD = {"source": "He go home .", "candidates": ["He goes home .", "He went home ."],
        "target": "He goes home .", "scores": [-1.5, -2], "id": 7, "model": "llm"}


def test_reads_fields_and_passes_other_keys_through(tmp_path):
    path = _write(tmp_path, [GOOD, {"source": "b", "candidates": ["c", "d"],
                                    "target": ["r1", "r2"]}])
    first, second = read_candidates(path)
    assert first == CandidateExample("He go home .", ("He goes home .", "He went home ."),
                                     ("He goes home .",), (-1.5, -2.0))
    assert first.extra == {"id": 7, "model": "llm"} and first.k == 2
    assert second.references == ("r1", "r2") and second.scores is None
    assert second.as_reference_example().references == ("r1", "r2")


def test_write_then_read_round_trips_every_key(tmp_path):
    examples = read_candidates(_write(tmp_path, [GOOD]))
    out = tmp_path / "out.jsonl"
    assert write_candidates(out, examples) == 1
    assert json.loads(out.read_text(encoding="utf-8")) == {**GOOD, "scores": [-1.5, -2.0]}
    assert read_candidates(out)[0].extra == {"id": 7, "model": "llm"}


def test_target_is_optional_unless_required(tmp_path):
    path = _write(tmp_path, [{"source": "a", "candidates": ["b"]}])
    assert read_candidates(path)[0].references == ()
    with pytest.raises(MalformedInputError, match=r'c\.jsonl:1: expected a "target"'):
        read_candidates(path, require_target=True)


@pytest.mark.parametrize("bad, expected", [
    ("{not json", "a JSON object"),
    ('["a list"]', "a JSON object"),
    ({"candidates": ["x"]}, 'a string "source"'),
    ({"source": "a", "candidates": []}, 'a non-empty list "candidates"'),
    ({"source": "a", "candidates": "x y"}, 'a non-empty list "candidates"'),
    ({"source": "a", "candidates": ["x", 3]}, "every candidate to be a string"),
    ({"source": "a", "candidates": ["x"]}, r"2 candidates \(the file's k\), found 1"),
    ({"source": "a", "candidates": ["x", "y"], "target": 5},
     'an optional "target" that is a string'),
    ({"source": "a", "candidates": ["x", "y"], "scores": [1.0]},
     'optional "scores": a list of 2 numbers'),
])
def test_malformed_line_names_file_line_and_expectation(tmp_path, bad, expected):
    path = _write(tmp_path, [GOOD, bad])
    with pytest.raises(MalformedInputError, match=r"c\.jsonl:2: expected " + expected) as error:
        read_candidates(path)
    assert error.value.line == 2


def test_explicit_k_is_checked_on_the_first_line(tmp_path):
    with pytest.raises(MalformedInputError, match=r":1: expected 4 candidates .* found 2"):
        read_candidates(_write(tmp_path, [GOOD]), k=4)


def test_skip_report_counts_bad_lines_and_keeps_the_rest(tmp_path):
    skip = SkipReport()
    examples = read_candidates(_write(tmp_path, [GOOD, "{oops", GOOD, ""]), skip=skip)
    assert len(examples) == 2 and skip.skipped == 2
    assert "c.jsonl:2" in skip.examples[0] and "c.jsonl:4" in skip.examples[1]


def test_a_file_without_records_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="no candidate records"):
        read_candidates(_write(tmp_path, ["{bad"]), skip=SkipReport())
