"""`mucoco_decode_fn`: MuCoCO as a DECODE_FN of `textedit infer` / `eval` (gin/runs/mucoco.gin),
recording every example's constraint values.

    decode = mucoco_decode_fn(64, constraints=["simple:0.5", "close:0.8"],
                              classifier_dir="workdir/runs/simplicity_classifier_asset")
    tokens = decode(model, features)         # int32 [b, 64], like the greedy DECODE_FN
    decode.records                           # one dict per decoded (non-padding) row, in order

A record: {"satisfied", "initial_satisfied", "nll", "values": {name: f}, "epsilons": {name: eps}}
(the units of textedit/decoding/constraint_specs.py).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from textedit.decoding.mucoco import MucocoSettings, mucoco_decode


class MucocoDecodeFn:
    """Callable (model, features) -> tokens int32 [b, L]; constraints are built on first use
    (they need the model) and rebuilt for another model."""

    def __init__(self, max_decode_length: int, constraints: Sequence[str],
                 settings: MucocoSettings, classifier_dir: str | None = None,
                 vocab_dir: str | None = None):
        from textedit.decoding.constraint_specs import parse_spec

        if not constraints:
            raise ValueError("mucoco_decode_fn: expected at least one constraint spec")
        for spec in constraints:
            parse_spec(spec)  # fail before any model is loaded
        self.max_decode_length = max_decode_length
        self.specs = list(constraints)
        self.settings = settings
        self.classifier_dir = classifier_dir
        self.vocab_dir = vocab_dir
        self.records: list[dict] = []
        self.seconds = 0.0
        self._built = None  # (model, constraints)

    def constraints_for(self, model) -> list:
        if self._built is None or self._built[0] is not model:
            from textedit.data.vocab.vocabulary import get_vocabulary
            from textedit.decoding.constraint_specs import build_constraints

            constraints = build_constraints(self.specs, model, get_vocabulary(self.vocab_dir),
                                            self.classifier_dir)
            self._built = (model, constraints)
        return self._built[1]

    def __call__(self, model, features) -> np.ndarray:
        tokens = np.asarray(features["encoder_input_tokens"], np.int32)
        constraints = self.constraints_for(model)
        start = time.perf_counter()
        result = mucoco_decode(model, tokens, self.max_decode_length, constraints,
                               settings=self.settings)
        self.seconds += time.perf_counter() - start
        epsilons = {c.name: c.epsilon for c in constraints}
        for row in np.flatnonzero(tokens.any(axis=1)):  # padding rows (all 0) get no record
            self.records.append({
                "satisfied": bool(result.satisfied[row]),
                "initial_satisfied": bool(result.initial_satisfied[row]),
                "nll": round(float(result.nll[row]), 4),
                "values": {n: round(float(v), 4)
                           for n, v in zip(result.names, result.values[row], strict=True)},
                "epsilons": epsilons,
            })
        return result.tokens


def mucoco_decode_fn(max_decode_length: int, constraints: Sequence[str] = ("simple:0.5",),
                     classifier_dir: str | None = None, steps: int = 40,
                     learning_rate: float = 1.0, multiplier_learning_rate: float = 1.0,
                     confidence: float = 15.0, initial: str = "greedy",
                     length_offsets: Sequence[int] = (0,), stop_when_satisfied: bool = True,
                     fluency_margin: float | None = None, top_k: int | None = None,
                     vocab_dir: str | None = None) -> MucocoDecodeFn:
    """A DECODE_FN factory (max_decode_length -> decode); the other arguments are
    `MucocoSettings` fields, the constraint specs and where the classifier run and vocabulary
    are (vocab_dir None: the project's, as the tasks use)."""
    settings = MucocoSettings(steps=steps, learning_rate=learning_rate,
                              multiplier_learning_rate=multiplier_learning_rate,
                              confidence=confidence, initial=initial,
                              length_offsets=tuple(length_offsets),
                              stop_when_satisfied=stop_when_satisfied,
                              fluency_margin=fluency_margin, top_k=top_k)
    return MucocoDecodeFn(max_decode_length, constraints, settings, classifier_dir, vocab_dir)
