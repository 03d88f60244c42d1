"""EdiT5's loss, L = λ1·L_tag + λ2·L_point + λ3·L_ins, as a pure function
(docs/algorithms.md#edit5-loss).

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
accuracies. `edit5_objective` wraps it for the trainer: the divisors come from the counts of the
global batch (summed over replicas), so every replica's share adds up to the global loss.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from keras import ops

from textedit.models.edit5.edit5_config import LOSS_PARTS, resolve_reductions
from textedit.objectives.objective import LossOutput, Objective, call_model

KEEP = 1
DEFAULT_LAMBDAS = {"tag": 1.0, "pointer": 1.0, "insertion": 1.0}


def weighted_cross_entropy(logits, targets, weights):
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


def resolve_lambdas(lambdas) -> dict[str, float]:
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


def part_masks(batch: Mapping[str, Any]) -> dict[str, Any]:
    """Where each part is counted, float32 0/1: "tag" [b, L] (unpadded positions), "pointer"
    [b, L] (kept rows, START included), "insertion" [b, T] (the decoder loss weights)."""
    token_mask = ops.cast(batch["encoder_mask"], "bool")
    kept_rows = ops.logical_and(token_mask, ops.equal(ops.cast(batch["tags"], "int32"), KEEP))
    return {"tag": ops.cast(token_mask, "float32"), "pointer": ops.cast(kept_rows, "float32"),
            "insertion": ops.cast(batch["decoder_loss_weights"], "float32")}


def edit5_counts(batch: Mapping[str, Any]) -> dict[str, Any]:
    """What each part counts, from the batch alone: float32 [] each for "tag" (unpadded
    positions), "pointer" (kept rows), "insertion" (decoder tokens) and "examples"."""
    counts = {part: ops.sum(mask) for part, mask in part_masks(batch).items()}
    return dict(counts, examples=ops.cast(ops.shape(batch["encoder_mask"])[0], "float32"))


def edit5_normalizers(counts: Mapping[str, Any],
                      reduction: str | Mapping[str, str] = "mean") -> dict[str, Any]:
    """Each part's divisor: its own count ("mean") or the number of examples ("sum")."""
    reductions = resolve_reductions(reduction)
    return {part: ops.maximum(counts["examples"] if reductions[part] == "sum" else counts[part],
                              1.0)
            for part in LOSS_PARTS}


def edit5_loss(outputs: Mapping[str, Any], batch: Mapping[str, Any],
               lambdas: Mapping[str, float] | Sequence[float] | None = None,
               reduction: str | Mapping[str, str] = "mean",
               normalizers: Mapping[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
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
      normalizers: {part: divisor} to use instead of this batch's own (`edit5_normalizers` of
        counts summed over replicas: the trainer's global batch).

    Returns:
      (total float32 [], parts): parts has, per part, the reduced loss (`tag`, `pointer`,
      `insertion`), `{part}_sum`, `{part}_count`, `{part}_correct` (argmax == target over the
      counted positions), `{part}_accuracy`, and `num_examples`.
    """
    weights = resolve_lambdas(lambdas)
    masks = part_masks(batch)
    pointer_log_probs = ops.log_softmax(ops.cast(outputs["pointer_logits"], "float32"), axis=-1)
    sums = {
        "tag": weighted_cross_entropy(outputs["tag_logits"], batch["tags"], masks["tag"]),
        "pointer": weighted_cross_entropy(pointer_log_probs, batch["pointers"], masks["pointer"]),
        "insertion": weighted_cross_entropy(outputs["insertion_logits"],
                                            batch["decoder_target_tokens"], masks["insertion"]),
    }
    if normalizers is None:
        normalizers = edit5_normalizers(edit5_counts(batch), reduction)
    num_examples = ops.cast(ops.shape(batch["encoder_mask"])[0], "float32")
    parts: dict[str, Any] = {"num_examples": num_examples}
    total = ops.zeros((), "float32")
    for part in LOSS_PARTS:
        loss_sum, count, correct = sums[part]
        parts[part] = loss_sum / normalizers[part]
        parts[f"{part}_sum"] = loss_sum
        parts[f"{part}_count"] = count
        parts[f"{part}_correct"] = correct
        parts[f"{part}_accuracy"] = correct / ops.maximum(count, 1.0)
        total = total + weights[part] * parts[part]
    return total, parts


EDIT5_MODEL_FEATURES = ("encoder_input_tokens", "tags", "pointers", "decoder_input_tokens")
EDIT5_LOSS_FEATURES = ("encoder_mask", "decoder_target_tokens", "decoder_loss_weights")
# The line image of an EdiT5 model with an image tower (edit5_ocr_correct through
# ImageEditFeatureConverter); passed on whenever the batch has it, so one objective serves both.
IMAGE_MODEL_FEATURE = "encoder_image"


def edit5_forward(model, batch, training: bool):
    """The model call: EDIT5_MODEL_FEATURES, plus "encoder_image" [b, H, W] when the batch has
    it (a text-only Edit5Model ignores it, a tower model needs it)."""
    names = EDIT5_MODEL_FEATURES + ((IMAGE_MODEL_FEATURE,) if IMAGE_MODEL_FEATURE in batch
                                    else ())
    return call_model(model, batch, names, training)


def part_metrics(parts: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The trainer's per-part metrics from `edit5_loss`'s parts: `{part}_loss` (cross-entropy per
    counted item, whatever the reduction) and `{part}_accuracy`, each as (sum, count)."""
    metrics = {}
    for part in LOSS_PARTS:
        metrics[f"{part}_loss"] = (parts[f"{part}_sum"], parts[f"{part}_count"])
        metrics[f"{part}_accuracy"] = (parts[f"{part}_correct"], parts[f"{part}_count"])
    return metrics


def edit5_objective(lambdas: Mapping[str, float] | Sequence[float] | None = None,
                    reduction: str | Mapping[str, str] = "mean") -> Objective:
    """EdiT5's loss for the trainer: teacher forcing with gold tags, pointers and insertions.

    Each part is divided by its count over the *global* batch (or by the number of examples for
    "sum"), so the loss and its gradient are the same on one replica and on many. Reported
    metrics, per part: its per-item cross-entropy (`{part}_loss`, whatever the reduction) and
    argmax accuracy (`{part}_accuracy`).
    """

    def normalizers_fn(batch):
        return edit5_counts(batch)

    def loss_fn(outputs, batch, counts) -> LossOutput:
        total, parts = edit5_loss(outputs, batch, lambdas, reduction,
                                  normalizers=edit5_normalizers(counts, reduction))
        return LossOutput(loss_sum=total, normalizer=None, metrics=part_metrics(parts))

    return Objective("edit5", EDIT5_MODEL_FEATURES, EDIT5_LOSS_FEATURES, loss_fn,
                     forward_fn=edit5_forward, normalizers_fn=normalizers_fn)
