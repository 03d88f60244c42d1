"""A metric reward computed inside the compiled step: n-gram F1 of a response against its
reference, on token ids.

    reward = ngram_f1_reward(max_order=2)
    r = reward(prompts, responses, references)       # float32 [n], in [0, 1]

prompts int [n, s] (unused here: the signature every online-RL reward has), responses int
[n, t] and references int [n, r], each `tokens..., EOS, 0, ...` (ids 0 and 1, padding and EOS,
are not words). For each order k = 1..max_order, clipped n-gram matches m_k (an n-gram counts at
most as often as it occurs in the reference, as in BLEU) give F1_k = 2 m_k / (|response n-grams| +
|reference n-grams|), 1 when both have none; the reward is the mean of F1_k. Sentence GLEU needs
Python (textedit/metrics), which XLA cannot run inside the train step; this is its in-graph stand-in
against the same reference, on SentencePiece ids rather than words.
"""

from __future__ import annotations

from collections.abc import Callable

from keras import ops

from textedit.objectives.ngram_matches import clipped_counts, ngram_count, word_mask


def ngram_f1(responses, references, max_order: int = 2):
    """Mean over orders 1..max_order of clipped n-gram F1, float32 [n] (module docstring)."""
    scores = []
    for order in range(1, max_order + 1):
        if responses.shape[1] < order or references.shape[1] < order:
            raise ValueError(f"sequences of {responses.shape[1]} / {references.shape[1]} tokens "
                             f"have no {order}-grams; lower max_order")
        in_response, (in_reference,) = clipped_counts(responses, [references], order)
        # Each response position holds min(count in response, count in reference) / count in
        # response of its n-gram, so a repeated n-gram's positions add up to its clipped count.
        share = ops.minimum(in_response, in_reference) / ops.maximum(in_response, 1.0)
        matches = ops.sum(share, axis=1)
        total = (ngram_count(word_mask(responses), order)
                 + ngram_count(word_mask(references), order))
        scores.append(ops.where(total > 0, 2.0 * matches / ops.maximum(total, 1.0), 1.0))
    return ops.mean(ops.stack(scores, axis=0), axis=0)


def ngram_f1_reward(max_order: int = 2) -> Callable:
    """The reward (prompts, responses, references) -> float32 [n] of the module docstring."""
    if max_order < 1:
        raise ValueError(f"max_order={max_order}: expected >= 1")

    def reward(prompts, responses, references):
        del prompts  # the reference says everything the metric needs
        return ngram_f1(responses, references, max_order)

    return reward
