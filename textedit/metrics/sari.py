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

import dataclasses
from collections import Counter
from collections.abc import Sequence

from textedit.metrics.scorer_inputs import check_scorer_inputs

MAX_ORDER = 4


@dataclasses.dataclass
class _OperationCounts:
    """Corpus sums for one operation at one n-gram order."""

    correct: int = 0
    system: int = 0
    reference: int = 0

    def add(self, correct: int, system: int, reference: int) -> None:
        self.correct += correct
        self.system += system
        self.reference += reference

    def precision(self) -> float:
        return self.correct / self.system if self.system > 0 else 0.0

    def recall(self) -> float:
        return self.correct / self.reference if self.reference > 0 else 0.0

    def f1(self) -> float:
        p, r = self.precision(), self.recall()
        # Zero when either is zero: a system that adds nothing earns no add score.
        return 2 * p * r / (p + r) if p > 0 and r > 0 else 0.0


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
    refs = check_scorer_inputs("sari", sources, predictions, references)
    if deletion not in ("f1", "precision"):
        raise ValueError(f"sari: deletion must be 'f1' or 'precision', got {deletion!r}.")
    tokenizer = _get_tokenizer(tokenize)

    add = [_OperationCounts() for _ in range(max_order)]
    keep = [_OperationCounts() for _ in range(max_order)]
    delete = [_OperationCounts() for _ in range(max_order)]
    for source, prediction, example_refs in zip(sources, predictions, refs, strict=True):
        src = _ngram_counts(_normalise(source, lowercase, tokenizer), max_order)
        out = _ngram_counts(_normalise(prediction, lowercase, tokenizer), max_order)
        ref_sum = [Counter() for _ in range(max_order)]  # counts summed over the references
        for ref in example_refs:
            for n, counts in enumerate(_ngram_counts(_normalise(ref, lowercase, tokenizer),
                                                     max_order)):
                ref_sum[n].update(counts)
        r = len(example_refs)
        for n in range(max_order):
            s, o, rs = src[n], out[n], ref_sum[n]
            # Addition is judged on n-gram types: adding a phrase twice is not twice as good.
            added = set(o) - set(s)
            add[n].add(len(added & set(rs)), len(added), len(set(rs) - set(s)))
            # Keep and delete are judged on counts, with S and O scaled to r references.
            s_r, o_r = _scaled(s, r), _scaled(o, r)
            kept, kept_by_refs = s_r & o_r, s_r & rs
            keep[n].add(_total(kept & kept_by_refs), _total(kept), _total(kept_by_refs))
            dropped, dropped_by_refs = s_r - o_r, s_r - rs
            delete[n].add(
                _total(dropped & dropped_by_refs), _total(dropped), _total(dropped_by_refs)
            )

    add_score = sum(c.f1() for c in add) / max_order
    keep_score = sum(c.f1() for c in keep) / max_order
    if deletion == "f1":
        delete_score = sum(c.f1() for c in delete) / max_order
    else:
        delete_score = sum(c.precision() for c in delete) / max_order
    return {
        "sari": 100.0 * (add_score + keep_score + delete_score) / 3,
        "sari_add": 100.0 * add_score,
        "sari_keep": 100.0 * keep_score,
        "sari_delete": 100.0 * delete_score,
    }


def _get_tokenizer(name: str):
    """A sacrebleu tokeniser by name (the one BLEU would use), as a str -> str callable."""
    from sacrebleu.metrics.bleu import BLEU

    if name not in BLEU.TOKENIZERS:
        raise ValueError(
            f"sari: unknown tokenizer {name!r}; choose from {sorted(BLEU.TOKENIZERS)}."
        )
    return BLEU(tokenize=name).tokenizer
