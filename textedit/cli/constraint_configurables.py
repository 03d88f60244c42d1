"""Gin configurables of MuCoCO constrained decoding and of its simplicity classifier.

`register_constrained_decoding()` (called by `gin_configurables.register_training`) registers:

    simplicity_classifier      SimplicityClassifier(vocab_size, d_model) (the classifier's MODEL)
    pair_classifier_objective  textedit.objectives.simplicity_classifier: source = negative,
                               target = positive (gin/experiments/simplicity_classifier_asset.gin)
    mucoco_decode_fn           textedit.decoding.mucoco_decode_fn.mucoco_decode_fn: a DECODE_FN
                               for `textedit infer` / `eval` (gin/runs/mucoco.gin)
"""

from __future__ import annotations

import functools

import gin


def simplicity_classifier(vocab_size: int = 16128, d_model: int = 64):
    """A `SimplicityClassifier` (textedit/models/constraints/simplicity_classifier.py)."""
    from textedit.models.constraints.simplicity_classifier import SimplicityClassifier

    return SimplicityClassifier(vocab_size=vocab_size, d_model=d_model, name="classifier")


@functools.cache
def register_constrained_decoding() -> None:
    """Registers the configurables listed in the module docstring (idempotent)."""
    from textedit.decoding.mucoco_decode_fn import mucoco_decode_fn
    from textedit.objectives.simplicity_classifier import pair_classifier_objective

    gin.external_configurable(simplicity_classifier, name="simplicity_classifier")
    gin.external_configurable(pair_classifier_objective, name="pair_classifier_objective")
    gin.external_configurable(mucoco_decode_fn, name="mucoco_decode_fn")
