"""N-gram matching on token ids inside a compiled graph, for metric rewards (n-gram F1, GLEU, SARI).

    eq = ngram_equal(a, b, valid_a, valid_b, order)    # [n, ta - order + 1, tb - order + 1]
    count = ngram_count(valid_a, order)                  # [n]

a int [n, ta], b int [n, tb]; valid_* float32 1 on words (ids >= FIRST_WORD_ID: T5's 0 padding
and 1 EOS are not words). Static shapes throughout: [n, ta, tb] equality matrices, then products
of shifted slices for longer n-grams, so sequences of a few hundred ids stay cheap.
"""

from __future__ import annotations

from collections.abc import Callable

from keras import ops

FIRST_WORD_ID = 2  # T5 ids: 0 padding, 1 EOS


def ngram_equal(a, b, valid_a, valid_b, order: int):
    """float32 [n, ta - order + 1, tb - order + 1]: 1 where the order-gram starting at a[i]
    equals the one at b[j] and both consist of words."""
    eq = ops.cast(ops.equal(a[:, :, None], b[:, None, :]), "float32")
    eq = eq * valid_a[:, :, None] * valid_b[:, None, :]
    ta, tb = a.shape[1] - order + 1, b.shape[1] - order + 1
    out = eq[:, :ta, :tb]
    for shift in range(1, order):
        out = out * eq[:, shift:shift + ta, shift:shift + tb]
    return out


def ngram_count(valid, order: int):
    """float32 [n]: how many order-grams of words a row has."""
    length = valid.shape[1] - order + 1
    out = valid[:, :length]
    for shift in range(1, order):
        out = out * valid[:, shift:shift + length]
    return ops.sum(out, axis=1)


def word_mask(tokens):
    """float32 [n, t]: 1 on words, 0 on padding and EOS."""
    return ops.cast(ops.cast(tokens, "int32") >= FIRST_WORD_ID, "float32")


def clipped_counts(tokens, others, order: int):
    """Per order-gram start position i of `tokens` [n, t]: (how often its n-gram occurs in
    `tokens` itself, how often in each of `others` [n, t_k]), float32 [n, t − order + 1] each.
    Dividing a per-n-gram quantity by the first spreads it over the n-gram's occurrences, so a
    sum over positions is a sum over distinct n-grams."""
    tokens = ops.cast(tokens, "int32")
    valid = word_mask(tokens)
    own = ops.sum(ngram_equal(tokens, tokens, valid, valid, order), axis=2)
    counts = []
    for other in others:
        other = ops.cast(other, "int32")
        counts.append(ops.sum(ngram_equal(tokens, other, valid, word_mask(other), order), axis=2))
    return own, counts


def source_metric_reward(sentence_metric: Callable, max_order: int) -> Callable:
    """The reward (prompts, responses, references) -> float32 [n] of a sentence metric that reads
    the prompt as the source: `sentence_metric(sources, outputs, references, max_order)`."""
    if max_order < 1:
        raise ValueError(f"max_order={max_order}: expected >= 1")

    def reward(prompts, responses, references):
        return sentence_metric(prompts, responses, references, max_order)

    return reward
