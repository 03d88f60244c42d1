"""How much of its source a system's output reuses: the first thing to look at for an editor.

A model for a task whose output overlaps its input (GEC, simplification, fusion) either reads
its source or it does not; corpus metrics hide which. A mini seq2seq trained from scratch can
reach a SARI near a weak baseline while writing fluent text unrelated to the source (it has
memorised references), and a GEC model can sit near the copy baseline's GLEU by copying. These
three numbers tell those cases apart (`textedit evaluate` prints them beside the task metrics):

- `exact_copy`: share of outputs equal to their source (after stripping outer white space);
- `source_words_kept`: words of the sources that reappear in their outputs, over all source
  words (multiset intersection per sentence, so a word used once counts once);
- `output_words_from_source`: the same intersection over all output words (100% = the output
  only rearranges or deletes source words; low = it writes other words).

Words are white-space tokens, case-sensitive. Percentages in [0, 100].
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def source_overlap(sources: Sequence[str], predictions: Sequence[str]) -> dict[str, float]:
    """{exact_copy, source_words_kept, output_words_from_source} in percent (module docstring)
    for parallel lists of sources and predictions (the same length; an error otherwise)."""
    if len(sources) != len(predictions):
        raise ValueError(f"source_overlap: {len(sources)} sources but {len(predictions)} "
                         "predictions")
    copies = shared = source_words = output_words = 0
    for source, prediction in zip(sources, predictions, strict=True):
        copies += source.strip() == prediction.strip()
        source_counts, output_counts = Counter(source.split()), Counter(prediction.split())
        shared += sum((source_counts & output_counts).values())
        source_words += sum(source_counts.values())
        output_words += sum(output_counts.values())

    def percent(part: int, whole: int) -> float:
        return 100.0 * part / whole if whole else 0.0

    return {"exact_copy": percent(copies, len(sources)),
            "source_words_kept": percent(shared, source_words),
            "output_words_from_source": percent(shared, output_words)}
