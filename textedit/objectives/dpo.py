"""DPO and IPO on preference pairs (docs/algorithms.md#dro, the paired baselines).

With h = [log π(y+|x) − log π_ref(y+|x)] − [log π(y−|x) − log π_ref(y−|x)] per pair:

    DPO (Rafailov et al., 2023):  −log σ(β · h)
    IPO (Azar et al., 2023):      (h − 1/(2β))²

Batch (paired seq2seq view): `encoder_input_tokens` [b, s] (the prompt), and for each side
`chosen_` / `rejected_` + `decoder_input_tokens`, `decoder_target_tokens`,
`decoder_loss_weights` [b, t]. π_ref is a frozen model run in the same step.
"""

from __future__ import annotations

from keras import ops

from textedit.objectives.objective import LossOutput, Objective
from textedit.objectives.sequence_log_prob import batch_log_probs

SIDES = ("chosen_", "rejected_")
PAIRED_POLICY_FEATURES = ("encoder_input_tokens",) + tuple(
    side + name for side in SIDES
    for name in ("decoder_input_tokens", "decoder_target_tokens", "decoder_loss_weights"))


def preference_losses(policy_chosen, policy_rejected, ref_chosen, ref_rejected, beta: float,
                      kind: str = "dpo"):
    """Per-pair losses float32 [b] from sequence log-probabilities [b] (module docstring)."""
    if beta <= 0.0:
        raise ValueError(f"beta={beta}: expected a positive value")
    h = (policy_chosen - ref_chosen) - (policy_rejected - ref_rejected)
    if kind == "dpo":
        return ops.softplus(-beta * h), h
    if kind == "ipo":
        return ops.square(h - 1.0 / (2.0 * beta)), h
    raise ValueError(f"kind={kind!r}: expected 'dpo' or 'ipo'")


def paired_log_probs(model, batch, training):
    """(log π(y+|x), log π(y−|x)), float32 [b] each, from one call on both sides."""
    def both(name):
        return ops.concatenate([batch["chosen_" + name], batch["rejected_" + name]], axis=0)

    encoder = batch["encoder_input_tokens"]
    logits = model({"encoder_input_tokens": ops.concatenate([encoder, encoder], axis=0),
                    "decoder_input_tokens": both("decoder_input_tokens")}, training=training)
    log_probs = batch_log_probs(logits, {"decoder_target_tokens": both("decoder_target_tokens"),
                                         "decoder_loss_weights": both("decoder_loss_weights")})
    b = ops.shape(encoder)[0]
    return log_probs[:b], log_probs[b:]


def dpo_objective(reference, beta: float = 0.1, kind: str = "dpo") -> Objective:
    """DPO (kind="dpo") or IPO (kind="ipo") against a frozen `reference` seq2seq model.

    Metrics (per pair): preference_accuracy (h > 0), log_ratio_margin (h).
    """
    reference.trainable = False
    preference_losses(ops.zeros([1]), ops.zeros([1]), ops.zeros([1]), ops.zeros([1]), beta, kind)

    def forward_fn(model, batch, training):
        ref = [ops.stop_gradient(x) for x in paired_log_probs(reference, batch, False)]
        return paired_log_probs(model, batch, training), ref

    def loss_fn(outputs, batch) -> LossOutput:
        (chosen, rejected), (ref_chosen, ref_rejected) = outputs
        losses, h = preference_losses(chosen, rejected, ref_chosen, ref_rejected, beta, kind)
        pairs = ops.cast(ops.shape(losses)[0], "float32")
        return LossOutput(loss_sum=ops.sum(losses), normalizer=pairs,
                          metrics={"preference_accuracy": ops.sum(ops.cast(h > 0, "float32")),
                                   "log_ratio_margin": ops.sum(h)})

    return Objective(kind, PAIRED_POLICY_FEATURES, (), loss_fn, forward_fn=forward_fn)
