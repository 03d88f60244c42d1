"""`textedit edit` JSONL input with "candidates": the LMCor corrector's assembled input, and
errors that name file and line."""

import json

import pytest

from textedit.cli.edit import InputError, sources_of


def test_candidates_are_joined_with_separators_and_the_record_is_kept():
    lines = [json.dumps({"source": "He go .", "candidates": ["He goes .", "He went ."], "id": 1}),
             json.dumps({"source": "plain"})]
    sources, records = sources_of(lines, "jsonl", "in.jsonl", 0)
    assert sources == ["He go . <extra_id_0> He goes . <extra_id_1> He went .", "plain"]
    assert records[0]["source"] == "He go ." and records[0]["id"] == 1


@pytest.mark.parametrize("record, message", [
    ({"source": "a", "candidates": "b"}, '"candidates" to be a list of strings'),
    ({"source": "a", "candidates": []}, "at least one candidate"),
    ({"source": "a", "candidates": ["b <extra_id_2>"]}, "contains a separator token"),
])
def test_bad_candidates_name_the_line(record, message):
    lines = [json.dumps({"source": "ok"}), json.dumps(record)]
    with pytest.raises(InputError, match=r"in\.jsonl:2: .*" + message):
        sources_of(lines, "jsonl", "in.jsonl", 0)
