"""Selection baselines of LMCor: pick one of the k candidates instead of correcting them.

    select(examples, "rerank")   -> [n] texts

- greedy:   the generator's greedy output (the record's extra key "greedy").
- rerank:   the candidate with the highest generator score (`scores`: its log-probability).
- majority: the most frequent candidate (whitespace-normalised); ties go to the higher score,
            then to the earlier slot.
- mbr:      minimum Bayes risk: the candidate with the highest summed similarity to the other
            candidates (`ngram_f1`, word 1..4-grams), i.e. the consensus of the samples.
- oracle:   the candidate closest to the references (`ngram_f1` against the best-matching
            reference): an upper bound for any selector, not a system.

The corrector must beat greedy and rerank to be worth its cost (docs/algorithms.md, LMCor).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from textedit.data.readers.candidates_reader import CandidateExample

SELECTORS = ("greedy", "rerank", "majority", "mbr", "oracle")
MAX_ORDER = 4


def _ngrams(words: Sequence[str], n: int) -> Counter:
    return Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def ngram_f1(hypothesis: str, reference: str, max_order: int = MAX_ORDER) -> float:
    """Mean over n = 1..max_order of the F1 of word n-gram matches (clipped counts), in [0, 1].

    Two empty texts match fully; orders longer than both texts are left out of the mean.
    """
    hyp, ref = hypothesis.split(), reference.split()
    if not hyp and not ref:
        return 1.0
    scores = []
    for n in range(1, max_order + 1):
        h, r = _ngrams(hyp, n), _ngrams(ref, n)
        if not h and not r:
            continue
        matches = sum((h & r).values())
        total = sum(h.values()) + sum(r.values())
        scores.append(2 * matches / total)
    return sum(scores) / len(scores)


def _argmax(values: Sequence[float]) -> int:
    """The first index of the largest value."""
    return max(range(len(values)), key=lambda i: (values[i], -i))


def _score_or_zero(example: CandidateExample, i: int) -> float:
    return example.scores[i] if example.scores is not None else 0.0


def pick_index(example: CandidateExample, selector: str,
               similarity: Callable[[str, str], float] = ngram_f1) -> int:
    """The slot `selector` picks (not for "greedy", which is not a candidate)."""
    candidates = example.candidates
    if selector == "rerank":
        if example.scores is None:
            raise ValueError(f"rerank needs generator scores; the record of "
                             f"{example.source[:60]!r} has none")
        return _argmax(example.scores)
    if selector == "majority":
        counts = Counter(" ".join(c.split()) for c in candidates)
        return _argmax([counts[" ".join(c.split())] + 1e-9 * _score_or_zero(example, i)
                        for i, c in enumerate(candidates)])
    if selector == "mbr":
        return _argmax([sum(similarity(c, other) for j, other in enumerate(candidates) if j != i)
                        for i, c in enumerate(candidates)])
    if selector == "oracle":
        if not example.references:
            raise ValueError(f"oracle needs references; {example.source[:60]!r} has none")
        return _argmax([max(similarity(c, r) for r in example.references) for c in candidates])
    raise ValueError(f"selector must be one of {SELECTORS}, got {selector!r}")


def select(examples: Sequence[CandidateExample], selector: str) -> list[str]:
    """[n] selected outputs, one per example."""
    if selector == "greedy":
        missing = [e.source for e in examples if "greedy" not in e.extra]
        if missing:
            raise ValueError(f'greedy needs each record\'s "greedy" key; {len(missing)} lack it, '
                             f"e.g. {missing[0][:60]!r}")
        return [e.extra["greedy"] for e in examples]
    return [e.candidates[pick_index(e, selector)] for e in examples]
