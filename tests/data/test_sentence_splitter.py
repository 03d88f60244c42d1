"""The rule-based sentence splitter: boundaries, abbreviations, initials, spans."""

import pytest

from textedit.data.readers.sentence_splitter import split_sentences


def sentences(text):
    return [text[start:end] for start, end in split_sentences(text)]


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "It rained. We stayed in! Did you? Yes.",
            ["It rained.", "We stayed in!", "Did you?", "Yes."],
        ),
        ('He said "Stop." Then he left.', ['He said "Stop."', "Then he left."]),
        ('It ended. "Never," she said.', ["It ended.", '"Never," she said.']),
        ("It was 1990. 1991 was worse.", ["It was 1990.", "1991 was worse."]),
        ("I waited... Then I left.", ["I waited...", "Then I left."]),
        # No split: lower case next, no whitespace, abbreviations, initials, list markers.
        ("It was late. then we left.", ["It was late. then we left."]),
        ("We must carry on.Our leader.", ["We must carry on.Our leader."]),
        ("Mr. Smith and Dr. Jones met St. Paul.", ["Mr. Smith and Dr. Jones met St. Paul."]),
        ("Bring fruit, e.g. Apples. Or not.", ["Bring fruit, e.g. Apples.", "Or not."]),
        ("See No. 5 and pp. 12 now.", ["See No. 5 and pp. 12 now."]),
        ("Harry S. Truman met the U.S. Congress.", ["Harry S. Truman met the U.S. Congress."]),
        ("1. Draw a pen. 2. Make a list.", ["1. Draw a pen.", "2. Make a list."]),
        ("We saw Jan. 31 come. It rained.", ["We saw Jan. 31 come.", "It rained."]),
        # Initials end a sentence before a common sentence starter.
        ("after World War I. Then came peace.", ["after World War I.", "Then came peace."]),
        ("in Washington, D.C. We met.", ["in Washington, D.C.", "We met."]),
        ("in Washington, D.C. (Applause.)", ["in Washington, D.C.", "(Applause.)"]),
        # etc. ends a sentence.
        ("We saw cats, dogs etc. The end.", ["We saw cats, dogs etc.", "The end."]),
    ],
)
def test_boundaries(text, expected):
    assert sentences(text) == expected


def test_newlines_are_hard_boundaries_and_spans_are_trimmed():
    text = "  Dear Sir,\n\nI am writing to you\nabout it.   \n \n"
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["Dear Sir,", "I am writing to you", "about it."]
    assert spans[0] == (2, 11)
    assert split_sentences("") == [] and split_sentences(" \n\t\n") == []
