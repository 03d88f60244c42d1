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
    refs = check_scorer_inputs("gleu", sources, predictions, references)
    if tokenization not in ("word", "char"):
        raise ValueError(f"gleu: tokenization must be 'word' or 'char', got {tokenization!r}.")
    if not refs:
        raise ValueError("gleu: no examples to score.")

    from gleu import aggreg, count
    from gleu.corpus_main import drn_accum_to_gleu

    # The package reads files with `rstrip('\n')` and splits on whitespace; mirror the former.
    src = [s.rstrip("\n") for s in sources]
    hyp = [h.rstrip("\n") for h in predictions]
    ref_rows = [tuple(r.rstrip("\n") for r in row) for row in refs]
    num_refs = [len(row) for row in ref_rows]
    with _LOCK:
        _clear_package_caches()
        count.set_tokenization(tokenization)
        try:
            # [n, max_refs] reference lengths; the padding (0) is never picked.
            dr_rlen = np.zeros((len(ref_rows), max(num_refs)), dtype=int)
            for d, row in enumerate(ref_rows):
                dr_rlen[d, : len(row)] = count.make_dx_xlen([row])[0]
            d_hlen = count.make_dx_xlen([(h,) for h in hyp])[:, 0]  # [n] hypothesis lengths
            drn_accum = aggreg.make_drn_accum(max_order, src, ref_rows, hyp)
            picks = fixed_seed_reference_picks(iterations, num_refs)
            gleus = [drn_accum_to_gleu(drn_accum, d_rindex, dr_rlen, d_hlen) for d_rindex in picks]
        finally:
            _clear_package_caches()
    return {"gleu": 100.0 * float(np.mean(gleus))}
