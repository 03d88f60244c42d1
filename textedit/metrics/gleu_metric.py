"""GLEU (Napoles et al. 2015/2016) for fluency GEC such as JFLEG, through the PyPI package `gleu`.

The package's `gleu` command works on files; this module calls the functions it calls
(`gleu.corpus_main.corpus_sampling`) on in-memory lists, so the numbers are the command's numbers:

    gleu -s SRC -r REF0 REF1 ... -o HYP -f        (-n 4, -i 500 by default)

GLEU with several references is stochastic in the original: each of `iterations` rounds picks one
reference per sentence at random, scores the corpus against that pick, and the result is the mean
over rounds. `-f` / `--fix-seed` makes the picks the original GLEU+ script's Python-2-compatible
seeded sequence; we always use it, so a score is a pure function of its inputs (JFLEG dev, source as
output: 38.21; ref0 against ref1-3: 55.73, the values the command prints with `-f`).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Sequence

import numpy as np

from textedit.metrics.scorer_inputs import check_scorer_inputs

DEFAULT_ITERATIONS = 500
MAX_ORDER = 4

# The package keeps its tokenisation mode in a module global and memoises n-gram counts keyed on
# the sentence text only; a lock keeps concurrent calls from mixing modes.
_LOCK = threading.Lock()


def _clear_package_caches() -> None:
    """Empties the package's functools caches.

    They are keyed on sentence strings, not on the tokenisation mode, so a switch of mode must
    start from empty caches; clearing after each call also keeps memory flat during long
    training runs that evaluate new predictions every few thousand steps.
    """
    from gleu import aggreg, count

    aggreg.make_n_accum.cache_clear()
    count.ngram_counter.cache_clear()
    count.split_word_ngram.cache_clear()
    count.split_char_ngram.cache_clear()


def fixed_seed_reference_picks(iterations: int, num_refs: Sequence[int]) -> np.ndarray:
    """[iterations, n] reference index per sampling round and sentence, as `gleu -f` picks them.

    Round i seeds Python's generator with i * 101 (version-1 seeding, as GLEU+ on Python 2 did)
    and draws `int(random() * num_refs[d])` for each sentence d in order; with the same count for
    every sentence this is exactly `gleu.util.make_id_rindex(..., fix=True)`. A private generator
    leaves the process-wide `random` state alone (the package reseeds the global one), and a
    per-sentence count lets examples have different numbers of references.
    """
    rng = random.Random()
    picks = np.empty((iterations, len(num_refs)), dtype=int)
    for i in range(iterations):
        rng.seed(i * 101, version=1)
        picks[i] = [int(rng.random() * r) for r in num_refs]
    return picks


def gleu_score(
    sources: Sequence[str],
    predictions: Sequence[str],
    references: Sequence[Sequence[str]],
    *,
    iterations: int = DEFAULT_ITERATIONS,
    max_order: int = MAX_ORDER,
    tokenization: str = "word",
) -> dict[str, float]:
    """Corpus GLEU, as `gleu -f` prints it, on a 0-100 scale (unrounded).

    Args:
      sources: [n] source sentences (already tokenised for JFLEG; split on whitespace).
      predictions: [n] system outputs.
      references: [n] lists of references. Each round samples one per sentence, uniformly
        (examples may have different numbers of references).
      iterations: sampling rounds (the command's `-i`).
      max_order: largest n-gram order (the command's `-n`).
      tokenization: "word" (whitespace) or "char" (the command's `-t`).

    Returns:
      {"gleu": score}.
    """
    return gleu_subset_scorer(sources, predictions, references, iterations=iterations,
                              max_order=max_order, tokenization=tokenization)(
        np.arange(len(sources)))


def gleu_subset_scorer(
    sources: Sequence[str],
    predictions: Sequence[str],
    references: Sequence[Sequence[str]],
    *,
    iterations: int = DEFAULT_ITERATIONS,
    max_order: int = MAX_ORDER,
    tokenization: str = "word",
):
    """indices -> `gleu_score` of those sentences (repeats allowed), in that order.

    The n-gram statistics of every sentence against each of its references are counted once;
    scoring a subset only sums them under each round's reference picks, which is what
    `gleu_score` computes on the subset's lists (the picks depend on the subset's reference
    counts, in order). A paired bootstrap calls this hundreds of times
    (textedit/metrics/paired_bootstrap.py).
    """
    refs = check_scorer_inputs("gleu", sources, predictions, references)
    if tokenization not in ("word", "char"):
        raise ValueError(f"gleu: tokenization must be 'word' or 'char', got {tokenization!r}.")
    if not refs:
        raise ValueError("gleu: no examples to score.")

    from gleu import aggreg, count

    # The package reads files with `rstrip('\n')` and splits on whitespace; mirror the former.
    src = [s.rstrip("\n") for s in sources]
    hyp = [h.rstrip("\n") for h in predictions]
    ref_rows = [tuple(r.rstrip("\n") for r in row) for row in refs]
    num_refs = np.array([len(row) for row in ref_rows])
    with _LOCK:
        _clear_package_caches()
        count.set_tokenization(tokenization)
        try:
            # [n, max_refs] reference lengths; the padding (0) is never picked.
            dr_rlen = np.zeros((len(ref_rows), num_refs.max()), dtype=int)
            for d, row in enumerate(ref_rows):
                dr_rlen[d, : len(row)] = count.make_dx_xlen([row])[0]
            d_hlen = count.make_dx_xlen([(h,) for h in hyp])[:, 0]  # [n] hypothesis lengths
            drn_accum = aggreg.make_drn_accum(max_order, src, ref_rows, hyp)
        finally:
            _clear_package_caches()
    # [n, max_refs, max_order, (match, penalty, denominator)], each sentence's Accumulator
    # rectified (penalty at most match) as the package sums them; padding references stay 0.
    stats = np.zeros((len(ref_rows), num_refs.max(), max_order, 3), dtype=np.int64)
    for d, rn_accum in enumerate(drn_accum):
        for r, n_accum in enumerate(rn_accum):
            stats[d, r] = [(a.match, min(a.match, a.penal), a.denom) for a in n_accum]
    picks_by_counts: dict[tuple[int, ...], np.ndarray] = {}

    def score(indices) -> dict[str, float]:
        indices = np.asarray(indices, dtype=int)
        counts = tuple(num_refs[indices].tolist())
        if counts not in picks_by_counts:  # one entry for sets with a fixed reference count
            picks_by_counts.clear()
            picks_by_counts[counts] = fixed_seed_reference_picks(iterations, counts)
        picks = picks_by_counts[counts]  # [rounds, m]
        rows = indices[None, :]
        totals = stats[rows, picks].sum(axis=1)  # [rounds, max_order, 3]
        return {"gleu": 100.0 * float(np.mean(_rounds_gleu(
            totals, dr_rlen[rows, picks].sum(axis=1), int(d_hlen[indices].sum()))))}

    return score


def _rounds_gleu(totals: np.ndarray, rlen: np.ndarray, hlen: int) -> np.ndarray:
    """[rounds] GLEU of summed statistics, as `gleu.score.n_accum_to_gleu` computes each:
    totals [rounds, max_order, 3] (match, penalty, denominator), rlen [rounds] reference
    lengths, hlen the hypotheses' length."""
    match, penalty, denominator = (totals[..., i].astype(float) for i in range(3))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(denominator == 0, 1.0, (match - penalty) / np.maximum(denominator, 1))
        log_mean_p = np.log(p).mean(axis=-1)
        rlen = rlen.astype(float)
        if hlen == 0:
            log_bp = np.where(rlen == 0, 0.0, -np.inf)
        else:
            log_bp = np.where(rlen < hlen, 0.0, 1.0 - rlen / hlen)
        return np.exp(log_bp + log_mean_p)


gleu_score.subset_scorer = gleu_subset_scorer
