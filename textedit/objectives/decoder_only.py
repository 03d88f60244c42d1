"""Cross-entropy for decoder-only models: the seq2seq loss on a decoder-only batch.

    objective = decoder_only_objective(z_loss=1e-4)

Features (`seqio.PrefixLMFeatureConverter(loss_on_targets_only=True)` for a text-to-text task,
`seqio.LMFeatureConverter` for plain text): the model reads `decoder_input_tokens` [b, t] (the
sequence shifted right, 0 first); the loss reads `decoder_target_tokens` and
`decoder_loss_weights` [b, t], which are 0 on the prompt, so only the completion is learnt.
"""

from __future__ import annotations

import dataclasses

from textedit.objectives.objective import Objective
from textedit.objectives.seq2seq import seq2seq_objective

DECODER_ONLY_MODEL_FEATURES = ("decoder_input_tokens",)


def decoder_only_objective(label_smoothing: float = 0.0, z_loss: float = 1e-4) -> Objective:
    """`seq2seq_objective`'s loss and metrics, with the model reading `decoder_input_tokens`
    only."""
    return dataclasses.replace(seq2seq_objective(label_smoothing, z_loss), name="decoder_only",
                               model_features=DECODER_ONLY_MODEL_FEATURES)
