"""Reading a predictions file: one prediction per line, only the line break removed."""

import pytest

from textedit.metrics.predictions_file import PredictionsFileError, read_predictions


def _file(tmp_path, data: bytes):
    path = tmp_path / "preds.txt"
    path.write_bytes(data)
    return path


def test_only_line_breaks_are_removed_and_the_last_one_is_optional(tmp_path):
    data = " padded \r\nsecond\u2028still second\n\nlast".encode()
    assert read_predictions(_file(tmp_path, data)) == [
        " padded ", "second\u2028still second", "", "last"]
    assert read_predictions(_file(tmp_path, b"a\nb\n")) == ["a", "b"]
    assert read_predictions(_file(tmp_path, b"")) == []
    assert read_predictions(_file(tmp_path, "\ufeffbom\n".encode())) == ["bom"]


def test_wrong_count_names_the_file_and_both_counts(tmp_path):
    path = _file(tmp_path, b"a\nb\n")
    with pytest.raises(PredictionsFileError, match=r"preds\.txt has 2 lines but dev has 3 "):
        read_predictions(path, expected=3, split_name="dev")


def test_text_that_is_not_utf8_names_the_line(tmp_path):
    with pytest.raises(PredictionsFileError, match=r"preds\.txt:2: expected UTF-8"):
        read_predictions(_file(tmp_path, b"fine\nbad \xff byte\n"))
