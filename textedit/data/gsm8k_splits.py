"""GSM8K as text-to-text splits: question -> worked solution ending in `#### N`.

    load_gsm8k_split("train")        # question -> the human worked solution (annotations kept)
    load_gsm8k_split("train", target="answer_only")   # question -> "#### N"
    load_gsm8k_split("validation")   # references: the human solution (the metric reads its N)
    load_gsm8k_split("test")         # math/gsm8k.test.jsonl, when present

The data directory has GSM8K's training file only, so train and validation are drawn from it by
the project's fixed hash rule on the question (`dataset_catalog.in_validation`: about 20% in
validation); `test` reads the published test file whole when it is installed (else the read
raises DataFileNotFoundError naming it). The vocabulary is trained on the whole training file
(textedit/data/vocab/vocabulary_corpus.py), validation questions included: it sees their text,
not which answers are right.
"""

from __future__ import annotations

from textedit.data.data_dir import data_path
from textedit.data.dataset_catalog import TEST, TRAIN, VALIDATION, LoadedSplit, in_validation
from textedit.data.examples import MultiReferenceExample
from textedit.data.math_answers import FINAL_ANSWER_MARK
from textedit.data.readers.gsm8k_reader import GSM8KExample, read_gsm8k
from textedit.data.readers.malformed_input import SkipReport

TRAIN_FILE = "math/gsm8k.train.jsonl"
TEST_FILE = "math/gsm8k.test.jsonl"
SPLITS = (TRAIN, VALIDATION, TEST)
TARGETS = ("rationale", "answer_only")


def read_gsm8k_problems(split: str, skip: SkipReport | None = None) -> list[GSM8KExample]:
    """The problems of a split (module docstring), in file order."""
    if split not in SPLITS:
        raise ValueError(f"gsm8k has no split {split!r}; it has {list(SPLITS)}")
    if split == TEST:
        return read_gsm8k(data_path(TEST_FILE), skip=skip)
    problems = read_gsm8k(data_path(TRAIN_FILE), skip=skip)
    return [p for p in problems if in_validation(p.question) == (split == VALIDATION)]


def training_target(problem: GSM8KExample, target: str) -> str:
    """What a student learns to write: the worked solution or only `#### N`."""
    if target == "rationale":
        return problem.answer
    if target == "answer_only":
        return f"{FINAL_ANSWER_MARK} {problem.final_answer}"
    raise ValueError(f"unknown gsm8k target {target!r}; expected one of {TARGETS}")


def load_gsm8k_split(split: str, skip_bad_lines: bool = False,
                     target: str = "rationale") -> LoadedSplit:
    """A split as examples: source = question; train's reference = `training_target`, the
    evaluated splits' reference = the human solution (only its `#### N` is scored)."""
    skip = SkipReport() if skip_bad_lines else None
    examples = problem_examples(read_gsm8k_problems(split, skip), split, target)
    files = [str(data_path(TEST_FILE if split == TEST else TRAIN_FILE))]
    return LoadedSplit(examples, files, skip)


def problem_examples(problems: list[GSM8KExample], split: str,
                     target: str = "rationale") -> list[MultiReferenceExample]:
    """Examples of a split's problems: source = question; train's reference = `training_target`,
    the evaluated splits' = the worked solution (only its `#### N` is scored)."""
    return [MultiReferenceExample(
        p.question, (training_target(p, target) if split == TRAIN else p.answer,))
        for p in problems]
