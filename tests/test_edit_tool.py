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


def test_insertion_vocabulary_from_a_task_and_its_errors(tiny_edit5_run, tmp_path, capsys):
    run_dir, model = tiny_edit5_run
    source = tmp_path / "in.txt"
    source.write_text("She go to school .\nFor not use car .\n")
    assert cli(["edit", str(source), "--model", str(run_dir)]) == 0
    plain = capsys.readouterr().out
    # 50 WikiSplit pairs, tokenised with the run's vocabulary.
    assert cli(["edit", str(source), "--model", str(run_dir), "--insertion_vocabulary",
                "fusion_wikisplit_1pct"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == len(plain.splitlines()) == 2
    always = model.config.first_position_id + model.config.num_position_tokens
    line = next(x for x in captured.err.splitlines() if x.startswith("insertion vocabulary: "))
    scored, pieces = (int(word) for word in line.split() if word.isdigit())
    assert 0 < pieces and always < scored <= always + pieces
    assert "pieces inserted in fusion_wikisplit_1pct train" in line
    assert cli(["edit", str(source), "--model", str(run_dir), "--insertion_vocabulary",
                "fusion_wikisplit_1pct", "--insertion_vocabulary_size", "5"]) == 0
    line = next(x for x in capsys.readouterr().err.splitlines()
                if x.startswith("insertion vocabulary: "))
    assert f"(the 5 most frequent of the {pieces} pieces inserted in" in line
    assert always < int(line.split()[2]) <= always + 5
    assert cli(["edit", str(source), "--model", str(run_dir), "--insertion_vocabulary",
                "no_such_task"]) == 2
    assert "error: --insertion_vocabulary no_such_task:" in capsys.readouterr().err
    assert cli(["edit", str(source), "--model", str(run_dir),
                "--insertion_vocabulary_size", "5"]) == 2
    assert "--insertion_vocabulary_size needs --insertion_vocabulary" in capsys.readouterr().err


def test_most_inserted_takes_the_most_frequent_pieces():
    from collections import Counter

    from textedit.cli.edit_task_stats import most_inserted

    counts = Counter({40: 5, 7: 9, 12: 5, 3: 1})
    assert most_inserted(counts) == [3, 7, 12, 40]
    assert most_inserted(counts, 3) == [7, 12, 40]  # ties (12, 40) by id
    assert most_inserted(counts, 2) == [7, 12]
    assert most_inserted(counts, 10) == [3, 7, 12, 40]
    with pytest.raises(ValueError, match="at least 1"):
        most_inserted(counts, 0)
