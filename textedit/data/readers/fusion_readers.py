"""Readers for sentence fusion data, made by reversing sentence-splitting corpora.

Both corpora pair one long sentence with the same content split into shorter sentences; for fusion
the split sentences are the source and the long sentence is the target.

- WikiSplit TSV: `complex<TAB>split1 <::::> split2`, one pair per line, tokenised.
- BiSECT: two gzip files, line-aligned: `src` has the long sentence, `dst` its split with `<SEP>`
  between the parts.

The split parts are joined with a single space (the separator removed, whitespace collapsed). A
line whose split side has no separator is malformed: there is nothing to fuse.
"""

from __future__ import annotations

import os

from textedit.data.examples import ParallelExample
from textedit.data.readers.line_aligned_reader import LineCountMismatchError
from textedit.data.readers.malformed_input import MalformedInputError, SkipReport, handle
from textedit.data.readers.text_lines import read_lines

WIKISPLIT_SEPARATOR = "<::::>"
BISECT_SEPARATOR = "<SEP>"


def _join_parts(text: str, separator: str) -> str | None:
    """The split parts joined by one space; None when there are not at least two parts."""
    parts = [" ".join(part.split()) for part in text.split(separator)]
    if len(parts) < 2 or not all(parts):
        return None
    return " ".join(parts)


def read_wikisplit_fusion(
    path: str | os.PathLike, skip: SkipReport | None = None
) -> list[ParallelExample]:
    """WikiSplit reversed: source = the split sentences joined, target = the complex sentence."""
    expected = f"'complex<TAB>split1 {WIKISPLIT_SEPARATOR} split2' with non-empty parts"
    examples = []
    for number, line in read_lines(path):
        fields = line.split("\t")
        fused = _join_parts(fields[1], WIKISPLIT_SEPARATOR) if len(fields) == 2 else None
        complex_sentence = " ".join(fields[0].split())
        if fused is None or not complex_sentence:
            handle(MalformedInputError(path, number, expected, line), skip)
            continue
        examples.append(ParallelExample(fused, complex_sentence))
    return examples


def read_bisect_fusion(
    src_gz_path: str | os.PathLike,
    dst_gz_path: str | os.PathLike,
    skip: SkipReport | None = None,
) -> list[ParallelExample]:
    """BiSECT reversed: source = the `dst` split with `<SEP>` replaced by a space, target = `src`.

    The files must have the same number of lines (LineCountMismatchError names both otherwise).
    A malformed pair is reported at its line in the `dst` file (or `src` when that side is blank).
    """
    long_sentences = [line for _, line in read_lines(src_gz_path)]
    splits = [line for _, line in read_lines(dst_gz_path)]
    if len(long_sentences) != len(splits):
        raise LineCountMismatchError(
            f"{src_gz_path} has {len(long_sentences)} lines but {dst_gz_path} has {len(splits)}; "
            "BiSECT src and dst files must have the same number of lines"
        )
    examples = []
    for number, (long_sentence, split) in enumerate(zip(long_sentences, splits, strict=True), 1):
        target = " ".join(long_sentence.split())
        if not target:
            handle(
                MalformedInputError(src_gz_path, number, "a non-blank sentence", "a blank line"),
                skip,
            )
            continue
        fused = _join_parts(split, BISECT_SEPARATOR)
        if fused is None:
            expected = f"sentences separated by {BISECT_SEPARATOR} with non-empty parts"
            handle(MalformedInputError(dst_gz_path, number, expected, split), skip)
            continue
        examples.append(ParallelExample(fused, target))
    return examples
