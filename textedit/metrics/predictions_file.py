"""Reads a file of system outputs: UTF-8, one prediction per line, in task order.

Only line breaks ("\\n", or "\\r\\n" from Windows) and a leading byte-order mark are removed:
spaces are the system's output, and the task's postprocess_fn decides what to do with them, as it
does with a model's decodes.
Lines are split on "\\n" alone, not on the other characters `str.splitlines` treats as breaks
(U+2028, U+0085, form feed, ...), which can occur inside a sentence.
"""

from __future__ import annotations

import os


class PredictionsFileError(ValueError):
    """A predictions file that cannot be scored; the message names the file and the problem."""


def read_predictions(
    path: str | os.PathLike, expected: int | None = None, split_name: str = "the split"
) -> list[str]:
    """The predictions in `path`, one per line.

    Args:
      path: the file; a final line break is optional.
      expected: the number of examples the predictions are for; a different line count raises
        PredictionsFileError naming both counts.

    Raises:
      PredictionsFileError: a line that is not UTF-8 (file and line named), or the wrong count.
    """
    with open(path, "rb") as f:
        data = f.read()
    raw_lines = data.split(b"\n")
    if raw_lines[-1] == b"":  # the file ends with a line break (or is empty)
        raw_lines.pop()
    predictions = []
    for number, raw in enumerate(raw_lines, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            bad = raw[e.start : e.start + 1]
            raise PredictionsFileError(
                f"{path}:{number}: expected UTF-8 text; byte {e.start} of the line is {bad!r}"
            ) from None
        if number == 1:
            line = line.removeprefix("\ufeff")  # a byte-order mark some editors write
        predictions.append(line.removesuffix("\r"))
    if expected is not None and len(predictions) != expected:
        raise PredictionsFileError(
            f"{path} has {len(predictions)} lines but {split_name} has {expected} examples; "
            f"write one prediction per line, in task order."
        )
    return predictions
