"""Sentence SARI (Xu et al. 2016) as an in-graph reward for simplification and other rewriting
tasks: the metric ASSET and TurkCorpus are judged by, computed on token ids inside the compiled
train step.

    reward = sari_reward(max_order=4)
    r = reward(prompts, responses, references)      # float32 [n], in [0, 1]

prompts int [n, s] are the sources, responses int [n, t] the outputs, references int [n, r] one
reference each; `tokens..., EOS, 0, ...`. Per order k, with n-gram counts s_g (source), o_g
(output) and r_g (reference), the counts of textedit/metrics/sari.py for one sentence and one
reference:

    add     system  #{g : o_g > 0, s_g = 0}    reference #{g : r_g > 0, s_g = 0}
            correct #{g : o_g > 0, s_g = 0, r_g > 0}                        (n-gram types)
    keep    system  Σ_g min(s_g, o_g)          reference Σ_g min(s_g, r_g)
            correct Σ_g min(s_g, o_g, r_g)
    delete  system  Σ_g (s_g − o_g)+           reference Σ_g (s_g − r_g)+
            correct Σ_g min((s_g − o_g)+, (s_g − r_g)+)

Each operation scores F1 (0 when precision or recall is 0), averaged over the orders; SARI is
the mean of the three. This equals the project's corpus SARI (`sari_score(..., lowercase=False,
tokenize="none")`) of the single sentence on whitespace-joined ids (tested). The units are
SentencePiece ids, not words, so values differ from word-level SARI on the same text.
"""

from __future__ import annotations

from collections.abc import Callable

from keras import ops

from textedit.objectives.ngram_matches import clipped_counts, source_metric_reward

_TINY = 1e-9


def _f1(correct, system, reference):
    """float32 [n]: F1 of the counts, 0 when precision or recall is 0 (sari.py's rule)."""
    precision = correct / ops.maximum(system, _TINY)
    recall = correct / ops.maximum(reference, _TINY)
    return ops.where(correct > 0, 2 * precision * recall / ops.maximum(precision + recall, _TINY),
                     0.0)


def _per_type_sum(values, own):
    """Σ over distinct n-grams of a per-position quantity: each occurrence counts 1 / own."""
    return ops.sum(values / ops.maximum(own, 1.0), axis=1)


def _absent_types(own, in_other):
    """float32 [n, t']: 1 at the n-grams of a row (own > 0) that the other text lacks."""
    return ops.cast(ops.logical_and(own > 0, in_other <= 0), "float32")


def sentence_sari(sources, outputs, references, max_order: int = 4):
    """SARI of each row in [0, 1], float32 [n] (module docstring)."""
    add = keep = delete = 0.0
    for order in range(1, max_order + 1):
        # Over the source's n-grams: s_g, o_g, r_g at each start position.
        s_own, (s_in_out, s_in_ref) = clipped_counts(sources, [outputs, references], order)
        kept = ops.minimum(s_own, s_in_out)
        kept_by_ref = ops.minimum(s_own, s_in_ref)
        dropped = ops.maximum(s_own - s_in_out, 0.0)
        dropped_by_ref = ops.maximum(s_own - s_in_ref, 0.0)
        keep = keep + _f1(_per_type_sum(ops.minimum(kept, kept_by_ref), s_own),
                          _per_type_sum(kept, s_own), _per_type_sum(kept_by_ref, s_own))
        delete = delete + _f1(_per_type_sum(ops.minimum(dropped, dropped_by_ref), s_own),
                              _per_type_sum(dropped, s_own), _per_type_sum(dropped_by_ref, s_own))
        # Additions are n-gram types of the output (or the reference) that the source lacks.
        o_own, (o_in_src, o_in_ref) = clipped_counts(outputs, [sources, references], order)
        r_own, (r_in_src,) = clipped_counts(references, [sources], order)
        added = _absent_types(o_own, o_in_src)
        add = add + _f1(_per_type_sum(added * ops.cast(o_in_ref > 0, "float32"), o_own),
                        _per_type_sum(added, o_own),
                        _per_type_sum(_absent_types(r_own, r_in_src), r_own))
    return (add + keep + delete) / (3.0 * max_order)


def sari_reward(max_order: int = 4) -> Callable:
    """The reward (prompts = sources, responses, references) -> float32 [n] (module docstring)."""
    return source_metric_reward(sentence_sari, max_order)
