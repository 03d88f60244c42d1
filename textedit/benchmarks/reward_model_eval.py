"""Scoring with a trained reward model, and its pairwise accuracy and calibration on pairs.

    scores = score_texts(model, vocabulary, texts, length=192)        # float [n]
    result = evaluate_pairs(model, vocabulary, pairs, length=192)     # accuracy, ECE, pairs

Texts are tokenised outside compiled code, EOS appended, cut to `length` pieces (the first ones,
as the training task does) and padded with 0 to fixed [batch, length] shapes; one XLA-compiled
call scores a batch (the last batch is padded with empty rows, whose scores are dropped).
A pair's text is `scored_text(prompt, response)`, the training task's.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import tensorflow as tf

from textedit.data.preference_views import scored_text
from textedit.data.readers.preference_reader import PreferencePair
from textedit.metrics.preference_metrics import expected_calibration_error, pairwise_accuracy

EOS_ID = 1


@dataclasses.dataclass(frozen=True)
class PairResult:
    """A reward model on a set of pairs."""

    pairwise_accuracy: float
    expected_calibration_error: float
    pairs: int
    truncated: int  # scored texts cut at `length` pieces (counted, not dropped)


def _token_rows(vocabulary, texts: list[str], length: int) -> tuple[np.ndarray, int]:
    rows = np.zeros((len(texts), length), np.int32)
    truncated = 0
    for i, text in enumerate(texts):
        ids = list(vocabulary.encode(text)) + [EOS_ID]
        truncated += len(ids) > length
        rows[i, :min(len(ids), length)] = ids[:length]
    return rows, truncated


def score_texts(model, vocabulary, texts: list[str], length: int = 192,
                batch_size: int = 32) -> tuple[np.ndarray, int]:
    """Scores float [n] of `texts` under a scalar model, and how many texts were cut."""
    rows, truncated = _token_rows(vocabulary, texts, length)
    score = tf.function(lambda x: model({"encoder_input_tokens": x}, training=False),
                        jit_compile=True)
    out = []
    for start in range(0, len(rows), batch_size):
        batch = rows[start:start + batch_size]
        padded = np.zeros((batch_size, length), np.int32)
        padded[:len(batch)] = batch
        out.append(np.asarray(score(tf.constant(padded)))[:len(batch)])
    return (np.concatenate(out) if out else np.zeros([0], np.float32)), truncated


def evaluate_pairs(model, vocabulary, pairs: list[PreferencePair], length: int = 192,
                   batch_size: int = 32) -> PairResult:
    """Pairwise accuracy and ECE of the model's scores on `pairs`."""
    texts = [scored_text(p.prompt, r) for p in pairs for r in (p.chosen, p.rejected)]
    scores, truncated = score_texts(model, vocabulary, texts, length, batch_size)
    chosen, rejected = scores[0::2], scores[1::2]
    return PairResult(pairwise_accuracy(chosen, rejected),
                      expected_calibration_error(chosen, rejected), len(pairs), truncated)
