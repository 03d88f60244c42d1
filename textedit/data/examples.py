"""Plain records the readers return; tasks turn them into SeqIO examples."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class ParallelExample:
    """One source text and one target text (a training pair)."""

    source: str
    target: str


@dataclasses.dataclass(frozen=True)
class MultiReferenceExample:
    """One source text and every reference target (for evaluation); `references[0]` trains."""

    source: str
    references: tuple[str, ...]

    def as_pair(self, reference: int = 0) -> ParallelExample:
        return ParallelExample(self.source, self.references[reference])
