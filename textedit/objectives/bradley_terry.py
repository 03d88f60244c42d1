"""Bradley–Terry reward-model loss (docs/algorithms.md#reward-models).

    L_BT = −log σ(R(x, y+) − R(x, y−))        per pair; the objective averages over pairs

The reward model maps one token sequence (prompt and response, `T5ScalarModel`) to a scalar. The
paired batch holds `chosen_encoder_input_tokens` and `rejected_encoder_input_tokens`, both
[b, s]; `reward_model_objective` scores both in one call of the model (concatenated along the
batch, so an XLA step compiles one graph) and reports the loss, pairwise accuracy and the mean
margin per pair.
"""

from __future__ import annotations

from typing import NamedTuple

from keras import ops

from textedit.objectives.objective import LossOutput, Objective

PAIRED_RM_FEATURES = ("chosen_encoder_input_tokens", "rejected_encoder_input_tokens")


class BradleyTerrySums(NamedTuple):
    """Sums over the pairs of the batch, float32 scalars."""

    loss: object  # Σ −log σ(margin)
    correct: object  # Σ [margin > 0] + ½ [margin = 0]
    margin: object  # Σ margin
    pairs: object  # number of pairs


def bradley_terry_sums(chosen_scores, rejected_scores) -> BradleyTerrySums:
    """chosen_scores, rejected_scores float [b] -> BradleyTerrySums (−log σ(m) = softplus(−m))."""
    margin = ops.cast(chosen_scores, "float32") - ops.cast(rejected_scores, "float32")
    correct = ops.cast(margin > 0, "float32") + 0.5 * ops.cast(ops.equal(margin, 0.0), "float32")
    return BradleyTerrySums(loss=ops.sum(ops.softplus(-margin)), correct=ops.sum(correct),
                            margin=ops.sum(margin),
                            pairs=ops.cast(ops.shape(margin)[0], "float32"))


def reward_model_objective() -> Objective:
    """Bradley–Terry training of a scalar model called as model({"encoder_input_tokens": x}) -> [b].

    Metrics (per pair): pairwise_accuracy, margin.
    """

    def forward_fn(model, batch, training):
        chosen = batch["chosen_encoder_input_tokens"]
        both = ops.concatenate([chosen, batch["rejected_encoder_input_tokens"]], axis=0)
        scores = model({"encoder_input_tokens": both}, training=training)
        b = ops.shape(chosen)[0]
        return scores[:b], scores[b:]

    def loss_fn(outputs, batch) -> LossOutput:
        sums = bradley_terry_sums(*outputs)
        return LossOutput(loss_sum=sums.loss, normalizer=sums.pairs,
                          metrics={"pairwise_accuracy": sums.correct, "margin": sums.margin})

    return Objective("bradley_terry", PAIRED_RM_FEATURES, (), loss_fn, forward_fn=forward_fn)
