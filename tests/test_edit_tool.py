"""`textedit edit`: text / JSONL / TSV in input order, empty and too-long lines, --explain, and
errors that name the file and line - on a tiny randomly initialised EdiT5 run (conftest.py)."""

import json

import pytest

from textedit.cli.main import main as cli

LONG = " ".join(["word"] * 80)  # more pieces than the tiny model's 64 input positions


def test_text_lines_with_empty_and_too_long_lines_and_explain(tiny_edit5_run, tmp_path, capsys):
    run_dir, _ = tiny_edit5_run
    source = tmp_path / "in.txt"
    source.write_bytes(b"She go to school .\r\n\nFor not use car .\n" + LONG.encode())
    output = tmp_path / "out.txt"
    assert cli(["edit", str(source), "--model", str(run_dir), "-o", str(output), "--explain",
                      "--color", "never"]) == 0
    lines = output.read_text().splitlines()
    assert len(lines) == 4 and lines[1] == "" and lines[3] == LONG
    err = capsys.readouterr().err
    assert "[1] She go to school ." in err
    for field in ("source", "order", "insert", "output", "diff"):
        assert err.count(f"\n    {field}  ") == 2  # the two inputs the model edited
    assert "(empty input: passed through)" in err
    assert "warning: 1 input(s) longer than 63 pieces passed through unchanged" in err
    assert "4 inputs: 2 edited" in err


def test_jsonl_keys_pass_through_and_tsv_gets_a_column(tiny_edit5_run, tmp_path, capsys):
    run_dir, _ = tiny_edit5_run
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text('{"source": "For not use car .", "id": 7}\n{"source": "", "id": 8}\n')
    assert cli(["edit", str(jsonl), "--model", str(run_dir), "--explain"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in records] == [7, 8]
    assert records[0]["edit"]["pieces"][0] == "\u2581For" and records[1]["output"] == ""
    assert records[1]["edit"] == {"status": "empty"}

    tsv = tmp_path / "in.tsv"
    tsv.write_text("a1\tShe go home .\n\nb2\tOk .\n")
    assert cli(["edit", str(tsv), "--model", str(run_dir), "--source_column", "1"]) == 0
    # Lines end in "\n" only: a random model's output may hold characters that str.splitlines
    # also breaks on (U+001C..U+001E, U+0085, U+2028), which are data in a TSV line.
    rows = [line.split("\t") for line in capsys.readouterr().out.split("\n")[:-1]]
    assert [row[0] for row in rows] == ["a1", "", "b2"]
    assert [len(row) for row in rows] == [3, 1, 3]


@pytest.mark.parametrize("name, data, message", [
    ("bad.txt", b"fine\nbad \xff byte\n", "bad.txt:2: expected UTF-8 text"),
    ("bad.jsonl", b'{"source": "a"}\n{"text": "b"}\n', 'bad.jsonl:2: expected a JSON object with'),
    ("bad.tsv", b"a\tb\nonly\n", "bad.tsv:2: expected at least 2 tab-separated columns"),
])
def test_bad_input_names_file_and_line(tmp_path, capsys, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    assert cli(["edit", str(path), "--model", str(tmp_path), "--source_column", "1"]) == 2
    assert message in capsys.readouterr().err


def test_missing_model_is_an_error(tmp_path, capsys):
    path = tmp_path / "in.txt"
    path.write_text("x\n")
    assert cli(["edit", str(path), "--model", str(tmp_path / "nope")]) == 2
    assert "no such run" in capsys.readouterr().err
