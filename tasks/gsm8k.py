"""GSM8K tasks: question -> worked solution ending in `#### N`, scored by final-answer accuracy.

    gsm8k               train: the human worked solutions (calculator annotations kept)
    gsm8k_answer_only   train: "#### N" only (the answer-only student of the distillation study)
    gsm8k_synthetic     20,000 generated multi-step problems in the same format
                        (textedit/data/math_problems.py), validation 500 others: pre-training
                        material, and the problem set where the study's students separate
    gsm8k_synthetic_answer_only   its answer-only twin
    gsm8k, gsm8k_answer_only      validation: the hash-split fifth of the training file; test:
                        math/gsm8k.test.jsonl when present (textedit/data/gsm8k_splits.py)

Metric: `answer_accuracy` (textedit/metrics/answer_accuracy.py): final answers compared after
normalisation, with a 95% Wilson interval (`answer_accuracy_low` / `_high`).

Rationales of a teacher (the project's, `textedit rationales`, or an external LLM's JSONL with
question / rationale / answer) become a training task with `register_rationale_task`, filtered
by answer correctness (Magister et al., 2023) or not; from gin, the training task is the name
the configurable returns:

    MIXTURE_OR_TASK_NAME = @gsm8k_rationale_task()
    gsm8k_rationale_task.path = "workdir/rationales/teacher.jsonl"
    gsm8k_rationale_task.filtered = True
    gsm8k_rationale_task.problems = "gsm8k_synthetic"   # default "gsm8k"
"""

from __future__ import annotations

import os

from tasks.registration import loaded_split, register_text_task
from textedit.data.dataset_catalog import TRAIN, LoadedSplit
from textedit.data.math_problem_sets import PROBLEM_SETS, load_problem_split, read_problems
from textedit.data.math_problem_sets import SPLITS as PROBLEM_SPLITS
from textedit.data.rationales import filter_rationales, rationale_examples, read_rationales
from textedit.data.readers.malformed_input import SkipReport
from textedit.metrics.answer_accuracy import answer_accuracy_score
from textedit.metrics.seqio_adapters import as_seqio_metric

ANSWER_ACCURACY = as_seqio_metric(answer_accuracy_score, name="answer_accuracy")
# task name -> (problem set, training target)
TASKS = {"gsm8k": ("gsm8k", "rationale"), "gsm8k_answer_only": ("gsm8k", "answer_only"),
         "gsm8k_synthetic": ("gsm8k_synthetic", "rationale"),
         "gsm8k_synthetic_answer_only": ("gsm8k_synthetic", "answer_only")}
# name -> the last FilterReport of a rationale task (printed by the experiment)
FILTER_REPORTS: dict = {}


def _register(name: str, problems: str, target: str) -> None:
    register_text_task(
        name, list(PROBLEM_SPLITS[problems]),
        lambda split, skip: load_problem_split(problems, split, skip, target=target),
        [ANSWER_ACCURACY])


for _name, (_problems, _target) in TASKS.items():
    _register(_name, _problems, _target)


def rationale_loader(name: str, path: str | os.PathLike, filtered: bool = True,
                     problems: str = "gsm8k"):
    """The split loader of a rationale task: (split, skip_bad_lines) -> LoadedSplit; train = the
    rationales of `path` for the training questions of the problem set `problems` (filtered by
    answer correctness or not), the other splits = the problem set's."""
    if problems not in PROBLEM_SETS:
        raise ValueError(f"unknown problem set {problems!r}; expected one of {PROBLEM_SETS}")

    def load(split: str, skip_bad_lines: bool) -> LoadedSplit:
        if split != TRAIN:
            return loaded_split(problems, split,
                                lambda s, skip: load_problem_split(problems, s, skip))
        skip = SkipReport() if skip_bad_lines else None
        gold = {p.question.strip(): p.final_answer for p in read_problems(problems, TRAIN)}
        kept, report = filter_rationales(read_rationales(path, skip), gold, filtered)
        FILTER_REPORTS[name] = report
        print(f"{name}: {report.summary()}", flush=True)
        if not kept:
            raise ValueError(f"{path}: no rationale left to train on ({report.summary()})")
        return LoadedSplit(rationale_examples(kept), [str(path)], skip)

    return load


def register_rationale_task(name: str, path: str | os.PathLike, filtered: bool = True,
                            problems: str = "gsm8k") -> str:
    """Registers `name` over `rationale_loader(name, path, filtered, problems)`; returns it."""
    register_text_task(name, list(PROBLEM_SPLITS[problems]),
                       rationale_loader(name, path, filtered, problems), [ANSWER_ACCURACY])
    return name


def gsm8k_rationale_task(path: str, filtered: bool = True, name: str | None = None,
                         problems: str = "gsm8k") -> str:
    """`register_rationale_task` for gin (module docstring); the name defaults to
    <problems>_rationales_<file stem>_<filtered|unfiltered>."""
    stem = os.path.splitext(os.path.basename(path))[0].replace("-", "_").replace(".", "_")
    name = name or f"{problems}_rationales_{stem}_{'filtered' if filtered else 'unfiltered'}"
    return register_rationale_task(name, path, filtered, problems)
