"""Rationale files and Magister's filter, on constructed samples: what is kept, what is dropped
and why, the training targets, and the errors for malformed lines."""

import json

import pytest

from textedit.data.rationales import (
    Rationale,
    filter_rationales,
    rationale_examples,
    read_rationales,
    write_rationales,
)
from textedit.data.readers.malformed_input import MalformedInputError, SkipReport

GOLD = {"How many apples?": "1,200", "How many pears?": "7"}


def samples() -> list[Rationale]:
    return [
        Rationale("How many apples?", "3 boxes of 400 = 1200 apples.", "1200"),   # right
        Rationale("How many apples?", "3 boxes of 300 = 900 apples.", "900"),     # wrong
        Rationale("How many pears?", "4 + 3 = <<4+3=7>>7\n#### 7", "7.00"),      # right
        Rationale("How many pears?", "no idea", None),                           # no answer
        Rationale("How many plums?", "2 + 2 = 4", "4"),                          # not in train
    ]


def test_filter_keeps_right_answers_only():
    kept, report = filter_rationales(samples(), GOLD, filtered=True)
    assert [r.answer for r in kept] == ["1200", "7.00"]
    assert (report.total, report.kept, report.wrong_answer, report.no_answer,
            report.unknown_question, report.questions_covered) == (5, 2, 1, 1, 1, 2)
    assert report.summary().startswith("2 of 5 rationales kept (1 wrong answer dropped")


def test_unfiltered_keeps_wrong_and_unanswered_but_not_unknown_questions():
    kept, report = filter_rationales(samples(), GOLD, filtered=False)
    assert [r.answer for r in kept] == ["1200", "900", "7.00", None]
    assert (report.kept, report.wrong_answer, report.no_answer, report.unknown_question) == \
        (4, 0, 1, 1)
    assert rationale_examples(kept)[3].references == ("no idea",)  # as written


def test_training_targets_end_with_the_answer():
    kept, _ = filter_rationales(samples(), GOLD)
    examples = rationale_examples(kept)
    assert examples[0].source == "How many apples?"
    assert examples[0].references == ("3 boxes of 400 = 1200 apples.\n#### 1200",)
    # The rationale's own "#### 7" line is replaced, not repeated.
    assert examples[1].references == ("4 + 3 = <<4+3=7>>7\n#### 7.00",)


def test_read_write_round_trip_and_answer_fallback(tmp_path):
    path = tmp_path / "rationales.jsonl"
    records = [{"question": " How many pears? ", "rationale": "4 + 3 = 7\n#### 7", "answer": ""},
               {"question": "How many apples?", "rationale": "so 1,200", "answer": 1200},
               {"question": "How many apples?", "rationale": "it is 1200.", "extra": 1}]
    assert write_rationales(path, records) == 3
    read = read_rationales(path)
    assert [(r.question, r.answer, r.line) for r in read] == [
        ("How many pears?", "7", 1), ("How many apples?", "1200", 2),
        ("How many apples?", None, 3)]  # no "#### N" and no answer: its last number is no answer
    kept, report = filter_rationales(read, GOLD)
    assert (report.kept, report.no_answer) == (2, 1)


@pytest.mark.parametrize("line", [
    '{"rationale": "x", "answer": "1"}',                      # no question
    '{"question": "q", "answer": "1"}',                       # no rationale
    '{"question": "q", "rationale": "x", "answer": [1]}',     # answer not a string or number
    '{"question": "q", "rationale": "x", "answer": true}',
    'not json'])
def test_malformed_lines_name_file_and_line(tmp_path, line):
    path = tmp_path / "bad.jsonl"
    good = json.dumps({"question": "q", "rationale": "x", "answer": "1"})
    path.write_text(f"{good}\n{line}\n", encoding="utf-8")
    with pytest.raises(MalformedInputError, match=r"bad\.jsonl:2: expected a JSON object"):
        read_rationales(path)
    skip = SkipReport()
    assert len(read_rationales(path, skip)) == 1 and skip.skipped == 1


def test_rationale_task_trains_on_the_filtered_file(tmp_path):
    """tasks.gsm8k's rationale tasks: train = the kept rationales of real training questions."""
    import seqio

    from tasks.gsm8k import FILTER_REPORTS, rationale_loader, register_rationale_task
    from textedit.data.gsm8k_splits import read_gsm8k_problems

    train = read_gsm8k_problems("train")[:3]
    validation = read_gsm8k_problems("validation")[:1]
    records = [{"question": p.question, "rationale": "steps", "answer": p.final_answer}
               for p in train]
    records.append({"question": train[0].question, "rationale": "wrong", "answer": "-5"})
    records.append({"question": validation[0].question, "rationale": "leak", "answer": "1"})
    path = tmp_path / "teacher.jsonl"
    write_rationales(path, records)
    for filtered, count in ((True, 3), (False, 4)):
        name = f"test_rationales_{filtered}"
        loaded = rationale_loader(name, path, filtered)("train", False)
        assert len(loaded.examples) == count
        assert FILTER_REPORTS[name].unknown_question == 1
        assert loaded.examples[0].references[0] == f"steps\n#### {train[0].final_answer}"
        assert loaded.examples[0].source == train[0].question
    task = seqio.get_mixture_or_task(register_rationale_task("test_rationales", path))
    assert task.splits == ("train", "validation", "test")
    assert [fn.__name__ for fn in task.metric_fns] == ["answer_accuracy"]
    write_rationales(path, records[3:])  # nothing right: an error naming the file
    with pytest.raises(ValueError, match="teacher.jsonl: no rationale left"):
        rationale_loader("x", path, True)("train", False)


def test_rationale_task_over_the_synthetic_problems(tmp_path):
    """With problems="gsm8k_synthetic" the filter checks the generated training questions' gold
    answers, and the evaluated splits are the generated ones (no test split)."""
    import seqio

    from tasks.gsm8k import rationale_loader, register_rationale_task
    from textedit.data.math_problem_sets import read_problems

    train = read_problems("gsm8k_synthetic", "train")[:2]
    gsm8k_question = read_problems("gsm8k", "train")[0].question
    records = [{"question": train[0].question, "rationale": "right",
                "answer": train[0].final_answer},
               {"question": train[1].question, "rationale": "wrong", "answer": "-1"},
               {"question": gsm8k_question, "rationale": "other set", "answer": "1"}]
    path = tmp_path / "synthetic.jsonl"
    write_rationales(path, records)
    loaded = rationale_loader("syn", path, True, problems="gsm8k_synthetic")("train", False)
    assert [e.references[0] for e in loaded.examples] == [f"right\n#### {train[0].final_answer}"]
    name = register_rationale_task("test_synthetic_rationales", path, False, "gsm8k_synthetic")
    task = seqio.get_mixture_or_task(name)
    assert task.splits == ("train", "validation")
    validation = read_problems("gsm8k_synthetic", "validation")
    read = [e["inputs"].numpy().decode() for e in task.source.get_dataset("validation")]
    assert sorted(read) == sorted(p.question for p in validation)
    with pytest.raises(ValueError, match="unknown problem set 'gsm9k'"):
        rationale_loader("x", path, True, problems="gsm9k")
