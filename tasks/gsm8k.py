"""GSM8K tasks: question -> worked solution ending in `#### N`, scored by final-answer accuracy.

    gsm8k               train: the human worked solutions (calculator annotations kept)
    gsm8k_answer_only   train: "#### N" only (the answer-only student of the distillation study)
    gsm8k_synthetic     pre-training material: 20,000 generated multi-step problems in the same
                        format (textedit/data/math_problems.py), validation 500 others
    both                validation: the hash-split fifth of the training file; test:
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
"""

from __future__ import annotations

import os

from tasks.registration import loaded_split, register_text_task
from textedit.data.dataset_catalog import TRAIN, VALIDATION, LoadedSplit, remove_overlap
from textedit.data.examples import MultiReferenceExample
from textedit.data.gsm8k_splits import SPLITS, load_gsm8k_split, read_gsm8k_problems
from textedit.data.math_problems import generate_problems
from textedit.data.rationales import filter_rationales, rationale_examples, read_rationales
from textedit.data.readers.malformed_input import SkipReport
from textedit.metrics.answer_accuracy import answer_accuracy_score
from textedit.metrics.seqio_adapters import as_seqio_metric

ANSWER_ACCURACY = as_seqio_metric(answer_accuracy_score, name="answer_accuracy")
TASKS = {"gsm8k": "rationale", "gsm8k_answer_only": "answer_only"}
# name -> the last FilterReport of a rationale task (printed by the experiment)
FILTER_REPORTS: dict = {}


def _register(name: str, target: str) -> None:
    register_text_task(name, list(SPLITS),
                       lambda split, skip: load_gsm8k_split(split, skip, target=target),
                       [ANSWER_ACCURACY])


for _name, _target in TASKS.items():
    _register(_name, _target)

SYNTHETIC_SIZES = {TRAIN: (20_000, 0), VALIDATION: (500, 1)}  # split -> (problems, seed)


def load_synthetic_split(split: str, skip_bad_lines: bool = False) -> LoadedSplit:
    """Generated problems; training problems that also occur in validation are removed."""

    def examples(name):
        count, seed = SYNTHETIC_SIZES[name]
        return [MultiReferenceExample(p.question, (p.answer,))
                for p in generate_problems(count, seed)]

    if split == VALIDATION:
        return LoadedSplit(examples(VALIDATION), [])
    kept, removed = remove_overlap(examples(TRAIN), examples(VALIDATION))
    return LoadedSplit(kept, [], None, removed)


register_text_task("gsm8k_synthetic", list(SYNTHETIC_SIZES), load_synthetic_split,
                   [ANSWER_ACCURACY])


def rationale_loader(name: str, path: str | os.PathLike, filtered: bool = True):
    """The split loader of a rationale task: (split, skip_bad_lines) -> LoadedSplit; train = the
    rationales of `path` (filtered by answer correctness or not), the others = gsm8k's."""

    def load(split: str, skip_bad_lines: bool) -> LoadedSplit:
        if split != TRAIN:
            return loaded_split("gsm8k", split, load_gsm8k_split)
        skip = SkipReport() if skip_bad_lines else None
        gold = {p.question.strip(): p.final_answer for p in read_gsm8k_problems(TRAIN)}
        kept, report = filter_rationales(read_rationales(path, skip), gold, filtered)
        FILTER_REPORTS[name] = report
        print(f"{name}: {report.summary()}", flush=True)
        if not kept:
            raise ValueError(f"{path}: no rationale left to train on ({report.summary()})")
        return LoadedSplit(rationale_examples(kept), [str(path)], skip)

    return load


def register_rationale_task(name: str, path: str | os.PathLike, filtered: bool = True) -> str:
    """Registers `name` over `rationale_loader(name, path, filtered)`; returns the name."""
    register_text_task(name, list(SPLITS), rationale_loader(name, path, filtered),
                       [ANSWER_ACCURACY])
    return name


def gsm8k_rationale_task(path: str, filtered: bool = True, name: str | None = None) -> str:
    """`register_rationale_task` for gin (module docstring); the name defaults to
    gsm8k_rationales_<file stem>_<filtered|unfiltered>."""
    stem = os.path.splitext(os.path.basename(path))[0].replace("-", "_").replace(".", "_")
    name = name or f"gsm8k_rationales_{stem}_{'filtered' if filtered else 'unfiltered'}"
    return register_rationale_task(name, path, filtered)
