"""Reader for line-aligned evaluation sets: a source file and N reference files, line i with line i.

Used for JFLEG (`jfleg.dev.src` + `ref0..3`), ASSET (`asset.valid.orig` + `simp.0..9`) and
TurkCorpus (`turk.tune.norm` + `turk.0..7`).

Lines keep their text but lose surrounding whitespace (every JFLEG line ends with a space; the
tokenised n-grams are the same without it). A blank source line is malformed: there is nothing to
edit, and it usually means the files have drifted out of alignment. A blank reference is allowed
(a reference may delete a whole sentence); none of the files above contains a blank line. A file
whose last line lacks a newline (ASSET, TurkCorpus) counts that line like any other.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from textedit.data.examples import MultiReferenceExample
from textedit.data.readers.malformed_input import MalformedInputError, SkipReport, handle
from textedit.data.readers.text_lines import read_lines


class LineCountMismatchError(ValueError):
    """Line-aligned files with different numbers of lines; the message names files and counts."""


def read_line_aligned(
    source_path: str | os.PathLike,
    reference_paths: Sequence[str | os.PathLike],
    skip: SkipReport | None = None,
) -> list[MultiReferenceExample]:
    """One example per source line, with the same line of every reference file as references.

    Raises LineCountMismatchError (whatever `skip` says: no line can be trusted) when a reference
    file's line count differs from the source's, and MalformedInputError for a blank source line
    (counted instead under `skip`).
    """
    if not reference_paths:
        raise ValueError(f"read_line_aligned needs at least one reference file for {source_path}")
    sources = [line for _, line in read_lines(source_path)]
    references = []
    for path in reference_paths:
        lines = [line for _, line in read_lines(path)]
        if len(lines) != len(sources):
            raise LineCountMismatchError(
                f"{source_path} has {len(sources)} lines but {path} has {len(lines)}; "
                "line-aligned files must have the same number of lines"
            )
        references.append(lines)
    examples = []
    for index, source in enumerate(sources):
        if not source.strip():
            handle(
                MalformedInputError(
                    source_path, index + 1, "a non-blank source line", "a blank line"
                ),
                skip,
            )
            continue
        examples.append(
            MultiReferenceExample(
                source.strip(), tuple(lines[index].strip() for lines in references)
            )
        )
    return examples
