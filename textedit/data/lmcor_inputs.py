"""LMCor corrector inputs: the source and k candidates in one text, with separator tokens.

    source <extra_id_0> candidate 1 <extra_id_1> candidate 2 ... <extra_id_{k-1}> candidate k

The separators are T5 sentinels: each encodes to one id in the project's vocabulary (and in a
Hugging Face T5 vocabulary), never occurs in ordinary text, and marks *which* slot follows, so
the corrector can tell the source from the candidates. `word_start_table` counts a sentinel as a
word of its own, so word-aware EdiT5 conversion can delete the separators and copy any word
of the source or of any candidate (docs/algorithms.md, LMCor).

Training shuffles the candidate order of every example (`shuffled`), so the corrector cannot
learn "slot 1 is the generator's best" and must compare the candidates themselves.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

MAX_CANDIDATES = 100  # the number of T5 sentinels in the vocabulary


def separator(slot: int) -> str:
    """The token in front of candidate `slot` (0-based)."""
    if not 0 <= slot < MAX_CANDIDATES:
        raise ValueError(f"candidate slot must be in [0, {MAX_CANDIDATES}), got {slot}")
    return f"<extra_id_{slot}>"


_SEPARATOR = re.compile(r"\s*<extra_id_(\d+)>\s*")


def assemble(source: str, candidates: Sequence[str]) -> str:
    """`source <extra_id_0> c_1 <extra_id_1> c_2 ...`: the corrector's input text.

    Raises:
      ValueError: no candidates, too many, or a text that already holds a separator token.
    """
    if not candidates:
        raise ValueError("LMCor input needs at least one candidate")
    if len(candidates) > MAX_CANDIDATES:
        raise ValueError(f"at most {MAX_CANDIDATES} candidates, got {len(candidates)}")
    for text in (source, *candidates):
        if _SEPARATOR.search(text):
            raise ValueError(f"text contains a separator token <extra_id_N>: {text[:80]!r}")
    parts = [source.strip()]
    for slot, candidate in enumerate(candidates):
        parts += [separator(slot), candidate.strip()]
    return " ".join(part for part in parts if part)


def split(text: str) -> tuple[str, list[str]]:
    """Inverse of `assemble`: (source, candidates in slot order).

    Raises:
      ValueError: the separators are missing or out of order.
    """
    pieces = _SEPARATOR.split(text)
    source, rest = pieces[0], pieces[1:]
    slots = [int(s) for s in rest[0::2]]
    if slots != list(range(len(slots))) or not slots:
        raise ValueError(f"expected separators <extra_id_0>, <extra_id_1>, ... in order; "
                         f"found slots {slots} in {text[:80]!r}")
    return source.strip(), [c.strip() for c in rest[1::2]]


def strip_separators(text: str) -> str:
    """`text` without separator tokens (a generator that saw T5 sentinels may emit them)."""
    return " ".join(_SEPARATOR.sub(" ", text).split())


def shuffled(candidates: Sequence[str], rng: random.Random) -> list[str]:
    """The candidates in a random order drawn from `rng` (a new order for every call)."""
    order = list(candidates)
    rng.shuffle(order)
    return order
