"""Line reading shared by the readers: CRLF, a final line without newline, gzip, bad UTF-8."""

import gzip

import pytest

from textedit.data.readers.malformed_input import MalformedInputError
from textedit.data.readers.text_lines import read_lines, split_lines


def test_split_lines():
    assert split_lines("a\r\nb\n") == ["a", "b"]
    assert split_lines("a\nb") == ["a", "b"]
    assert split_lines("a\n\n") == ["a", ""]
    assert split_lines("a\rb\n") == ["a\rb"]  # a lone CR stays inside its line
    assert split_lines("") == []


def test_gzip_bom_and_numbering(tmp_path):
    path = tmp_path / "x.txt.gz"
    with gzip.open(path, "wb") as f:
        f.write(b"\xef\xbb\xbffirst\r\nsecond\n")
    assert list(read_lines(path)) == [(1, "first"), (2, "second")]


def test_invalid_utf8_names_the_line(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes(b"ok\nstill ok\nbad \xff byte\n")
    with pytest.raises(MalformedInputError, match=r"x\.txt:3: expected UTF-8 text"):
        list(read_lines(path))
