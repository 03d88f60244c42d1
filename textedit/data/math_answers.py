"""Final answers of grade-school maths solutions: extraction and numeric normalisation.

A GSM8K worked solution ends in a line `#### N`. Answers are compared after normalisation, so
that "1,080", "$1080" and "1080.00" are the same answer:

    extract_answer("Natalia sold 48+24 = <<48+24=72>>72 clips.\\n#### 72")   -> "72"
    normalize_number("$1,080.00")                                           -> "1080"
    answers_match("#### 0.50", "#### .5")                                   -> True

A text without `####` (a model that never wrote the mark) falls back to its last number, the rule
most GSM8K evaluations use; `extract_answer(text, fallback=False)` returns None instead. This
module is pure Python: the metric (textedit/metrics/answer_accuracy.py), the rationale filter
(textedit/data/rationales.py) and the tasks share it.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

FINAL_ANSWER_MARK = "####"
_LAST_NUMBER = re.compile(r"-?\$?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|-?\$?\.\d+")


def normalize_number(text: str) -> str:
    """A canonical spelling of a written answer: no "$", commas, spaces or trailing zeros.

    A text that is not a number (after removing those) comes back stripped and otherwise as is,
    so it can still be compared as text. "-0" becomes "0".
    """
    cleaned = text.strip().replace(",", "").replace("$", "").replace(" ", "").rstrip(".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return text.strip()
    if not value.is_finite():
        return text.strip()
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def extract_answer(text: str, fallback: bool = True) -> str | None:
    """The normalised final answer of a solution, or None when it has none.

    Args:
      text: a worked solution (or a bare answer line "#### N").
      fallback: without `####`, take the last number in the text (True) or give None (False).

    Returns:
      the text after the last `####` up to the end of its line, normalised (`normalize_number`);
      an empty answer after `####` is None.
    """
    if FINAL_ANSWER_MARK in text:
        tail = text.rsplit(FINAL_ANSWER_MARK, 1)[1].strip()
        tail = tail.splitlines()[0].strip() if tail else ""
        return normalize_number(tail) if tail else None
    if not fallback:
        return None
    numbers = _LAST_NUMBER.findall(text)
    return normalize_number(numbers[-1]) if numbers else None


def is_number(answer: str | None) -> bool:
    """True when `answer` (normalised or not) reads as a finite decimal number."""
    if answer is None:
        return False
    try:
        return Decimal(normalize_number(answer)).is_finite()
    except InvalidOperation:
        return False


def answers_match(prediction: str, reference: str, fallback: bool = True) -> bool:
    """True when the prediction's final answer equals the reference's (both extracted)."""
    predicted = extract_answer(prediction, fallback=fallback)
    gold = extract_answer(reference, fallback=False)
    return predicted is not None and gold is not None and predicted == gold


def with_final_answer(rationale: str, answer: str) -> str:
    """A training target: the rationale (its own `####` line removed) then `#### answer`."""
    steps = rationale.rsplit(FINAL_ANSWER_MARK, 1)[0].rstrip() if FINAL_ANSWER_MARK in rationale \
        else rationale.rstrip()
    line = f"{FINAL_ANSWER_MARK} {answer.strip()}"
    return f"{steps}\n{line}" if steps else line
