"""Pair files (textedit/data/readers/pair_file_reader.py): a good file round-trips, and every kind
of bad line stops with file:line, or is counted under skip_bad_lines."""

import json

import pytest

from textedit.data.readers.malformed_input import MalformedInputError, SkipReport
from textedit.data.readers.pair_file_reader import FilePair, read_pair_file, write_pair_file

PROMPT = "\n\nHuman: hi\n\nAssistant:"
GOOD = {"prompt": PROMPT, "chosen": " Hello!", "rejected": " No."}


def _write(tmp_path, lines):
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_good_file_round_trips(tmp_path):
    pairs = [FilePair(PROMPT, " Hello!", " No.", 2.5, "west_of_n"),
             FilePair(PROMPT, " Hi.", " Go away.", None, "", extra={"id": 7})]
    path = tmp_path / "out.jsonl"
    assert write_pair_file(path, pairs) == 2
    read = read_pair_file(path)
    assert read == pairs  # line and extra are not compared; checked below
    assert [p.line for p in read] == [1, 2] and read[1].extra == {"id": 7}
    hh = read[0].as_preference_pair()
    assert (hh.prompt, hh.chosen, hh.rejected, hh.chosen_full) == (
        PROMPT, " Hello!", " No.", PROMPT + " Hello!")
    assert read_pair_file(_write(tmp_path, [])) == []


@pytest.mark.parametrize("bad, expected", [
    ("not json", "a JSON object"),
    ("[1, 2]", "a JSON object"),
    ("", "a JSON object"),
    (json.dumps({**GOOD, "prompt": 3}), 'a string "prompt"'),
    (json.dumps({"prompt": PROMPT, "rejected": " No."}), 'a string "chosen"'),
    (json.dumps({**GOOD, "rejected": None}), 'a string "rejected"'),
    (json.dumps({**GOOD, "rejected": GOOD["chosen"]}), "differ"),
    (json.dumps({**GOOD, "margin": "big"}), '"margin"'),
    (json.dumps({**GOOD, "margin": True}), '"margin"'),
    ('{"prompt": "p", "chosen": "a", "rejected": "b", "margin": NaN}', '"margin"'),
    (json.dumps({**GOOD, "source": 1}), '"source"'),
])
def test_bad_lines_name_file_and_line(tmp_path, bad, expected):
    path = _write(tmp_path, [json.dumps(GOOD), bad, json.dumps(GOOD)])
    with pytest.raises(MalformedInputError) as error:
        read_pair_file(path)
    assert error.value.line == 2 and f"{path}:2: expected" in str(error.value)
    assert expected in str(error.value)
    skip = SkipReport()
    assert len(read_pair_file(path, skip)) == 2 and skip.skipped == 1
