"""Corpus BLEU through sacrebleu, in the shared scorer convention (sources are not used)."""

from __future__ import annotations

from collections.abc import Sequence

from textedit.metrics.scorer_inputs import check_scorer_inputs


def bleu_score(
    sources: Sequence[str],
    predictions: Sequence[str],
    references: Sequence[Sequence[str]],
    *,
    tokenize: str = "13a",
    lowercase: bool = False,
) -> dict[str, float]:
    """sacrebleu's corpus BLEU (0-100) against every reference of each example.

    Args:
      sources: [n] inputs; only checked for length (BLEU does not look at them).
      predictions: [n] system outputs.
      references: [n] lists of references; the number may differ between examples (sacrebleu
        skips the `None` padding we add for examples with fewer references).
      tokenize: sacrebleu tokeniser; "13a" for detokenised text, "none" for text that is already
        tokenised (WikiSplit, TurkCorpus).
      lowercase: case-insensitive BLEU.

    Returns:
      {"bleu": score}.
    """
    refs = check_scorer_inputs("bleu", sources, predictions, references)
    from sacrebleu.metrics.bleu import BLEU

    # sacrebleu wants reference *streams*: stream k holds every example's k-th reference.
    num_streams = max((len(r) for r in refs), default=1)
    streams = [[r[k] if k < len(r) else None for r in refs] for k in range(num_streams)]
    metric = BLEU(tokenize=tokenize, lowercase=lowercase)
    return {"bleu": metric.corpus_score(list(predictions), streams).score}
