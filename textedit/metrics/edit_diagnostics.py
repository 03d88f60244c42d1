"""Teacher-forced diagnostics of an EdiT5 model: how well each stage does its own job.

End-to-end scores (GLEU, ERRANT) of a model that still copies say little about *why* it copies.
These numbers read each stage under gold inputs (`textedit diagnose`,
docs/algorithms.md#edit5-diagnostics):

- tagger: ROC AUC of P(DELETE) against the gold DELETE tags (0.5 = no information), the mean
  P(DELETE) against the gold DELETE share (calibration), and precision / recall of "delete"
  at several thresholds;
- pointer: argmax accuracy on the kept rows;
- insertion decoder: argmax accuracy per kind of target token: EOS, `<pos_k>` (the first one of
  an example and all of them) and content pieces;
- negative log-likelihood (`add_nll`, from `edit5_loss`'s sums): per tag, per kept pointer row,
  per insertion token, and of the whole gold edit per example (the three sums together), the
  validation loss of an EdiT5 run.

    stats = EditDiagnostics(first_position_id=3, num_position_tokens=513)
    stats.add(delete_prob, tags, encoder_mask, pointer_pred, pointers, insertion_pred,
              decoder_target_tokens, decoder_loss_weights)   # numpy arrays, once per batch
    stats.summary()          # {"tag_auc": ..., "insertion_position_accuracy": ..., ...}
    print("\\n".join(stats.lines()))
"""

from __future__ import annotations

import dataclasses

import numpy as np

THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
DELETE = 0
EOS_ID = 1


def roc_auc(scores: np.ndarray, positives: np.ndarray) -> float:
    """ROC AUC of `scores` [n] for the boolean labels `positives` [n]: the probability that a
    random positive scores above a random negative, ties counting one half (Mann-Whitney U from
    mid-ranks). NaN when either class is empty."""
    scores = np.asarray(scores, dtype=np.float64)
    positives = np.asarray(positives, dtype=bool)
    num_pos, num_neg = int(positives.sum()), int((~positives).sum())
    if num_pos == 0 or num_neg == 0:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    sorted_scores = scores[order]
    ranks = np.empty(len(scores), dtype=np.float64)
    # Mid-ranks: every member of a run of equal scores gets the run's mean rank (1-based).
    boundaries = np.flatnonzero(np.diff(sorted_scores)) + 1
    starts = np.concatenate([[0], boundaries])
    ends = np.concatenate([boundaries, [len(scores)]])
    for start, end in zip(starts, ends, strict=True):
        ranks[order[start:end]] = (start + end + 1) / 2.0
    u = ranks[positives].sum() - num_pos * (num_pos + 1) / 2.0
    return float(u / (num_pos * num_neg))


@dataclasses.dataclass
class EditDiagnostics:
    """Accumulates the teacher-forced statistics over batches (module docstring)."""

    first_position_id: int
    num_position_tokens: int
    _delete_probs: list = dataclasses.field(default_factory=list)
    _deleted: list = dataclasses.field(default_factory=list)
    _counts: dict = dataclasses.field(default_factory=dict)
    _nll: dict = dataclasses.field(default_factory=dict)
    examples: int = 0

    def _count(self, name: str, correct: np.ndarray) -> None:
        right, total = self._counts.get(name, (0, 0))
        self._counts[name] = (right + int(correct.sum()), total + int(correct.size))

    def add(self, delete_prob, tags, encoder_mask, pointer_pred, pointers, insertion_pred,
            decoder_targets, decoder_weights) -> None:
        """One batch, numpy arrays: delete_prob float [b, L] (P(DELETE)), tags int [b, L] (gold,
        0 DELETE / 1 KEEP), encoder_mask [b, L], pointer_pred / pointers int [b, L] (argmax and
        gold next position), insertion_pred / decoder_targets int [b, T] (argmax and gold ids),
        decoder_weights [b, T] (loss weights: which target positions count)."""
        mask = np.asarray(encoder_mask).astype(bool)
        tags = np.asarray(tags)
        self.examples += mask.shape[0]
        self._delete_probs.append(np.asarray(delete_prob, dtype=np.float64)[mask])
        self._deleted.append(tags[mask] == DELETE)
        kept_rows = mask & (tags != DELETE)
        self._count("pointer", (np.asarray(pointer_pred) == np.asarray(pointers))[kept_rows])
        targets = np.asarray(decoder_targets)
        counted = np.asarray(decoder_weights) > 0
        right = np.asarray(insertion_pred) == targets
        offsets = targets - self.first_position_id
        is_position = (offsets >= 0) & (offsets < self.num_position_tokens)
        is_eos = targets == EOS_ID
        self._count("eos", right[counted & is_eos])
        self._count("position", right[counted & is_position])
        self._count("content", right[counted & ~is_position & ~is_eos])
        first = counted[:, 0] & is_position[:, 0]
        self._count("first_position", right[:, 0][first])

    def add_nll(self, sums: dict[str, float], counts: dict[str, float]) -> None:
        """One batch's −log-likelihood sums and counts per part ("tag", "pointer", "insertion":
        `edit5_loss`'s `{part}_sum` and `{part}_count`); call it with `add` for the same batch,
        whose examples it is divided by."""
        for part, value in sums.items():
            total, count = self._nll.get(part, (0.0, 0.0))
            self._nll[part] = (total + float(value), count + float(counts[part]))

    def _tag_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        if not self._delete_probs:
            return np.zeros(0), np.zeros(0, dtype=bool)
        return np.concatenate(self._delete_probs), np.concatenate(self._deleted)

    def summary(self) -> dict[str, float]:
        """Every number as a flat dict: tag_auc, tag_delete_share, tag_mean_delete_prob,
        tag_precision@t / tag_recall@t / tag_predicted@t per threshold t, pointer_accuracy,
        insertion_{eos,position,first_position,content}_accuracy, each with its _count."""
        probs, deleted = self._tag_arrays()
        out: dict[str, float] = {"examples": self.examples, "tag_positions": len(probs),
                                 "tag_auc": roc_auc(probs, deleted),
                                 "tag_delete_share": float(deleted.mean()) if len(probs) else 0.0,
                                 "tag_mean_delete_prob": float(probs.mean()) if len(probs)
                                 else 0.0}
        for threshold in THRESHOLDS:
            predicted = probs >= threshold
            hits = int((predicted & deleted).sum())
            out[f"tag_predicted@{threshold}"] = int(predicted.sum())
            out[f"tag_precision@{threshold}"] = hits / max(int(predicted.sum()), 1)
            out[f"tag_recall@{threshold}"] = hits / max(int(deleted.sum()), 1)
        for name, (right, total) in self._counts.items():
            key = name if name == "pointer" else f"insertion_{name}"
            out[f"{key}_accuracy"] = right / max(total, 1)
            out[f"{key}_count"] = total
        for part, (total, count) in self._nll.items():
            out[f"{part}_nll"] = total / max(count, 1.0)
        if self._nll:
            out["edit_nll_per_example"] = (sum(total for total, _ in self._nll.values())
                                           / max(self.examples, 1))
        return out

    def lines(self) -> list[str]:
        """The summary as readable lines."""
        s = self.summary()
        lines = [f"examples {s['examples']}, source positions {s['tag_positions']}",
                 f"tagger: DELETE AUC {s['tag_auc']:.3f}; gold DELETE share "
                 f"{s['tag_delete_share']:.3f}, mean P(DELETE) {s['tag_mean_delete_prob']:.3f}"]
        for threshold in THRESHOLDS:
            lines.append(f"  P(DELETE) >= {threshold}: {s[f'tag_predicted@{threshold}']} "
                         f"predicted, precision {s[f'tag_precision@{threshold}']:.3f}, recall "
                         f"{s[f'tag_recall@{threshold}']:.3f}")
        if "pointer_accuracy" in s:
            lines.append(f"pointer: accuracy {s['pointer_accuracy']:.3f} on "
                         f"{s['pointer_count']} kept rows")
        for name, label in (("eos", "EOS"), ("first_position", "first <pos_k>"),
                            ("position", "every <pos_k>"), ("content", "content pieces")):
            key = f"insertion_{name}"
            if f"{key}_accuracy" in s:
                lines.append(f"insertion {label}: accuracy {s[f'{key}_accuracy']:.3f} of "
                             f"{s[f'{key}_count']}")
        if "edit_nll_per_example" in s:
            lines.append(f"NLL (nats): tag {s['tag_nll']:.4f} per token, pointer "
                         f"{s['pointer_nll']:.4f} per kept row, insertion "
                         f"{s['insertion_nll']:.4f} per decoder token; the gold edit "
                         f"{s['edit_nll_per_example']:.3f} per example")
        return lines
