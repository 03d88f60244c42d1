"""Chain-of-thought rationales for distillation (Magister et al., 2023): read, filter, train on.

A rationales file is JSON lines, one rationale per line, from the project's teacher
(`textedit rationales`) or from any external LLM:

    {"question": "...", "rationale": "Natalia sold 48/2 = 24 clips in May. ...", "answer": "72"}

`answer` is the teacher's final answer (a string or a number); when it is missing or empty, the
rationale's own `#### N` is used (not its last number: a rationale that never states its answer
has none, and the filter drops it). Other keys are ignored. Several lines may share a question
(k samples per question).

Magister's filter keeps a rationale only when its answer equals the gold final answer of its
question; `filtered=False` keeps every rationale (one without an answer as it was written).
Either way only rationales of questions in the training split are used: a rationale for an
unknown question (a validation or test question, or a typo) is dropped and counted, so
evaluation never meets a question the student trained on.
The student learns question -> rationale + "\\n#### answer" (`with_final_answer`).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable, Sequence

from textedit.data.examples import MultiReferenceExample
from textedit.data.math_answers import extract_answer, normalize_number, with_final_answer
from textedit.data.readers.malformed_input import MalformedInputError, SkipReport, handle
from textedit.data.readers.text_lines import read_json_objects

_FORMAT = ('a JSON object with string "question", string "rationale" and "answer" (string or '
           'number; may be empty when the rationale ends in "#### N")')


@dataclasses.dataclass(frozen=True)
class Rationale:
    """One teacher rationale for `question`, its final answer (normalised) and its line."""

    question: str
    rationale: str
    answer: str | None
    line: int = 0


@dataclasses.dataclass
class FilterReport:
    """What `filter_rationales` kept and why the others went."""

    total: int = 0
    kept: int = 0
    wrong_answer: int = 0
    no_answer: int = 0  # without an answer (dropped when filtered, kept when not)
    unknown_question: int = 0
    questions_covered: int = 0  # training questions with at least one kept rationale

    def summary(self) -> str:
        return (f"{self.kept} of {self.total} rationales kept ({self.wrong_answer} wrong answer "
                f"dropped, {self.no_answer} without an answer, {self.unknown_question} for "
                f"questions outside the training split dropped); {self.questions_covered} "
                f"questions covered")


def _answer_of(record: dict, rationale: str) -> str | None:
    answer = record.get("answer")
    if isinstance(answer, bool):
        return None
    if isinstance(answer, int | float):
        answer = repr(answer)
    if isinstance(answer, str) and answer.strip():
        return normalize_number(answer)
    return extract_answer(rationale, fallback=False)


def read_rationales(path: str | os.PathLike, skip: SkipReport | None = None) -> list[Rationale]:
    """Every rationale of a JSON-lines file (module docstring); a malformed line raises
    MalformedInputError with file and line, or is counted in `skip`."""
    rationales = []
    for number, record, line in read_json_objects(path):
        question = record.get("question") if record else None
        text = record.get("rationale") if record else None
        answer = record.get("answer") if record else None
        if (not isinstance(question, str) or not question.strip() or not isinstance(text, str)
                or not (answer is None or isinstance(answer, str | int | float))
                or isinstance(answer, bool)):
            handle(MalformedInputError(path, number, _FORMAT, line), skip)
            continue
        rationales.append(Rationale(question.strip(), text.strip(), _answer_of(record, text),
                                    number))
    return rationales


def write_rationales(path: str | os.PathLike, records: Iterable[dict]) -> int:
    """Writes dicts (question, rationale, answer, ...) as JSON lines, atomically; returns count."""
    temporary = f"{path}.tmp"
    count = 0
    with open(temporary, "w", encoding="utf-8") as stream:
        for record in records:
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    os.replace(temporary, path)
    return count


def filter_rationales(rationales: Sequence[Rationale], gold: dict[str, str],
                      filtered: bool = True) -> tuple[list[Rationale], FilterReport]:
    """The rationales to train on, and the report.

    Args:
      rationales: as read.
      gold: training question (stripped) -> its gold final answer (any spelling; normalised).
      filtered: Magister's filter (keep right answers only); False keeps wrong ones too.
    """
    answers = {q.strip(): normalize_number(a) for q, a in gold.items()}
    report = FilterReport(total=len(rationales))
    kept = []
    for r in rationales:
        if r.question not in answers:
            report.unknown_question += 1
        elif r.answer is None:
            report.no_answer += 1
            if not filtered:  # unfiltered means every rationale, answered or not
                kept.append(r)
        elif filtered and normalize_number(r.answer) != answers[r.question]:
            report.wrong_answer += 1
        else:
            kept.append(r)
    report.kept = len(kept)
    report.questions_covered = len({r.question for r in kept})
    return kept, report


def rationale_examples(rationales: Sequence[Rationale]) -> list[MultiReferenceExample]:
    """Training examples: question -> rationale + "\\n#### answer" (the rationale as written
    when it has no answer, as the unfiltered variant keeps it)."""
    return [MultiReferenceExample(
        r.question, (with_final_answer(r.rationale, r.answer) if r.answer else r.rationale,))
        for r in rationales]
