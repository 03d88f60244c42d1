"""The math word-problem sets the chain-of-thought study runs on, by name, with one interface:

    read_problems("gsm8k", "train")             # GSM8K's training file minus the hash-split fifth
    read_problems("gsm8k_synthetic", "train")   # 20,000 generated problems (math_problems.py)
    load_problem_split("gsm8k_synthetic", "train", target="answer_only")   # question -> "#### N"

`gsm8k` is the real task (textedit/data/gsm8k_splits.py: train / validation / test).
`gsm8k_synthetic` is generated in GSM8K's format: 20,000 training problems (seed 0) and 500
validation problems (seed 1); training problems whose question also occurs in validation are
removed and counted, so no validation question is ever trained on. Its stories are easy to read
and hard to compute in one's head (2 to 4 chained operations), which is what a study of
rationales needs from a model small enough to train here: where GSM8K stays at zero accuracy for
every student these cores can train, the synthetic set separates them (docs/algorithms.md,
#cot-distillation).
"""

from __future__ import annotations

from textedit.data.dataset_catalog import TRAIN, VALIDATION, LoadedSplit
from textedit.data.gsm8k_splits import SPLITS as GSM8K_SPLITS
from textedit.data.gsm8k_splits import load_gsm8k_split, problem_examples, read_gsm8k_problems
from textedit.data.math_problems import generate_problems
from textedit.data.readers.gsm8k_reader import GSM8KExample
from textedit.data.readers.malformed_input import SkipReport

SYNTHETIC_SIZES = {TRAIN: (20_000, 0), VALIDATION: (500, 1)}  # split -> (problems, seed)
SPLITS = {"gsm8k": GSM8K_SPLITS, "gsm8k_synthetic": tuple(SYNTHETIC_SIZES)}
PROBLEM_SETS = tuple(SPLITS)


def _check(problem_set: str, split: str) -> None:
    if problem_set not in SPLITS:
        raise ValueError(f"unknown problem set {problem_set!r}; expected one of {PROBLEM_SETS}")
    if split not in SPLITS[problem_set]:
        raise ValueError(f"{problem_set} has no split {split!r}; it has "
                         f"{list(SPLITS[problem_set])}")


def synthetic_problems(split: str) -> tuple[list[GSM8KExample], int]:
    """(problems, training problems removed for sharing a validation question)."""
    _check("gsm8k_synthetic", split)
    generated = {name: generate_problems(*SYNTHETIC_SIZES[name]) for name in SYNTHETIC_SIZES
                 if name in (split, VALIDATION)}
    if split == VALIDATION:
        return generated[VALIDATION], 0
    held_out = {p.question for p in generated[VALIDATION]}
    kept = [p for p in generated[TRAIN] if p.question not in held_out]
    return kept, len(generated[TRAIN]) - len(kept)


def read_problems(problem_set: str, split: str,
                  skip: SkipReport | None = None) -> list[GSM8KExample]:
    """The problems of a set's split (module docstring), in order."""
    _check(problem_set, split)
    if problem_set == "gsm8k":
        return read_gsm8k_problems(split, skip)
    return synthetic_problems(split)[0]


def load_problem_split(problem_set: str, split: str, skip_bad_lines: bool = False,
                       target: str = "rationale") -> LoadedSplit:
    """A split as examples (source = question); train's reference = `training_target`, the
    evaluated splits' = the worked solution (only its `#### N` is scored)."""
    _check(problem_set, split)
    if problem_set == "gsm8k":
        return load_gsm8k_split(split, skip_bad_lines, target)
    problems, removed = synthetic_problems(split)
    return LoadedSplit(problem_examples(problems, split, target), [], None, removed)
