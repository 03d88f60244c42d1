"""EdiT5's loss, L = λ1·L_tag + λ2·L_point + λ3·L_ins (ALGORITHMS.md §1.1.7), as a pure function.

    total, parts = edit5_loss(model(batch, training=True), batch,
                              lambdas={"tag": 1.0, "pointer": 1.0, "insertion": 1.0},
                              reduction="mean")

Every part is a cross-entropy with a mask (features: `EditFeatureConverter`):

    part       logits                      targets                  counted where
    tag        tag_logits [b, L, 2]        tags [b, L]              encoder_mask (START included)
    pointer    pointer_logits [b, L, L]    pointers [b, L]          encoder_mask and tags == KEEP
                                                                    (kept rows, START included)
    insertion  insertion_logits [b, T, V]  decoder_target_tokens    decoder_loss_weights

Pointer rows of deleted and padding positions are fixed points by construction (the pointer
mask), so they carry no information and are not counted. The pointer logits are log S after
Sinkhorn; the loss re-normalises each row (log-softmax), which leaves exact log-distributions
unchanged and keeps the loss a proper cross-entropy for any input.

Reductions, per part: "mean" divides the part's sum by its count over the batch (per tag, per
pointer row, per decoder token); "sum" divides it by the number of examples (a per-example sum,
averaged over the batch: the paper's "λ = number of tokens", best for GEC tags and pointers).
`parts` also returns each part's raw sum and count (`{part}_sum`, `{part}_count`) and argmax
accuracies, so a trainer can add them over replicas before dividing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from keras import ops

from textedit.models.edit5_config import LOSS_PARTS, resolve_reductions

KEEP = 1
DEFAULT_LAMBDAS = {"tag": 1.0, "pointer": 1.0, "insertion": 1.0}


def _cross_entropy(logits, targets, weights):
    """(sum of weighted −log p(target), sum of weights, weighted count of argmax == target)."""
    logits = ops.cast(logits, "float32")
    weights = ops.cast(weights, "float32")
    targets = ops.cast(targets, "int32")
    log_z = ops.logsumexp(logits, axis=-1)
    target_logit = ops.take_along_axis(logits, targets[..., None], axis=-1)[..., 0]
    correct = ops.cast(ops.equal(ops.cast(ops.argmax(logits, axis=-1), "int32"), targets),
                       "float32")
    return (ops.sum((log_z - target_logit) * weights), ops.sum(weights),
            ops.sum(correct * weights))


def _resolve_lambdas(lambdas) -> dict[str, float]:
    if lambdas is None:
        return dict(DEFAULT_LAMBDAS)
    if isinstance(lambdas, Mapping):
        unknown = set(lambdas) - set(LOSS_PARTS)
        if unknown:
            raise ValueError(f"lambdas name unknown parts {sorted(unknown)}: expected {LOSS_PARTS}")
        return {part: float(lambdas.get(part, 1.0)) for part in LOSS_PARTS}
    if isinstance(lambdas, Sequence) and len(lambdas) == len(LOSS_PARTS):
        return dict(zip(LOSS_PARTS, (float(x) for x in lambdas), strict=True))
    raise ValueError(f"lambdas={lambdas!r}: expected a mapping over {LOSS_PARTS} or 3 numbers")


def edit5_loss(outputs: Mapping[str, Any], batch: Mapping[str, Any],
               lambdas: Mapping[str, float] | Sequence[float] | None = None,
               reduction: str | Mapping[str, str] = "mean") -> tuple[Any, dict[str, Any]]:
    """The weighted EdiT5 loss of one batch.

    Args:
      outputs: `Edit5Model` outputs: tag_logits [b, L, 2], pointer_logits [b, L, L],
        insertion_logits [b, T, V].
      batch: features with encoder_mask [b, L], tags [b, L], pointers [b, L],
        decoder_target_tokens [b, T], decoder_loss_weights [b, T].
      lambdas: {"tag": λ1, "pointer": λ2, "insertion": λ3} (missing parts 1.0), a 3-sequence in
        that order, or None (all 1.0); e.g. `Edit5Config.loss_weights()`.
      reduction: "mean", "sum", or a per-part mapping (module docstring); e.g.
        `Edit5Config.loss_reduction`.

    Returns:
      (total float32 [], parts): parts has, per part, the reduced loss (`tag`, `pointer`,
      `insertion`), `{part}_sum`, `{part}_count`, `{part}_accuracy` (argmax accuracy over the
      counted positions), and `num_examples`.
    """
    weights = _resolve_lambdas(lambdas)
    reductions = resolve_reductions(reduction)
    token_mask = ops.cast(batch["encoder_mask"], "bool")
    kept_rows = ops.logical_and(token_mask, ops.equal(ops.cast(batch["tags"], "int32"), KEEP))
    pointer_log_probs = ops.log_softmax(ops.cast(outputs["pointer_logits"], "float32"), axis=-1)
    sums = {
        "tag": _cross_entropy(outputs["tag_logits"], batch["tags"], token_mask),
        "pointer": _cross_entropy(pointer_log_probs, batch["pointers"], kept_rows),
        "insertion": _cross_entropy(outputs["insertion_logits"], batch["decoder_target_tokens"],
                                    batch["decoder_loss_weights"]),
    }
    num_examples = ops.cast(ops.shape(batch["encoder_mask"])[0], "float32")
    parts: dict[str, Any] = {"num_examples": num_examples}
    total = ops.zeros((), "float32")
    for part in LOSS_PARTS:
        loss_sum, count, correct = sums[part]
        denominator = num_examples if reductions[part] == "sum" else ops.maximum(count, 1.0)
        parts[part] = loss_sum / denominator
        parts[f"{part}_sum"] = loss_sum
        parts[f"{part}_count"] = count
        parts[f"{part}_accuracy"] = correct / ops.maximum(count, 1.0)
        total = total + weights[part] * parts[part]
    return total, parts
