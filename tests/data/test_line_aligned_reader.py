"""Line-aligned source/reference files: JFLEG, ASSET, TurkCorpus; mismatches and blank lines."""

import pytest

from textedit.data.data_dir import data_path
from textedit.data.readers.line_aligned_reader import LineCountMismatchError, read_line_aligned
from textedit.data.readers.malformed_input import MalformedInputError, SkipReport


@pytest.mark.parametrize(
    "source,references,count",
    [
        ("gec/jfleg.dev.src", [f"gec/jfleg.dev.ref{i}" for i in range(4)], 754),
        (
            "simplification/asset.valid.orig",
            [f"simplification/asset.valid.simp.{i}" for i in range(10)],
            2_000,
        ),
        (
            "simplification/turk.tune.norm",
            [f"simplification/turk.tune.turk.{i}" for i in range(8)],
            2_000,
        ),
    ],
)
def test_real_sets(source, references, count):
    examples = read_line_aligned(data_path(source), [data_path(r) for r in references])
    assert len(examples) == count
    assert all(len(e.references) == len(references) for e in examples)
    # No blank lines in these files, and surrounding whitespace is stripped.
    assert all(e.source and all(e.references) for e in examples)
    assert all(e.source == e.source.strip() for e in examples)


def test_jfleg_first_line():
    refs = [data_path(f"gec/jfleg.dev.ref{i}") for i in range(4)]
    first = read_line_aligned(data_path("gec/jfleg.dev.src"), refs)[0]
    assert first.source == (
        "So I think we can not live if old people could not find siences and tecnologies "
        "and they did not developped ."
    )
    assert first.references[0] == (
        "So I think we would not be alive if our ancestors did not develop sciences and "
        "technologies ."
    )


def test_asset_last_line_without_newline_is_read():
    refs = [data_path(f"simplification/asset.valid.simp.{i}") for i in range(10)]
    last = read_line_aligned(data_path("simplification/asset.valid.orig"), refs)[-1]
    assert last.source.startswith("Modern African history has been rife with revolutions")


def test_line_count_mismatch_names_both_files(tmp_path):
    src, ref = tmp_path / "a.src", tmp_path / "a.ref"
    src.write_text("one\ntwo\nthree\n")
    ref.write_text("1\n2\n")
    with pytest.raises(LineCountMismatchError) as error:
        read_line_aligned(src, [ref], skip=SkipReport())
    message = str(error.value)
    assert str(src) in message and str(ref) in message
    assert "3 lines" in message and "has 2" in message


def test_blank_source_is_malformed_blank_reference_is_kept(tmp_path):
    src, ref = tmp_path / "a.src", tmp_path / "a.ref"
    src.write_text("one\n  \nthree\nfour\n")
    ref.write_text("1\n2\n\n4\n")
    with pytest.raises(MalformedInputError, match=r"a\.src:2: expected a non-blank source line"):
        read_line_aligned(src, [ref])
    skip = SkipReport()
    examples = read_line_aligned(src, [ref], skip=skip)
    assert skip.skipped == 1
    assert [(e.source, e.references) for e in examples] == [
        ("one", ("1",)),
        ("three", ("",)),
        ("four", ("4",)),
    ]


def test_needs_a_reference(tmp_path):
    src = tmp_path / "a.src"
    src.write_text("one\n")
    with pytest.raises(ValueError, match="at least one reference"):
        read_line_aligned(src, [])
