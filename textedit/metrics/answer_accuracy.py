"""Final-answer accuracy for maths word problems, with a 95% confidence interval.

    answer_accuracy_score(questions, predictions, [[gold_solution], ...])
      -> {"answer_accuracy": 12.5, "answer_accuracy_low": 9.7, "answer_accuracy_high": 16.0,
          "answer_extracted": 98.0}

A prediction is right when its final answer (`textedit.data.math_answers.extract_answer`: the
text after its last `####`, else its last number; commas, "$" and trailing zeros normalised)
equals the final answer after the `####` of any of its references. The interval is Wilson's
score interval at 95% (z = 1.96), which stays inside [0, 100] and is sensible near 0, where
small models on GSM8K are. `answer_extracted` is the share of predictions with any answer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from textedit.data.math_answers import extract_answer
from textedit.metrics.scorer_inputs import check_scorer_inputs

Z_95 = 1.959963984540054


def wilson_interval(successes: int, total: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson's score interval for a binomial proportion, as fractions in [0, 1]."""
    if total <= 0:
        return 0.0, 0.0
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def answer_accuracy_score(
    sources: Sequence[str],
    predictions: Sequence[str],
    references: Sequence[Sequence[str]],
) -> dict[str, float]:
    """Accuracy of the final answers (module docstring), 0-100, with its 95% interval.

    Raises ValueError (naming the example) when a reference has no `####` answer.
    """
    refs = check_scorer_inputs("answer_accuracy", sources, predictions, references)
    hits = extracted = 0
    for i, (prediction, example_refs) in enumerate(zip(predictions, refs, strict=True)):
        gold = {extract_answer(r, fallback=False) for r in example_refs}
        if None in gold:
            raise ValueError(f"answer_accuracy: reference of example {i} has no '#### N' final "
                             f"answer: {example_refs[0][-80:]!r}")
        predicted = extract_answer(prediction)
        extracted += predicted is not None
        hits += predicted in gold
    low, high = wilson_interval(hits, len(refs))
    n = max(len(refs), 1)
    return {"answer_accuracy": 100.0 * hits / n, "answer_accuracy_low": 100.0 * low,
            "answer_accuracy_high": 100.0 * high, "answer_extracted": 100.0 * extracted / n}
