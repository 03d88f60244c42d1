"""The procedural word-problem generator: reproducible, GSM8K's format, and every annotation is
what the calculator computes."""

import re

from textedit.data.math_answers import extract_answer
from textedit.data.math_problems import TEMPLATES, generate_problems
from textedit.decoding.calculator_text import evaluate_expression

ANNOTATION = re.compile(r"<<([^<>]*)=([^<>=]*)>>(\S+)")


def test_reproducible_and_varied():
    problems = generate_problems(600, seed=0)
    assert problems == generate_problems(600, seed=0)
    assert problems != generate_problems(600, seed=1)
    assert len({p.question for p in problems}) > 580
    # The templates take turns: one story of each in the first len(TEMPLATES) problems.
    first = " ".join(p.question for p in problems[:len(TEMPLATES)])
    assert all(word in first for word in ("bags", "change", "equally", "half", "pages", "fewer"))


def test_format_and_arithmetic():
    for p in generate_problems(600, seed=3):
        lines = p.answer.split("\n")
        assert lines[-1] == f"#### {p.final_answer}" and extract_answer(p.answer) == p.final_answer
        annotations = ANNOTATION.findall(p.answer)
        assert 2 <= len(annotations) <= 4 and len(annotations) == len(lines) - 1
        for expression, result, written in annotations:
            assert evaluate_expression(expression) == result
            assert written.rstrip(".") == result  # the result is written again after ">>"
        assert annotations[-1][1] == p.final_answer and int(p.final_answer) >= 0


def test_synthetic_task_splits_do_not_overlap():
    from tasks.gsm8k import load_synthetic_split

    train, validation = load_synthetic_split("train"), load_synthetic_split("validation")
    assert len(validation.examples) == 500
    assert len(train.examples) + train.removed_overlap == 20_000
    assert not {e.source for e in train.examples} & {e.source for e in validation.examples}
