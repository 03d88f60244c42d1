"""Constraints from short specs, as `--constraint` and gin's `mucoco_decode_fn.constraints` give
them:

    simple[:P]            the simplicity classifier calls the output simple with P(simple) >= P
                          (default 0.5); needs a classifier run (`classifier_dir`)
    close[:C]             cosine of mean-pooled encoder states of source and output >= C (0.8)
    length[:R]            output characters <= R * source characters (0.9)
    keyword:WORD[+WORD]   every piece of every WORD appears in the output

Each spec becomes a `Constraint` whose epsilon expresses the bound in its own units (textedit/
models/constraints): simple -> -log P, close -> 1 - C, length -> R, keyword -> 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

CONSTRAINT_NAMES = ("simple", "close", "length", "keyword")
DEFAULT_VALUES = {"simple": "0.5", "close": "0.8", "length": "0.9"}


def parse_spec(spec: str) -> tuple[str, str]:
    """'name:value' -> (name, value), the default value filled in; ValueError saying what was
    expected."""
    name, _, value = spec.strip().partition(":")
    if name not in CONSTRAINT_NAMES:
        raise ValueError(f"constraint {spec!r}: expected one of {', '.join(CONSTRAINT_NAMES)} "
                         "(e.g. simple:0.5, close:0.8, length:0.9, keyword:word+word)")
    value = value or DEFAULT_VALUES.get(name, "")
    if name == "keyword":
        if not value.strip("+"):
            raise ValueError(f"constraint {spec!r}: expected keyword:WORD[+WORD...]")
        return name, value
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"constraint {spec!r}: expected a number after '{name}:'") from None
    if name in ("simple", "close") and not 0.0 < number <= 1.0:
        raise ValueError(f"constraint {spec!r}: expected a value in (0, 1]")
    if name == "length" and number <= 0.0:
        raise ValueError(f"constraint {spec!r}: expected a positive ratio")
    return name, value


def load_classifier(path: str | Path):
    """The `SimplicityClassifier` of a run directory trained with
    gin/experiments/simplicity_classifier_asset.gin (its latest checkpoint)."""
    import textedit.models.constraints  # noqa: F401  (registers SimplicityClassifier)
    from textedit.models.constraints.simplicity_classifier import SimplicityClassifier
    from textedit.runs.run_artifacts import load_run

    model = load_run(path).model
    if not isinstance(model, SimplicityClassifier):
        raise ValueError(f"{path}: expected a SimplicityClassifier run, found "
                         f"{type(model).__name__}")
    return model


def build_constraints(specs: Sequence[str], model, vocabulary, classifier=None) -> list:
    """Constraint objects for `specs`.

    Args:
      specs: e.g. ["simple:0.6", "close:0.8"].
      model: the T5EncoderDecoder being decoded (SemanticCloseness reads its encoder).
      vocabulary: the task vocabulary (character table, keyword pieces).
      classifier: a SimplicityClassifier, or a run directory holding one (for "simple").
    """
    from textedit.models.constraints import (
        ClassifierConstraint,
        KeywordInclusion,
        LengthBudget,
        SemanticCloseness,
        piece_char_lengths,
    )

    constraints = []
    for spec in specs:
        name, value = parse_spec(spec)
        if name == "simple":
            if classifier is None:
                raise ValueError(f"constraint {spec!r} needs a simplicity classifier run "
                                 "(--classifier DIR / mucoco_decode_fn.classifier_dir)")
            if isinstance(classifier, (str, Path)):
                classifier = load_classifier(classifier)
            constraints.append(ClassifierConstraint(classifier, -math.log(float(value))))
        elif name == "close":
            constraints.append(SemanticCloseness(model, 1.0 - float(value)))
        elif name == "length":
            constraints.append(LengthBudget(piece_char_lengths(vocabulary), float(value)))
        else:
            ids = [i for word in value.split("+") if word for i in vocabulary.encode(word)]
            constraints.append(KeywordInclusion(ids))
    return constraints
