"""Readers for the clean-text corpora: plain speeches and POS-tagged MASC text.

- Plain text (State of the Union, inaugural addresses): a paragraph per line, split into
  sentences by `sentence_splitter.split_sentences` (the splitter the FCE reader uses), whitespace
  collapsed. Titles, dates and salutations ("April 16, 1945") come out as sentences of their own.
- Tagged text (MASC written): a sentence per non-empty line, tokens `word_TAG` separated by
  whitespace. The tag follows the *last* underscore ("ENRON_DEVELOPMENT_NNP" is the word
  "ENRON_DEVELOPMENT", "__NN" is "_"). A token without an underscore, or with an empty word or
  tag, makes the line malformed: MASC has 55 such lines among 27,268, mostly words tagged as one
  token although they contain spaces ("M. B._NN", ". . ._..."), untagged URLs and separator lines
  of asterisks; read MASC with a SkipReport to count them.

Encoding: the files are UTF-8, except seven speeches (1954 Eisenhower, 1970-1974 Nixon, 2005
Bush) that are not valid UTF-8: their punctuation is Big5-encoded (`\\xa1X` for an em dash,
`\\xa1\\xa6` for a right single quote, ...) and Eisenhower has one Latin-1 "½¢". Such a file is
repaired: the known Big5 punctuation pairs become their characters, and any byte still not UTF-8
is read as Latin-1 (so nothing is dropped).
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

from textedit.data.readers.malformed_input import MalformedInputError, SkipReport, handle
from textedit.data.readers.sentence_splitter import split_sentences
from textedit.data.readers.text_lines import read_bytes, read_lines, split_lines

# Big5 double-byte punctuation found in the non-UTF-8 speeches, with what it stands for.
_BIG5_PUNCTUATION = {
    b"\xa1X": "\u2014",  # em dash
    b"\xa1\xa6": "\u2019",  # right single quote / apostrophe
    b"\xa1\xa7": "\u201c",  # left double quote
    b"\xa1\xa8": "\u201d",  # right double quote
    b"\xa1K": "\u2026",  # ellipsis
    b"\xa1@": " ",  # ideographic space
}
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


@dataclasses.dataclass(frozen=True)
class TaggedSentence:
    """One tagged sentence: words and their part-of-speech tags, aligned."""

    words: tuple[str, ...]
    tags: tuple[str, ...]

    @property
    def text(self) -> str:
        """The words joined by single spaces (tokenised text)."""
        return " ".join(self.words)


def decode_corpus_text(data: bytes) -> str:
    """UTF-8, or for legacy files Big5 punctuation repaired and the remaining bytes as Latin-1."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for raw, char in _BIG5_PUNCTUATION.items():
        data = data.replace(raw, char.encode("utf-8"))
    # Bytes that are still not UTF-8 are read as Latin-1 (byte b is the character chr(b));
    # surrogateescape turns each such byte into U+DC00 + b, which is mapped back here.
    text = data.decode("utf-8", errors="surrogateescape")
    return _ESCAPED_BYTE.sub(lambda match: chr(ord(match.group()) - 0xDC00), text)


def read_plain_corpus(path: str | os.PathLike, skip: SkipReport | None = None) -> list[str]:
    """The sentences of a plain-text file, in order, whitespace collapsed.

    Plain text has no malformed records; `skip` is accepted so every reader is called alike.
    """
    del skip
    text = "\n".join(split_lines(decode_corpus_text(read_bytes(path))))
    return [" ".join(text[start:end].split()) for start, end in split_sentences(text)]


def _parse_tagged(line: str) -> TaggedSentence | str:
    words, tags = [], []
    for token in line.split():
        word, underscore, tag = token.rpartition("_")
        if not underscore or not word or not tag:
            return f"'word_TAG' tokens with a non-empty word and tag (not {token!r})"
        words.append(word)
        tags.append(tag)
    return TaggedSentence(tuple(words), tuple(tags))


def read_tagged_corpus(
    path: str | os.PathLike, skip: SkipReport | None = None
) -> list[TaggedSentence]:
    """One TaggedSentence per non-empty line; a malformed token makes its line malformed."""
    sentences = []
    for number, line in read_lines(path):
        if not line.strip():
            continue
        sentence = _parse_tagged(line)
        if isinstance(sentence, str):
            handle(MalformedInputError(path, number, sentence, line), skip)
            continue
        sentences.append(sentence)
    return sentences


def read_corpus_dir(
    directory: str | os.PathLike, tagged: bool, skip: SkipReport | None = None
) -> list[str]:
    """Sentences of every `*.txt` file in `directory`, files in sorted name order.

    `tagged=True` reads MASC-style `word_TAG` files and returns each sentence's words joined by
    spaces; `tagged=False` reads plain text and splits it into sentences.
    """
    files = sorted(Path(directory).glob("*.txt"))
    if not files:
        raise FileNotFoundError(f"no *.txt files in corpus directory {directory}")
    sentences: list[str] = []
    for path in files:
        if tagged:
            sentences.extend(s.text for s in read_tagged_corpus(path, skip=skip))
        else:
            sentences.extend(read_plain_corpus(path, skip=skip))
    return sentences
