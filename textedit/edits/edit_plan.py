"""The EdiT5 edit plan: KEEP/DELETE tags, a pointer chain that orders the kept tokens, insertions.

A plan turns a source token sequence into a target in three steps (docs/algorithms.md#edit5-model):
tag every source token KEEP or DELETE, re-order the kept ones, insert new spans between them.

Pointer convention (what the model's pointer head predicts over `[START] + source` positions):

    slot 0          START
    slot i + 1      source token i

`pointers` has length `len(source) + 1`. `pointers[0]` is the slot of the first kept token in output
order; every kept slot points to the slot of the next kept token; the last kept token points back to
slot 0 (the chain is closed into a cycle); a deleted token points to itself. When nothing is kept,
`pointers[0] == 0`. So `pointers` is always a permutation of `0 .. len(source)` - one cycle through
START and the kept tokens plus a fixed point per deleted token - which is what Sinkhorn
normalisation (a doubly-stochastic matrix) assumes. A slot points to itself iff it is deleted
(or, for START, iff nothing is kept).

Insertions are `(k, span)` pairs, k strictly increasing, spans non-empty: `<pos_k> span` means
"insert span after the k-th token of the re-ordered kept sequence"; k = 0 is the very start.
So 0 <= k <= number of kept tokens, and a plan needs `max_position() + 1` position tokens.

Example (docs/algorithms.md#edit5-conversion): "A long user query" -> "The user query is very long"

    source      A   long  user  query          slots: START=0, A=1, long=2, user=3, query=4
    tags        D   K     K     K              (DELETE=0, KEEP=1): (0, 1, 1, 1)
    order       user query long                 source indices (2, 3, 1)
    pointers    START->user, A->A, long->START, user->query, query->long
                = (3, 1, 0, 4, 2)               pointers[slot] = next slot
    insertions  (0, ("The",)), (2, ("is", "very"))
    decoder     <pos_0> The <pos_2> is very    (the pipeline appends </s>)

Tokens are any hashable values: vocabulary ids and word strings alike.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Hashable, Sequence
from typing import Generic, TypeVar

Token = TypeVar("Token", bound=Hashable)

DELETE = 0
KEEP = 1
START_SLOT = 0  # slot of the start position; source token i lives in slot i + 1


class InvalidPlanError(ValueError):
    """A plan whose tags, pointers or insertions contradict each other."""


@dataclasses.dataclass(frozen=True)
class EditPlan(Generic[Token]):
    """Tags, pointer chain and insertions that turn one source sequence into one target.

    Attributes:
      tags: `[len(source)]` KEEP (1) or DELETE (0) per source token.
      pointers: `[len(source) + 1]` next-slot per slot (see the module docstring).
      insertions: `(k, span)` pairs, k strictly increasing, each span non-empty.
    """

    tags: tuple[int, ...]
    pointers: tuple[int, ...]
    insertions: tuple[tuple[int, tuple[Token, ...]], ...] = ()

    @classmethod
    def from_order(
        cls,
        num_source: int,
        order: Sequence[int],
        insertions: Sequence[tuple[int, Sequence[Token]]] = (),
    ) -> EditPlan[Token]:
        """Builds a plan from the kept source indices in output order (the others are deleted)."""
        tags = [DELETE] * num_source
        pointers = list(range(num_source + 1))  # deleted tokens point to themselves
        previous = START_SLOT
        for index in order:
            if not 0 <= index < num_source or tags[index] == KEEP:
                raise InvalidPlanError(f"order {list(order)} is not a set of source indices")
            tags[index] = KEEP
            pointers[previous] = index + 1
            previous = index + 1
        pointers[previous] = START_SLOT  # close the cycle (no-op when nothing is kept)
        return cls(
            tags=tuple(tags),
            pointers=tuple(pointers),
            insertions=tuple((int(k), tuple(span)) for k, span in insertions),
        )

    @property
    def num_source(self) -> int:
        return len(self.tags)

    def num_kept(self) -> int:
        return sum(self.tags)

    def order(self) -> tuple[int, ...]:
        """The kept source indices in output order, read from the pointer chain."""
        if len(self.pointers) != len(self.tags) + 1:
            raise InvalidPlanError(
                f"{len(self.pointers)} pointers for {len(self.tags)} tags; expected tags + 1"
            )
        order = []
        slot = self.pointers[START_SLOT]
        while slot != START_SLOT:
            # More steps than kept tokens means the chain loops without returning to START.
            if not 0 < slot <= len(self.tags) or len(order) >= len(self.tags):
                raise InvalidPlanError(f"pointer chain {self.pointers} does not return to START")
            order.append(slot - 1)
            slot = self.pointers[slot]
        return tuple(order)

    def num_inserted_tokens(self) -> int:
        return sum(len(span) for _, span in self.insertions)

    def max_position(self) -> int:
        """The largest insertion position k, or -1 when nothing is inserted."""
        return self.insertions[-1][0] if self.insertions else -1

    def positions_needed(self) -> int:
        """How many `<pos_k>` tokens (k = 0, 1, ...) the decoder target of this plan uses."""
        return self.max_position() + 1

    def num_reorderings(self) -> int:
        """Number of descents in the output order: 0 without re-ordering, 1 for a swap of two spans.

        A descent is a kept token that comes earlier in the source than the kept token before it.
        """
        order = self.order()
        return sum(1 for a, b in itertools.pairwise(order) if b < a)

    def is_reordered(self) -> bool:
        return self.num_reorderings() > 0

    def validate(self) -> tuple[int, ...]:
        """Checks that tags, pointers and insertions agree; returns `order()`.

        Raises:
          InvalidPlanError: naming the first contradiction found.
        """
        order = self.order()
        if any(tag not in (KEEP, DELETE) for tag in self.tags):
            raise InvalidPlanError(f"tags must be {KEEP} (KEEP) or {DELETE} (DELETE): {self.tags}")
        kept = set(order)
        kept_by_tags = {i for i, tag in enumerate(self.tags) if tag == KEEP}
        if len(kept) != len(order) or kept != kept_by_tags:
            raise InvalidPlanError(f"pointer chain {order} does not visit exactly the KEEP tokens")
        for i, tag in enumerate(self.tags):
            if tag == DELETE and self.pointers[i + 1] != i + 1:
                raise InvalidPlanError(f"deleted source token {i} must point to itself")
        previous = -1
        for k, span in self.insertions:
            if not previous < k <= len(order):
                raise InvalidPlanError(
                    f"insertion positions must increase strictly within 0..{len(order)}: "
                    f"{[k for k, _ in self.insertions]}"
                )
            if not span:
                raise InvalidPlanError(f"empty insertion span at position {k}")
            previous = k
        return order
