"""Validation NLL: the teacher-forced cross-entropy per target token of a model on a split.

    result = validation_loss(model, dataset, ("decoder_input_tokens",), batch_size=32)
    result.nll_per_token, result.tokens, result.token_accuracy

The dataset is converted features (unbatched, static shapes, e.g. `seqio.get_dataset(...,
shuffle=False)`); positions count with their `decoder_loss_weights` (the completion only under
the decoder-only formatting), so a seq2seq model and a decoder-only one trained on the same task
are scored on the same target tokens. The last batch is padded with weight-0 rows, so one XLA
program serves every batch.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
import tensorflow as tf

from textedit.objectives.seq2seq import seq2seq_cross_entropy


@dataclasses.dataclass(frozen=True)
class ValidationLoss:
    nll_per_token: float  # mean -log p(target token) over weighted positions (nats)
    token_accuracy: float  # share of those positions whose argmax is the target
    tokens: int
    examples: int

    @property
    def perplexity(self) -> float:
        return math.exp(self.nll_per_token)


def validation_loss(model, dataset: tf.data.Dataset, model_features: Sequence[str],
                    batch_size: int = 32, max_examples: int | None = None) -> ValidationLoss:
    """Teacher-forced NLL of `dataset`'s targets under `model` (module docstring)."""
    features = tuple(model_features)

    @tf.function(jit_compile=True)
    def sums(batch):
        logits = model({name: batch[name] for name in features}, training=False)
        out = seq2seq_cross_entropy(logits, batch["decoder_target_tokens"],
                                    batch["decoder_loss_weights"])
        return out.cross_entropy, out.correct, out.weight

    if max_examples is not None:
        dataset = dataset.take(max_examples)
    total = np.zeros(3)
    examples = 0
    for batch in dataset.batch(batch_size).as_numpy_iterator():
        rows = len(batch["decoder_loss_weights"])
        examples += rows
        if rows < batch_size:  # weight-0 rows: same shapes, nothing counted
            batch = {name: np.concatenate([value, np.zeros((batch_size - rows,) + value.shape[1:],
                                                           value.dtype)])
                     for name, value in batch.items()}
        total += [float(v) for v in sums(batch)]
    if total[2] == 0:
        raise ValueError("the dataset has no target tokens (decoder_loss_weights all 0)")
    return ValidationLoss(total[0] / total[2], total[1] / total[2], int(total[2]), examples)
