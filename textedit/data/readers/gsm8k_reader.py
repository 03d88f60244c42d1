"""Reader for GSM8K: grade-school maths word problems with worked answers.

JSON lines: `{"question": ..., "answer": "<worked steps>\\n#### 72"}`. The worked steps contain
calculator annotations `<<48/2=24>>`, kept as they are. The final answer is the text after the
last `####`, stripped, exactly as written (79 training answers have thousands separators, e.g.
"1,080"; normalise them where answers are compared, not here).
"""

from __future__ import annotations

import dataclasses
import os

from textedit.data.readers.malformed_input import MalformedInputError, SkipReport, handle
from textedit.data.readers.text_lines import read_json_objects

FINAL_ANSWER_MARK = "####"
_FORMAT = 'a JSON object with string "question" and "answer" ending in "#### <final answer>"'


@dataclasses.dataclass(frozen=True)
class GSM8KExample:
    """A problem, its full worked answer (with the `#### N` line), the final answer and its line."""

    question: str
    answer: str
    final_answer: str
    line: int

    @property
    def reasoning(self) -> str:
        """The worked steps without the final `#### N` line."""
        return self.answer.rsplit(FINAL_ANSWER_MARK, 1)[0].rstrip()


def read_gsm8k(path: str | os.PathLike, skip: SkipReport | None = None) -> list[GSM8KExample]:
    """Every problem of a GSM8K JSON-lines file; an answer without `####` is malformed."""
    examples = []
    for number, record, line in read_json_objects(path):
        question = record.get("question") if record else None
        answer = record.get("answer") if record else None
        final = (
            answer.rsplit(FINAL_ANSWER_MARK, 1)[1].strip()
            if isinstance(answer, str) and FINAL_ANSWER_MARK in answer
            else ""
        )
        if not isinstance(question, str) or not question.strip() or not final:
            handle(MalformedInputError(path, number, _FORMAT, line), skip)
            continue
        examples.append(GSM8KExample(question, answer, final, number))
    return examples
