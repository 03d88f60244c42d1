"""GSM8K reader: count, final answers, and answers without `####`."""

import json

import pytest

from textedit.data.data_dir import data_path
from textedit.data.readers.gsm8k_reader import read_gsm8k
from textedit.data.readers.malformed_input import MalformedInputError, SkipReport


def test_train_count_and_first_example():
    examples = read_gsm8k(data_path("math/gsm8k.train.jsonl"))
    assert len(examples) == 7_473
    first = examples[0]
    assert first.question.startswith("Natalia sold clips to 48 of her friends in April")
    assert first.final_answer == "72" and first.line == 1
    assert first.answer.endswith("#### 72")
    assert first.reasoning.endswith("72 clips altogether in April and May.")
    assert all(e.final_answer and "####" not in e.reasoning for e in examples)
    # Thousands separators are kept as written.
    assert sum("," in e.final_answer for e in examples) == 79


@pytest.mark.parametrize(
    "bad",
    [
        {"question": "q?", "answer": "no final answer"},
        {"question": "q?", "answer": "steps\n####   "},
        {"answer": "#### 1"},
        "not json",
    ],
)
def test_malformed(tmp_path, bad):
    good = {"question": "How many?", "answer": "2+2=<<2+2=4>>4\n#### 4"}
    path = tmp_path / "g.jsonl"
    path.write_text(
        "\n".join(json.dumps(r) if isinstance(r, dict) else r for r in (good, bad)) + "\n"
    )
    with pytest.raises(MalformedInputError, match=r"g\.jsonl:2: expected a JSON object"):
        read_gsm8k(path)
    skip = SkipReport()
    examples = read_gsm8k(path, skip=skip)
    assert [e.final_answer for e in examples] == ["4"] and skip.skipped == 1
