"""Gin configurables of the GSM8K tasks and the calculator.

`register_gsm8k()` (called by `gin_configurables.register_training`) registers:

    calculator_decode_fn   a DECODE_FN with GSM8K's calculator (textedit/decoding/calculator.py)
                           over the tasks' vocabulary: --gin.DECODE_FN=@calculator_decode_fn
    gsm8k_rationale_task   registers a task training on a rationales JSONL and returns its name
                           (tasks/gsm8k.py): MIXTURE_OR_TASK_NAME = @gsm8k_rationale_task()
"""

from __future__ import annotations

import functools

import gin


def calculator_decode_fn(max_decode_length: int, temperature: float = 0.0, seed: int = 0,
                         repeat_result: bool = True):
    """Greedy decoding (temperature 0) or sampling with the calculator, over the vocabulary the
    tasks use in this run (tasks.features.VOCABULARY); `repeat_result=False` writes `result>>`
    without the copy of the result after it (textedit/decoding/calculator.py)."""
    from tasks.features import VOCABULARY
    from textedit.decoding import calculator

    sampling = (calculator.SamplingSettings(seed=seed, temperature=temperature)
                if temperature > 0 else None)
    return calculator.calculator_decode_fn(max_decode_length, VOCABULARY, sampling,
                                           repeat_result)


@functools.cache
def register_gsm8k() -> None:
    """Registers the configurables listed in the module docstring (idempotent)."""
    from tasks.gsm8k import gsm8k_rationale_task

    gin.external_configurable(calculator_decode_fn, name="calculator_decode_fn")
    gin.external_configurable(gsm8k_rationale_task, name="gsm8k_rationale_task")
