"""Sentence fusion readers: WikiSplit and BiSECT, reversed (split sentences -> long sentence)."""

import gzip

import pytest

from textedit.data.data_dir import data_path
from textedit.data.readers.fusion_readers import read_bisect_fusion, read_wikisplit_fusion
from textedit.data.readers.line_aligned_reader import LineCountMismatchError
from textedit.data.readers.malformed_input import MalformedInputError, SkipReport


@pytest.mark.parametrize("split", ["tune", "validation"])
def test_wikisplit_counts(split):
    examples = read_wikisplit_fusion(data_path(f"fusion/wikisplit.{split}.tsv"))
    assert len(examples) == 5_000
    assert not any("<::::>" in e.source or "\t" in e.source for e in examples)


def test_wikisplit_first_line_is_reversed():
    first = read_wikisplit_fusion(data_path("fusion/wikisplit.tune.tsv"))[0]
    assert first.source == (
        "' ( 1990 ) was the second sequel to appear . Though Hooper did not return to direct due "
        "to scheduling conflicts with another film , '' Spontaneous Combustion '' ."
    )
    assert first.target == (
        "' ( 1990 ) was the second sequel to appear , though Hooper did not return to direct due "
        "to scheduling conflicts with another film , '' Spontaneous Combustion '' ."
    )


def test_bisect_count_and_first_line_is_reversed():
    examples = read_bisect_fusion(
        data_path("fusion/bisect.valid.src.gz"), data_path("fusion/bisect.valid.dst.gz")
    )
    assert len(examples) == 9_079
    assert not any("<SEP>" in e.source for e in examples)
    assert examples[0].source == (
        "Because of genetic factors , people may never be the same in every way . But don't you "
        "also think that there should be equality in certain fundamental things ?"
    )
    assert examples[0].target == (
        "Genetic factors may determine that humans can never be identical in every respect , yet "
        "do you not agree that in certain fundamentals equality should exist ?"
    )


@pytest.mark.parametrize(
    "bad",
    [
        "no separator here\tjust one sentence .",
        "only a complex sentence",
        "a\tb <::::> c\textra field",
        "\ta . <::::> b .",
        "a\t <::::> b .",
    ],
)
def test_wikisplit_malformed(tmp_path, bad):
    path = tmp_path / "w.tsv"
    path.write_text(f"x y .\tx . <::::> y .\n{bad}\n")
    with pytest.raises(MalformedInputError, match=r"w\.tsv:2: expected 'complex<TAB>split1"):
        read_wikisplit_fusion(path)
    skip = SkipReport()
    assert read_wikisplit_fusion(path, skip=skip)[0].source == "x . y ." and skip.skipped == 1


def write_gz(path, lines):
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in lines))
    return path


def test_bisect_malformed_and_mismatched(tmp_path):
    src = write_gz(tmp_path / "s.gz", ["a b .", "c d .", ""])
    dst = write_gz(tmp_path / "d.gz", ["a . <SEP> b .", "c d .", "e . <SEP> f ."])
    with pytest.raises(MalformedInputError, match=r"d\.gz:2: expected sentences separated by"):
        read_bisect_fusion(src, dst)
    skip = SkipReport()
    examples = read_bisect_fusion(src, dst, skip=skip)
    assert [(e.source, e.target) for e in examples] == [("a . b .", "a b .")]
    assert skip.skipped == 2 and "s.gz:3: expected a non-blank sentence" in skip.examples[1]
    short = write_gz(tmp_path / "short.gz", ["a . <SEP> b ."])
    with pytest.raises(LineCountMismatchError, match="has 3 lines but .*short.gz has 1"):
        read_bisect_fusion(src, short, skip=SkipReport())
