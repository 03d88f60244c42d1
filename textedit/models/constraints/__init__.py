"""Differentiable constraint models for MuCoCO decoding (textedit/decoding/mucoco.py).

Each constraint reads a soft output sequence (`SoftSequence`: a distribution over the vocabulary
at every position) through an embedding table, so that the decoder can follow its gradient, and
gives one value per row; decoding asks for `value <= epsilon`:

    LengthBudget(piece_sizes)            output size / source size (characters by default)
    KeywordInclusion(keyword_ids)        mean over keyword pieces of 1 - max_t p_t(piece)
    SemanticCloseness(t5_model)          1 - cos(mean-pooled encoder states of source, output)
    ClassifierConstraint(classifier)     -log P(simple | output) from a `SimplicityClassifier`

A one-hot sequence gives the value of the hard output (`soft_embed` of a one-hot row is the
embedding lookup).
"""

from textedit.models.constraints.keyword_inclusion import KeywordInclusion
from textedit.models.constraints.length_budget import LengthBudget, piece_char_lengths
from textedit.models.constraints.semantic_closeness import SemanticCloseness
from textedit.models.constraints.simplicity_classifier import (
    ClassifierConstraint,
    SimplicityClassifier,
)
from textedit.models.constraints.soft_sequence import Constraint, SoftSequence, soft_embed

__all__ = [
    "ClassifierConstraint",
    "Constraint",
    "KeywordInclusion",
    "LengthBudget",
    "SemanticCloseness",
    "SimplicityClassifier",
    "SoftSequence",
    "piece_char_lengths",
    "soft_embed",
]
