"""Sentence GLEU (Napoles et al. 2015/2016) as an in-graph reward for GEC: the metric JFLEG is
judged by, computed on token ids inside the compiled train step.

    reward = gleu_reward(max_order=4)
    r = reward(prompts, responses, references)      # float32 [n], in [0, 1]

prompts int [n, s] are the sources (a GEC task's input is the sentence to correct), responses
int [n, t] the hypotheses, references int [n, r]; `tokens..., EOS, 0, ...`. Per order k, over
the hypothesis's distinct k-grams g with counts h_g, r_g (reference) and s_g (source):

    match_k = Σ_g min(r_g, h_g)
    penal_k = min(match_k, Σ_g min(s_g if r_g = 0 else 0, h_g))   source k-grams the reference drops
    p_k     = (match_k − penal_k) / Σ_g h_g          (1 when the hypothesis has no k-gram)
    GLEU    = BP · exp(mean_k log p_k),  log BP = min(0, 1 − |ref| / |hyp|)

as the `gleu` package (textedit/metrics/gleu_metric.py) computes one sentence against one
reference (tested to agree on whitespace-joined ids). Here the units are SentencePiece ids, not
words, so values differ from word-level GLEU on the same text; sentence GLEU is 0 whenever some
order has no match, a sparse reward for short outputs.
"""

from __future__ import annotations

from collections.abc import Callable

from keras import ops

from textedit.objectives.ngram_matches import (
    clipped_counts,
    ngram_count,
    source_metric_reward,
    word_mask,
)


def sentence_gleu(sources, hypotheses, references, max_order: int = 4):
    """GLEU of each row, float32 [n] (module docstring)."""
    log_p_sum = 0.0
    zero = ops.zeros(ops.shape(hypotheses)[:1], "bool")
    for order in range(1, max_order + 1):
        own, (in_ref, in_src) = clipped_counts(hypotheses, [references, sources], order)
        spread = 1.0 / ops.maximum(own, 1.0)  # a distinct n-gram's share at each occurrence
        match = ops.sum(ops.minimum(in_ref, own) * spread, axis=1)
        dropped = ops.where(in_ref > 0, 0.0, in_src)  # s_g when the reference lacks g
        penal = ops.minimum(match, ops.sum(ops.minimum(dropped, own) * spread, axis=1))
        denom = ngram_count(word_mask(hypotheses), order)
        p = ops.where(denom > 0, (match - penal) / ops.maximum(denom, 1.0), 1.0)
        zero = ops.logical_or(zero, p <= 0.0)
        log_p_sum = log_p_sum + ops.log(ops.maximum(p, 1e-30))
    hyp_length = ngram_count(word_mask(hypotheses), 1)
    ref_length = ngram_count(word_mask(references), 1)
    log_bp = ops.where(ref_length < hyp_length, 0.0,
                       1.0 - ref_length / ops.maximum(hyp_length, 1.0))
    # An empty hypothesis scores 0 against a non-empty reference (log BP = −∞), 1 against an
    # empty one (every p_k = 1, BP = 1).
    zero = ops.logical_or(zero, ops.logical_and(hyp_length == 0, ref_length > 0))
    log_bp = ops.where(hyp_length == 0, 0.0, log_bp)
    return ops.where(zero, 0.0, ops.exp(log_bp + log_p_sum / max_order))


def gleu_reward(max_order: int = 4) -> Callable:
    """The reward (prompts = sources, responses, references) -> float32 [n] (module docstring)."""
    return source_metric_reward(sentence_gleu, max_order)
