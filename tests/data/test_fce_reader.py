"""FCE reader: offsets land on their words, sentence pairs never cut an edit, counts, bad input."""

import json

import pytest

from textedit.data.data_dir import data_path
from textedit.data.readers.fce_reader import (
    CharEdit,
    apply_char_edits,
    collapse_whitespace,
    read_fce_essays,
    read_fce_pairs,
    split_essay,
)
from textedit.data.readers.malformed_input import MalformedInputError, SkipReport

# BEA-2019's FCE M2 files (spaCy sentence splitting) have 28,350 / 2,191 sentences.
BEA_COUNTS = {"train": 28_350, "dev": 2_191}
MEASURED_COUNTS = {"train": 28_616, "dev": 2_210}


@pytest.fixture(scope="module")
def essays():
    return {
        split: read_fce_essays(data_path(f"gec/fce.{split}.json")) for split in ("train", "dev")
    }


def test_essay_counts(essays):
    assert len(essays["train"]) == 2_116
    assert len(essays["dev"]) == 159
    assert all(sorted(e.edits) == [0] for split in essays.values() for e in split)


@pytest.mark.parametrize("split", ["train", "dev"])
def test_sentence_counts(split):
    pairs = read_fce_pairs(data_path(f"gec/fce.{split}.json"))
    assert len(pairs) == MEASURED_COUNTS[split]
    assert abs(len(pairs) - BEA_COUNTS[split]) / BEA_COUNTS[split] < 0.10
    assert all(p.source and p.source == collapse_whitespace(p.source) for p in pairs)


def test_offsets_land_on_the_words_they_name(essays):
    essay = essays["train"][0]
    assert essay.text[118:122] == "saws"
    assert CharEdit(118, 122, "saw", "IV") in essay.edits[0]
    sentence = next(s for s in essay.sentences() if s.start <= 118 < s.end)
    assert sentence.source.startswith("I saws the show's advertisement")
    assert "I saw the show's" in sentence.target
    assert "on a wall in London" in sentence.target  # the edit at 159:161 ("of" -> "on")
    # The essay's first lines are sentences of their own: a newline always ends a sentence.
    assert [s.source for s in essay.sentences()[:2]] == [
        "Dear Sir or Madam,",
        "I am writing in order to express my disappointment about your musical show "
        '"Over the Rainbow".',
    ]


def test_every_edit_falls_inside_one_sentence_and_applies(essays):
    for essay in essays["train"] + essays["dev"]:
        edits = essay.edits[0]
        sentences = essay.sentences()
        # Sentences tile the essay, in order.
        assert sentences[0].start == 0 and sentences[-1].end == len(essay.text)
        assert all(a.end == b.start for a, b in zip(sentences, sentences[1:], strict=False))
        # Each correction edit belongs to exactly one sentence and lies inside it.
        corrections = [e for e in edits if e.correction is not None]
        owned = [e for s in sentences for e in s.edits]
        assert sorted(owned, key=repr) == sorted(corrections, key=repr)
        for sentence in sentences:
            for edit in sentence.edits:
                assert sentence.start <= edit.start <= edit.end <= sentence.end
                if edit.correction.strip():
                    assert collapse_whitespace(edit.correction) in sentence.target
        # Applying every edit to the whole essay gives the emitted targets, in order: no edit
        # was cut by a sentence boundary or lost.
        whole = collapse_whitespace(apply_char_edits(essay.text, edits))
        assert whole == " ".join(s.target for s in sentences if s.target), essay.id


def test_null_correction_is_detection_only_and_keeps_the_text():
    text = "I like layer and layer. Fine."
    edits = [CharEdit(7, 22, None, "R"), CharEdit(0, 1, "We", "RP")]
    sentences = split_essay(text, edits)
    assert [(s.source, s.target) for s in sentences] == [
        ("I like layer and layer.", "We like layer and layer."),
        ("Fine.", "Fine."),
    ]


def test_edits_across_a_boundary_merge_sentences():
    text = "It was fine. Because I went.\nNext line. Ok."
    # ". Because" -> " because" crosses the boundary after "fine.".
    edits = [CharEdit(11, 20, " because", "RP")]
    assert [(s.source, s.target) for s in split_essay(text, edits)] == [
        ("It was fine. Because I went.", "It was fine because I went."),
        ("Next line.", "Next line."),
        ("Ok.", "Ok."),
    ]


def test_insertions_at_boundaries():
    text = "I went there.  They liked it.  Plays were good."
    edits = [
        CharEdit(14, 14, "then", "MY"),  # in the gap, lower case: stays with the sentence before
        CharEdit(29, 29, "!", "MP"),  # right after a sentence's last character: that sentence
        CharEdit(30, 30, "The", "MD"),  # in the gap, capitalised: opens the next sentence
    ]
    assert [(s.source, s.target) for s in split_essay(text, edits)] == [
        ("I went there.", "I went there. then"),
        ("They liked it.", "They liked it.!"),
        ("Plays were good.", "The Plays were good."),
    ]


def test_same_offset_insertions_and_glued_words():
    text = "Paul  I will. We specialy  the wheather."
    after_specialy = text.index("specialy") + len("specialy")
    edits = [
        CharEdit(5, 5, ",", "MP"),
        CharEdit(5, 5, "said", "MV"),
        CharEdit(after_specialy, after_specialy, "about", "MT"),
    ]
    assert apply_char_edits(text, edits) == "Paul , said I will. We specialy about  the wheather."
    # A correction that would glue two words gets a space; a deletion may join them.
    assert apply_char_edits("abcd", [CharEdit(2, 2, "x", "M")]) == "ab x cd"
    assert apply_char_edits("ab cd", [CharEdit(2, 3, "", "U")]) == "abcd"


def write_lines(tmp_path, records):
    path = tmp_path / "fce.json"
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n",
        encoding="utf-8",
    )
    return path


GOOD = {"text": "I saws it. Fine.", "edits": [[0, [[2, 6, "saw", "IV"]]]], "id": "a"}


@pytest.mark.parametrize(
    "bad,expected",
    [
        ("{not json", "valid JSON"),
        ({"text": "abc", "edits": [[0, [[2, 9, "x", "R"]]]]}, "0 <= start <= end <= 3"),
        ({"text": "abc", "edits": [[0, [[0, 2, "x", "R"], [1, 3, "y", "R"]]]]}, "non-overlapping"),
        ({"text": "abc", "edits": [[0, [["0", 1, "x", "R"]]]]}, "integer edit offsets"),
        ({"text": "abc", "edits": [[0, [[0, 1, 5, "R"]]]]}, "string or null correction"),
        ({"text": "abc"}, 'list "edits"'),
        ({"text": "abc", "edits": [[0, []], [0, []]]}, "appears twice"),
        ("", "got an empty line"),
    ],
)
def test_malformed_essays_name_file_and_line(tmp_path, bad, expected):
    path = write_lines(tmp_path, [GOOD, bad, GOOD])
    with pytest.raises(MalformedInputError) as error:
        read_fce_pairs(path)
    assert error.value.path == str(path) and error.value.line == 2
    assert expected in str(error.value)
    skip = SkipReport()
    pairs = read_fce_pairs(path, skip=skip)
    assert skip.skipped == 1
    assert [(p.source, p.target) for p in pairs] == [
        ("I saws it.", "I saw it."),
        ("Fine.", "Fine."),
    ] * 2


def test_missing_annotator_is_reported(tmp_path):
    path = write_lines(tmp_path, [GOOD, {"text": "Hello.", "edits": [], "id": "b"}])
    with pytest.raises(MalformedInputError, match=r"fce\.json:2: expected edits for annotator 0"):
        read_fce_pairs(path)
    skip = SkipReport()
    assert len(read_fce_pairs(path, skip=skip)) == 2 and skip.skipped == 1
