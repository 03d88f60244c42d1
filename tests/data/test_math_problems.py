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


def test_synthetic_splits_do_not_overlap():
    from textedit.data.math_problem_sets import load_problem_split, read_problems

    train = load_problem_split("gsm8k_synthetic", "train")
    validation = load_problem_split("gsm8k_synthetic", "validation")
    assert len(validation.examples) == 500
    assert len(train.examples) + train.removed_overlap == 20_000
    assert not {e.source for e in train.examples} & {e.source for e in validation.examples}
    problems = read_problems("gsm8k_synthetic", "train")
    assert [p.question for p in problems] == [e.source for e in train.examples]
    assert train.examples[0].references == (problems[0].answer,)


def test_answer_only_target_and_problem_set_errors():
    import pytest

    from textedit.data.gsm8k_splits import read_gsm8k_problems
    from textedit.data.math_problem_sets import load_problem_split, read_problems

    train = load_problem_split("gsm8k_synthetic", "train", target="answer_only")
    first = read_problems("gsm8k_synthetic", "train")[0]
    assert train.examples[0].references == (f"#### {first.final_answer}",)
    # Evaluated splits keep the worked solution as the reference, whatever the target.
    validation = load_problem_split("gsm8k_synthetic", "validation", target="answer_only")
    assert validation.examples[0].references[0].endswith(
        f"\n#### {read_problems('gsm8k_synthetic', 'validation')[0].final_answer}")
    assert read_problems("gsm8k", "validation") == read_gsm8k_problems("validation")
    with pytest.raises(ValueError, match="unknown problem set 'gsm9k'"):
        read_problems("gsm9k", "train")
    with pytest.raises(ValueError, match="gsm8k_synthetic has no split 'test'"):
        load_problem_split("gsm8k_synthetic", "test")
