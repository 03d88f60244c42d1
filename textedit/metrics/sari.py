"""SARI (Xu et al. 2016), corpus level, for simplification and other rewriting tasks.

Written from the paper's definition and checked against the values EASSE prints (see
../shared/data/README.md); no code was copied from GPL implementations.

SARI rewards three operations against the source S, the system output O and the references R
(r = number of references; n-gram counts of S and O are multiplied by r so that they can be
compared with the summed counts of the r references):

- add:    n-grams in O but not in S (a set); correct when some reference has them; recall against
          the n-grams some reference adds (in R, not in S). Scored by F1.
- keep:   n-grams of S kept in O (counts, min(S*r, O*r)); correct up to how often the references
          keep them (min(S*r, R)); recall against the references' kept counts. Scored by F1.
- delete: n-grams of S dropped in O (S*r - O*r); correct up to how often the references drop them
          (S*r - R); recall against the references' dropped counts. Scored by F1 (see below).

Corpus level: correct/system/reference counts are summed over all sentences for each order
n = 1..4; precision, recall and F1 come from the sums; each operation's score is the mean over the
four orders; SARI is the mean of the three operation scores, x100. Text is lower-cased and
tokenised with sacrebleu's 13a tokeniser first.

Deletion uses F1 by default: that is what reproduces all three reference values (ASSET valid ref0
against refs 1-9 gives 44.94 with deletion F1 and 45.96 with deletion precision; the source-copy
values are the same under both, since copying deletes nothing). `deletion="precision"` gives
the paper's precision-only deletion score.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from textedit.metrics.scorer_inputs import check_scorer_inputs

MAX_ORDER = 4


def _normalise(text: str, lowercase: bool, tokenizer) -> str:
    return tokenizer(text.lower() if lowercase else text)


def _ngram_counts(text: str, max_order: int) -> list[Counter]:
    """[max_order] Counters of space-joined n-grams of the whitespace tokens, n = 1..max_order."""
    tokens = text.split()
    return [
        Counter(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        for n in range(1, max_order + 1)
    ]


def _scaled(counts: Counter, factor: int) -> Counter:
    return Counter({gram: c * factor for gram, c in counts.items()})


def _total(counts: Counter) -> int:
    return sum(counts.values())


def sari_score(
    sources: Sequence[str],
    predictions: Sequence[str],
    references: Sequence[Sequence[str]],
    *,
    lowercase: bool = True,
    tokenize: str = "13a",
    deletion: str = "f1",
    max_order: int = MAX_ORDER,
) -> dict[str, float]:
    """Corpus SARI on a 0-100 scale, with its three operation scores.

    Args:
      sources: [n] inputs.
      predictions: [n] system outputs.
      references: [n] lists of references (the number may differ between examples).
      lowercase: lower-case everything before tokenising (EASSE's default).
      tokenize: a sacrebleu tokeniser name ("13a", "none", "intl", ...).
      deletion: "f1" (reproduces EASSE's corpus SARI) or "precision" (deletion precision only).
      max_order: largest n-gram order.

    Returns:
      {"sari", "sari_add", "sari_keep", "sari_delete"}; sari is the mean of the other three.
    """
    return sari_subset_scorer(sources, predictions, references, lowercase=lowercase,
                              tokenize=tokenize, deletion=deletion, max_order=max_order)(
        np.arange(len(sources)))


def sari_subset_scorer(
    sources: Sequence[str],
    predictions: Sequence[str],
    references: Sequence[Sequence[str]],
    *,
    lowercase: bool = True,
    tokenize: str = "13a",
    deletion: str = "f1",
    max_order: int = MAX_ORDER,
):
    """indices -> `sari_score` of those sentences (repeats allowed).

    Every sentence's correct / system / reference counts are found once; scoring a subset sums
    them, which is what the corpus score does on the subset's lists. A paired bootstrap calls
    this hundreds of times (textedit/metrics/paired_bootstrap.py)."""
    refs = check_scorer_inputs("sari", sources, predictions, references)
    if deletion not in ("f1", "precision"):
        raise ValueError(f"sari: deletion must be 'f1' or 'precision', got {deletion!r}.")
    tokenizer = _get_tokenizer(tokenize)
    # [n, operation (add, keep, delete), order, (correct, system, reference)]
    counts = np.zeros((len(refs), 3, max_order, 3), np.int64)
    for row, (source, prediction, example_refs) in enumerate(
            zip(sources, predictions, refs, strict=True)):
        counts[row] = _sentence_counts(source, prediction, example_refs, lowercase, tokenizer,
                                       max_order)

    def score(indices) -> dict[str, float]:
        correct, system, reference = np.moveaxis(
            counts[np.asarray(indices, dtype=int)].sum(axis=0).astype(float), -1, 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            precision = np.where(system > 0, correct / system, 0.0)
            recall = np.where(reference > 0, correct / reference, 0.0)
            # Zero when either is zero: a system that adds nothing earns no add score.
            f1 = np.where((precision > 0) & (recall > 0),
                          2 * precision * recall / (precision + recall), 0.0)
        add_score, keep_score, delete_score = f1.mean(axis=1)  # means over the orders
        if deletion == "precision":
            delete_score = precision[2].mean()
        return {
            "sari": 100.0 * float(add_score + keep_score + delete_score) / 3,
            "sari_add": 100.0 * float(add_score),
            "sari_keep": 100.0 * float(keep_score),
            "sari_delete": 100.0 * float(delete_score),
        }

    return score


def _sentence_counts(source: str, prediction: str, references: Sequence[str], lowercase: bool,
                     tokenizer, max_order: int) -> list:
    """[operation (add, keep, delete)][order][(correct, system, reference)] of one sentence."""
    src = _ngram_counts(_normalise(source, lowercase, tokenizer), max_order)
    out = _ngram_counts(_normalise(prediction, lowercase, tokenizer), max_order)
    ref_sum = [Counter() for _ in range(max_order)]  # counts summed over the references
    for ref in references:
        for n, counts in enumerate(_ngram_counts(_normalise(ref, lowercase, tokenizer),
                                                 max_order)):
            ref_sum[n].update(counts)
    r = len(references)
    add, keep, delete = [], [], []
    for n in range(max_order):
        s, o, rs = src[n], out[n], ref_sum[n]
        # Addition is judged on n-gram types: adding a phrase twice is not twice as good.
        added = set(o) - set(s)
        add.append((len(added & set(rs)), len(added), len(set(rs) - set(s))))
        # Keep and delete are judged on counts, with S and O scaled to r references.
        s_r, o_r = _scaled(s, r), _scaled(o, r)
        kept, kept_by_refs = s_r & o_r, s_r & rs
        keep.append((_total(kept & kept_by_refs), _total(kept), _total(kept_by_refs)))
        dropped, dropped_by_refs = s_r - o_r, s_r - rs
        delete.append((_total(dropped & dropped_by_refs), _total(dropped),
                       _total(dropped_by_refs)))
    return [add, keep, delete]


sari_score.subset_scorer = sari_subset_scorer


def _get_tokenizer(name: str):
    """A sacrebleu tokeniser by name (the one BLEU would use), as a str -> str callable."""
    from sacrebleu.metrics.bleu import BLEU

    if name not in BLEU.TOKENIZERS:
        raise ValueError(
            f"sari: unknown tokenizer {name!r}; choose from {sorted(BLEU.TOKENIZERS)}."
        )
    return BLEU(tokenize=name).tokenizer
