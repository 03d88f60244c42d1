"""The in-graph metric rewards by name, for command-line flags (`--reward ngram_f1|gleu|sari`).

    reward = metric_reward("gleu")        # (prompts, responses, references) -> float32 [n]
"""

from __future__ import annotations

from collections.abc import Callable

from textedit.objectives.gleu_reward import gleu_reward
from textedit.objectives.ngram_f1_reward import ngram_f1_reward
from textedit.objectives.sari_reward import sari_reward

METRIC_REWARDS: dict[str, Callable[[], Callable]] = {
    "ngram_f1": ngram_f1_reward,  # mean clipped 1-2-gram F1 against the reference
    "gleu": gleu_reward,  # sentence GLEU (source, hypothesis, reference)
    "sari": sari_reward,  # sentence SARI (source, output, reference)
}


def metric_reward(name: str) -> Callable:
    """The reward called `name` with its default settings; ValueError naming the choices."""
    if name not in METRIC_REWARDS:
        raise ValueError(f"unknown metric reward {name!r}; expected one of "
                         f"{sorted(METRIC_REWARDS)}")
    return METRIC_REWARDS[name]()
