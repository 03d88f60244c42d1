"""GSM8K tasks: answer extraction on every real training answer, the splits, the accuracy metric
with its 95% interval, and `textedit evaluate`'s scoring path."""

import pytest

from textedit.data.data_dir import data_path
from textedit.data.dataset_catalog import in_validation
from textedit.data.gsm8k_splits import load_gsm8k_split, read_gsm8k_problems
from textedit.data.math_answers import (
    answers_match,
    extract_answer,
    is_number,
    normalize_number,
    with_final_answer,
)
from textedit.data.readers.gsm8k_reader import read_gsm8k
from textedit.metrics.answer_accuracy import answer_accuracy_score, wilson_interval


def test_every_training_answer_parses_to_its_number():
    problems = read_gsm8k(data_path("math/gsm8k.train.jsonl"))
    assert len(problems) == 7_473
    extracted = [extract_answer(p.answer, fallback=False) for p in problems]
    assert all(is_number(a) for a in extracted)
    assert extracted == [normalize_number(p.final_answer) for p in problems]
    # The 79 answers written with thousands separators lose them; none is left with a comma.
    with_commas = [a for p, a in zip(problems, extracted, strict=True) if "," in p.final_answer]
    assert len(with_commas) == 79 and not any("," in a for a in extracted)
    assert extracted[0] == "72"
    # Every answer matches itself through the metric's comparison.
    assert all(answers_match(p.answer, p.answer) for p in problems)


@pytest.mark.parametrize("written, normal", [
    ("1,080", "1080"), ("$1,080.00", "1080"), ("5.0", "5"), ("0.50", "0.5"), (".5", "0.5"),
    ("-3", "-3"), ("-0", "0"), ("7.", "7"), (" 12 ", "12"), ("1/2", "1/2"), ("abc", "abc")])
def test_normalize_number(written, normal):
    assert normalize_number(written) == normal


def test_extract_answer_and_fallback():
    assert extract_answer("step\n#### $1,200\nextra") == "1200"
    assert extract_answer("so she pays 3 + 4 = 7 dollars, $12.50 in all") == "12.5"
    assert extract_answer("so she pays 12.50", fallback=False) is None
    assert extract_answer("no number here") is None
    assert extract_answer("steps\n#### ") is None
    assert not answers_match("#### 8", "#### 7") and answers_match("#### 7.00", "x\n#### 7")
    assert with_final_answer("a\nb\n#### 3", "4") == "a\nb\n#### 4"
    assert with_final_answer("", "4") == "#### 4"


def test_wilson_interval_known_values():
    # Reference values: statsmodels proportion_confint(k, n, method="wilson").
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.27753, abs=1e-5)
    low, high = wilson_interval(5, 10)
    assert (low, high) == (pytest.approx(0.23659, abs=1e-5), pytest.approx(0.76341, abs=1e-5))
    assert wilson_interval(0, 0) == (0.0, 0.0)


def test_answer_accuracy_score():
    refs = [["x\n#### 72"], ["#### 1,080"], ["y\n#### 5"], ["#### 0.5"]]
    predictions = ["z\n#### 72", "1080 is it", "#### 6", "nothing"]
    scores = answer_accuracy_score(["q"] * 4, predictions, refs)
    assert scores["answer_accuracy"] == 50.0
    assert scores["answer_extracted"] == 75.0
    low, high = wilson_interval(2, 4)
    assert scores["answer_accuracy_low"] == pytest.approx(100 * low)
    assert scores["answer_accuracy_high"] == pytest.approx(100 * high)
    with pytest.raises(ValueError, match="example 1 has no '#### N'"):
        answer_accuracy_score(["q", "q"], ["1", "2"], [["#### 1"], ["no answer"]])


def test_splits_partition_the_training_file():
    train, validation = read_gsm8k_problems("train"), read_gsm8k_problems("validation")
    assert len(train) + len(validation) == 7_473
    assert 0.17 < len(validation) / 7_473 < 0.23
    assert all(in_validation(p.question) for p in validation)
    assert not {p.question for p in train} & {p.question for p in validation}
    answer_only = load_gsm8k_split("train", target="answer_only").examples
    assert answer_only[0].references[0] == f"#### {train[0].final_answer}"
    assert load_gsm8k_split("train").examples[0].references[0] == train[0].answer
    # Validation references are the human solutions whatever the training target.
    assert load_gsm8k_split("validation", target="answer_only").examples[0].references[0] == \
        validation[0].answer


def test_test_split_needs_its_file():
    from textedit.data.data_dir import DataFileNotFoundError

    if data_path("math").joinpath("gsm8k.test.jsonl").exists():
        assert len(read_gsm8k_problems("test")) > 0
    else:
        with pytest.raises(DataFileNotFoundError, match="gsm8k.test.jsonl"):
            read_gsm8k_problems("test")


def test_task_metric_fn():
    """The gsm8k tasks' metric_fn, as SeqIO calls it, on postprocessed validation targets."""
    import tasks  # noqa: F401
    from textedit.metrics import task_evaluation

    for task in ("gsm8k", "gsm8k_answer_only"):
        (metric_fn,) = task_evaluation.metric_fns(task)
        examples = load_gsm8k_split("validation").examples[:50]
        targets = [{"source": e.source, "references": list(e.references)} for e in examples]
        golds = [e.references[0] for e in examples]
        assert metric_fn(targets, golds)["answer_accuracy"] == 100.0
        half = [g if i % 2 else "#### -1" for i, g in enumerate(golds)]
        assert metric_fn(targets, half)["answer_accuracy"] == 50.0


@pytest.mark.slow
def test_task_metric_through_evaluate():
    """`textedit evaluate`'s path (the split read through SeqIO, ~45 s): gold solutions score
    100, answer-only outputs too."""
    import tasks  # noqa: F401
    from textedit.metrics import task_evaluation

    split = task_evaluation.read_split("gsm8k", "validation")
    golds = [targets["references"][0] for targets in split.targets]

    def accuracy(predictions):
        (result,) = task_evaluation.score(split, predictions)
        assert result.name == "answer_accuracy"
        return result.scores

    scores = accuracy(golds)
    assert scores["answer_accuracy"] == 100.0 and scores["answer_accuracy_low"] > 99.0
    assert accuracy(["#### " + extract_answer(g) for g in golds])["answer_accuracy"] == 100.0
    assert accuracy(["#### -1"] * len(golds))["answer_accuracy"] == 0.0
