"""Samples k chain-of-thought rationales per training question of a math problem set (GSM8K or
the generated gsm8k_synthetic; textedit/data/math_problem_sets.py) from a trained teacher run
(Magister et al., 2023), the input of the rationale students (`textedit rationales`).

    records = sample_rationales("workdir/runs/gsm8k_teacher", RationaleSampling(k=4))
    write_rationales("workdir/rationales/teacher.jsonl", records)

Each record is one sample: {"question", "rationale" (the whole decoded solution), "answer" (its
final answer, after `####`; "" when it wrote none), "gold", "correct", "sample"}.
The file is the same format as an external LLM's rationales (textedit/data/rationales.py), so
the students train on either the same way; filtering happens when the task reads the file.
Sampling: temperature (and top-k / top-p) with a fixed seed per batch, so a run is
reproducible; with `calculator=True` the calculator writes the results of the teacher's
annotations while it samples (textedit/decoding/calculator.py).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator

import numpy as np

from textedit.benchmarks.mucoco_experiment import decode_outputs, encode_sources
from textedit.data.math_answers import extract_answer, normalize_number


@dataclasses.dataclass
class RationaleSampling:
    """How to sample (each field is the `textedit rationales` flag of the same name)."""

    k: int = 4
    temperature: float = 0.7
    top_p: float = 1.0
    max_questions: int = 0  # first N training questions (0 = all)
    batch_size: int = 32  # rows per decode: questions x k
    max_input_length: int = 128
    max_decode_length: int = 192
    calculator: bool = False
    seed: int = 0
    split: str = "train"
    problems: str = "gsm8k"  # the problem set (math_problem_sets.PROBLEM_SETS)


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def sample_rationales(teacher: str, settings: RationaleSampling, log=print) -> list[dict]:
    """The records of every sample (module docstring), questions in split order."""
    from textedit.data.math_problem_sets import read_problems
    from textedit.decoding.calculator import SamplingSettings, calculator_decode
    from textedit.decoding.sampling import sample_decode
    from textedit.runs.run_artifacts import load_run

    run = load_run(teacher)
    problems = read_problems(settings.problems, settings.split)
    if settings.max_questions:
        problems = problems[:settings.max_questions]
    rows = [p for p in problems for _ in range(settings.k)]
    records, start = [], time.perf_counter()
    for number, batch in enumerate(_batches(rows, settings.batch_size)):
        tokens = encode_sources(run.vocabulary, [p.question for p in batch],
                                settings.max_input_length)
        padding = settings.batch_size - len(batch)  # one static shape: one compilation
        tokens = np.concatenate([tokens, np.zeros((padding, tokens.shape[1]), np.int32)])
        seed = settings.seed * 1_000_003 + number
        if settings.calculator:
            output = calculator_decode(
                run.model, run.vocabulary, tokens, settings.max_decode_length,
                sampling=SamplingSettings(seed=seed, temperature=settings.temperature,
                                          top_p=settings.top_p))
        else:
            output = sample_decode(run.model, tokens, settings.max_decode_length, seed=seed,
                                   temperature=settings.temperature, top_p=settings.top_p)
        texts = decode_outputs(run.vocabulary, np.asarray(output)[:len(batch)])
        for i, (problem, text) in enumerate(zip(batch, texts, strict=True)):
            # Only a written "#### N" counts: the last number of a text that never reached its
            # answer would let chance hits through Magister's filter.
            answer = extract_answer(text, fallback=False) or ""
            gold = normalize_number(problem.final_answer)
            records.append({"question": problem.question, "rationale": text, "answer": answer,
                            "gold": gold, "correct": answer == gold,
                            "sample": (number * settings.batch_size + i) % settings.k})
        if number % 10 == 0:
            right = sum(r["correct"] for r in records)
            log(f"rationales: {len(records)}/{len(rows)} samples, {right} with the gold answer, "
                f"{time.perf_counter() - start:.0f}s")
    return records
