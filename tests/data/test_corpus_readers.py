"""Clean-text corpora: plain speeches split into sentences, MASC tagged sentences, encodings."""

import pytest

from textedit.data.data_dir import data_path
from textedit.data.readers.corpus_readers import (
    TaggedSentence,
    decode_corpus_text,
    read_corpus_dir,
    read_plain_corpus,
    read_tagged_corpus,
)
from textedit.data.readers.malformed_input import MalformedInputError, SkipReport


@pytest.mark.parametrize(
    "folder,files",
    [("corpora/state_union", 65), ("corpora/inaugural", 59), ("corpora/masc_written", 376)],
)
def test_file_counts(folder, files):
    assert len(list(data_path(folder).glob("*.txt"))) == files


@pytest.mark.parametrize(
    "folder,sentences", [("corpora/state_union", 18_218), ("corpora/inaugural", 5_238)]
)
def test_plain_sentence_counts(folder, sentences):
    result = read_corpus_dir(data_path(folder), tagged=False)
    assert len(result) == sentences
    assert all(s and s == " ".join(s.split()) for s in result)


def test_plain_first_sentences():
    sentences = read_plain_corpus(data_path("corpora/inaugural/1789-Washington.txt"))
    assert sentences[0] == "Fellow-Citizens of the Senate and of the House of Representatives:"
    assert sentences[1].startswith("Among the vicissitudes incident to life")
    assert sentences[1].endswith("on the 14th day of the present month.")
    truman = read_plain_corpus(data_path("corpora/state_union/1945-Truman.txt"))
    assert truman[:3] == [
        "PRESIDENT HARRY S. TRUMAN'S ADDRESS BEFORE A JOINT SESSION OF THE CONGRESS",
        "April 16, 1945",
        "Mr. Speaker, Mr. President, Members of the Congress:",
    ]


def test_legacy_encoded_speeches_are_repaired():
    nixon = read_plain_corpus(data_path("corpora/state_union/1971-Nixon.txt"))
    text = " ".join(nixon)
    assert "\u2014" in text and "1990\u2019s" in text and "\xa1" not in text
    eisenhower = " ".join(read_plain_corpus(data_path("corpora/state_union/1954-Eisenhower.txt")))
    assert "cancellation of the \xbd\xa2 decrease" in eisenhower
    assert decode_corpus_text("caf\u00e9 \u2014 ok".encode()) == "caf\u00e9 \u2014 ok"
    assert decode_corpus_text(b"a\xa1Xb \xbd") == "a\u2014b \xbd"


def test_masc_sentence_count_and_skipped_lines():
    skip = SkipReport()
    sentences = read_corpus_dir(data_path("corpora/masc_written"), tagged=True, skip=skip)
    assert len(sentences) == 27_213
    assert skip.skipped == 55
    with pytest.raises(MalformedInputError, match=r"114446\.txt:7: expected 'word_TAG' tokens"):
        read_corpus_dir(data_path("corpora/masc_written"), tagged=True)


def test_masc_first_tagged_sentences():
    sentences = read_tagged_corpus(data_path("corpora/masc_written/110CYL067.txt"))
    assert sentences[0] == TaggedSentence(("December", "1998"), ("NNP", "CD"))
    assert sentences[1].text == "Your contribution to Goodwill will mean more than you may know ."
    assert sentences[1].tags[:3] == ("PRP$", "NN", "TO")


def test_tags_split_on_the_last_underscore(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("ENRON_DEVELOPMENT_NNP __NN ok_JJ\n\n  \nnext_JJ line_NN\n")
    first, second = read_tagged_corpus(path)
    assert first.words == ("ENRON_DEVELOPMENT", "_", "ok")
    assert first.tags == ("NNP", "NN", "JJ")
    assert second.text == "next line"


@pytest.mark.parametrize("bad", ["word_NN untagged", "word_NN _UH", "word_NN word_"])
def test_malformed_tagged_line(tmp_path, bad):
    path = tmp_path / "t.txt"
    path.write_text(f"good_JJ\n\n{bad}\nlast_JJ\n")
    with pytest.raises(MalformedInputError) as error:
        read_tagged_corpus(path)
    assert error.value.path == str(path) and error.value.line == 3
    skip = SkipReport()
    assert [s.text for s in read_tagged_corpus(path, skip=skip)] == ["good", "last"]
    assert skip.skipped == 1


def test_corpus_dir_needs_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="no \\*.txt files"):
        read_corpus_dir(tmp_path, tagged=False)
