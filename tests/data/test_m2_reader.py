"""M2 reader: block counts, golden targets, edit semantics (deletions, noop, UNK, Um, overlaps)."""

import pytest

from textedit.data.data_dir import data_path
from textedit.data.readers.m2_reader import (
    M2Edit,
    read_m2,
    read_m2_pairs,
    read_m2_references,
)
from textedit.data.readers.malformed_input import MalformedInputError, SkipReport

EXPECTED_COUNTS = {
    "gec/wi.A.train.m2": 10_493,
    "gec/wi.B.train.m2": 13_032,
    "gec/wi.C.train.m2": 10_783,
    "gec/wi.A.dev.m2": 1_037,
    "gec/wi.B.dev.m2": 1_290,
    "gec/wi.C.dev.m2": 1_069,
    "gec/conll13.test.m2": 1_381,
}


def write(tmp_path, text, name="x.m2"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("relative,count", sorted(EXPECTED_COUNTS.items()))
def test_sentence_counts(relative, count):
    path = data_path(relative)
    assert len(read_m2(path)) == count
    assert len(read_m2_pairs(path)) == count
    assert len(read_m2_references(path)) == count


def test_golden_first_block_of_wi_a_train():
    sentences = read_m2(data_path("gec/wi.A.train.m2"))
    first = sentences[0]
    assert first.line == 1
    assert first.source == "My town is a medium size city with eighty thousand inhabitants ."
    assert first.edits == (M2Edit(5, 6, "R:OTHER", "- sized", 0),)
    assert first.target(0) == (
        "My town is a medium - sized city with eighty thousand inhabitants ."
    )
    # CRLF line endings are gone, and blocks are numbered by their S line.
    assert sentences[1].line == 4
    assert not any("\r" in s.source for s in sentences)


def test_wi_edit_semantics_on_real_blocks():
    sentences = read_m2(data_path("gec/wi.A.train.m2"))
    # Empty correction between ||| is a deletion ("Despite of" -> "Although").
    assert sentences[2].target(0) == (
        "Although it is an industrial city , there are many shops and department stores ."
    )
    # UNK keeps the source tokens; the other edit of the block still applies.
    assert sentences[4].edits[0].type == "UNK"
    assert sentences[4].target(0) == (
        "Pasteries are very common and most of them offer the special dessert of the city ."
    )
    # noop-only blocks: annotator 0 is present and the target is the source.
    noop = [s for s in sentences if s.edits and all(e.type == "noop" for e in s.edits)]
    assert noop and all(s.annotators() == [0] and s.target(0) == s.source for s in noop)


def test_unk_corrections_repeat_the_source_in_wi():
    # The reason UNK edits can be skipped: their correction is the original text.
    for relative in ("gec/wi.A.train.m2", "gec/wi.B.train.m2", "gec/wi.C.train.m2"):
        for sentence in read_m2(data_path(relative)):
            tokens = sentence.tokens
            for edit in sentence.edits:
                if edit.type == "UNK":
                    assert edit.correction == " ".join(tokens[edit.start : edit.end])


def test_conll13_sentences_without_edits_and_overlapping_edits():
    sentences = read_m2(data_path("gec/conll13.test.m2"))
    unedited = [s for s in sentences if not s.edits]
    assert len(unedited) == 255
    assert all(s.annotators() == [0] and s.target(0) == s.source for s in unedited)
    conflicted = [s for s in sentences if s.conflicting_edits(0)]
    assert len(conflicted) == 50
    # A real correction wins over an empty companion edit on the same words.
    first = sentences[4]
    assert first.conflicting_edits(0) == (M2Edit(15, 18, "WOadv", "", 0),)
    assert "one example that is being currently implemented" in first.target(0)
    # The applied edits never overlap.
    for sentence in conflicted:
        applied = sentence.applied_edits(0)
        assert not any(a.overlaps(b) for i, a in enumerate(applied) for b in applied[i + 1 :])


def test_application_order_and_special_types(tmp_path):
    path = write(
        tmp_path,
        (
            "S a b c d e\n"
            "A 1 1|||M:X|||x|||REQUIRED|||-NONE-|||0\n"
            "A 1 1|||M:X|||y|||REQUIRED|||-NONE-|||0\n"
            "A 1 2|||R:X|||B|||REQUIRED|||-NONE-|||0\n"
            "A 3 4|||U:X|||-NONE-|||REQUIRED|||-NONE-|||0\n"
            "A 4 5|||Um||||||REQUIRED|||-NONE-|||0\n"
            "A 0 1|||R:X|||A|||REQUIRED|||-NONE-|||1\n"
            "A -1 -1|||noop|||-NONE-|||REQUIRED|||-NONE-|||2\n"
            "\n"
            "S p q r\n"
            "A 0 2|||R:X|||P Q|||REQUIRED|||-NONE-|||0\n"
            "A 1 3|||R:X||||||REQUIRED|||-NONE-|||0\n"
            "A 1 2|||R:X|||z|||REQUIRED|||-NONE-|||0\n"
        ),
    )
    first, second = read_m2(path)
    # Same-point insertions keep file order, both before the replacement at that point;
    # -NONE- deletes; Um keeps its tokens.
    assert first.target(0) == "a x y B c e"
    assert first.target(1) == "A b c d e"
    assert first.target(2) == first.source
    assert first.annotators() == [0, 1, 2]
    with pytest.raises(ValueError, match="no annotator 3"):
        first.target(3)
    assert read_m2_references(path)[0].references == ("a x y B c e", "A b c d e", "a b c d e")
    # Overlaps: the non-empty, wider edit wins; the rest are reported, not silently merged.
    assert second.target(0) == "P Q r"
    assert second.conflicting_edits(0) == (M2Edit(1, 3, "R:X", "", 0), M2Edit(1, 2, "R:X", "z", 0))


def test_pairs_require_the_annotator(tmp_path):
    path = write(tmp_path, "S a b\nA 0 1|||R:X|||c|||REQUIRED|||-NONE-|||1\n\nS d\n")
    expected = r"x\.m2:1: expected an edit line for annotator 0"
    with pytest.raises(MalformedInputError, match=expected):
        read_m2_pairs(path)
    skip = SkipReport()
    pairs = read_m2_pairs(path, skip=skip)
    assert [p.source for p in pairs] == ["d"] and skip.skipped == 1
    # The block without edit lines implies annotator 0 only, so annotator 1 lacks it.
    skip = SkipReport()
    assert read_m2_pairs(path, annotator=1, skip=skip)[0].target == "c b"
    assert skip.skipped == 1 and ":4: expected an edit line for annotator 1" in skip.examples[0]


@pytest.mark.parametrize(
    "bad_line,expected",
    [
        ("A 0 9|||R:X|||c|||REQUIRED|||-NONE-|||0", "0 <= start <= end <= 2"),
        ("A 1 0|||R:X|||c|||REQUIRED|||-NONE-|||0", "0 <= start <= end <= 2"),
        ("A x 1|||R:X|||c|||REQUIRED|||-NONE-|||0", "integer offsets"),
        ("A 0 1|||R:X|||c|||REQUIRED|||-NONE-", "6 '|||'-separated fields"),
        ("A 0 1|||R:X|||c|||REQUIRED|||-NONE-|||zero", "integer annotator"),
        ("garbage", "a line starting 'S ', 'A ' or blank"),
    ],
)
def test_malformed_blocks_name_file_and_line(tmp_path, bad_line, expected):
    path = write(tmp_path, f"S ok .\n\nS a b\n{bad_line}\n\nS c d\n")
    with pytest.raises(MalformedInputError) as error:
        read_m2(path)
    assert error.value.path == str(path) and error.value.line == 4
    assert expected in str(error.value)
    skip = SkipReport()
    # The whole bad block is dropped and counted; the blocks around it survive.
    assert [s.source for s in read_m2(path, skip=skip)] == ["ok .", "c d"]
    assert skip.skipped == 1 and f"{path}:4" in skip.examples[0]


def test_edit_line_before_any_sentence(tmp_path):
    path = write(tmp_path, "A 0 1|||R:X|||c|||REQUIRED|||-NONE-|||0\nS a\n")
    with pytest.raises(MalformedInputError, match=r":1: expected an 'S ' line"):
        read_m2(path)
    skip = SkipReport()
    assert [s.source for s in read_m2(path, skip=skip)] == ["a"] and skip.skipped == 1
