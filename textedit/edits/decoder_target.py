"""Insertions <-> the insertion decoder's token sequence `<pos_k> span <pos_m> span ...`.

`decoder_target` flattens a plan's insertions for teacher forcing (the data pipeline appends EOS);
`parse_decoder_output` reads them back from whatever the decoder produced;
`decoder_target_sources` says where each of those tokens lands in the realised target (the
provenance a seq2seq teacher's per-target-position distributions are matched by).

Example: insertions ((0, ("The",)), (2, ("is", "very"))) with position_token(k) = f"<pos_{k}>"
    -> ["<pos_0>", "The", "<pos_2>", "is", "very"]
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from textedit.edits.edit_plan import EditPlan

Token = TypeVar("Token", bound=Hashable)


def decoder_target(plan: EditPlan[Token], position_token: Callable[[int], Token]) -> list[Token]:
    """`[pos_k, span..., pos_m, span...]` for the plan's insertions (no EOS; [] when none).

    Args:
      plan: the edit plan.
      position_token: k -> the token (e.g. vocabulary id) of `<pos_k>`.
    """
    output: list[Token] = []
    for k, span in plan.insertions:
        output.append(position_token(k))
        output.extend(span)
    return output


def decoder_target_sources(plan: EditPlan) -> list[int]:
    """Per token of `decoder_target(plan, ...)`, its index in `realise(source, plan)`, or -1.

    `<pos_k>` tokens get -1 (they are not part of the target); the i-th piece of a span gets the
    target position it is written at. The walk is `conversion.realise`'s: before the span of
    `<pos_k>`, the kept tokens up to the k-th are written, one target position each. So for every
    inserted piece t at decoder index d: `realise(source, plan)[sources[d]] == t`.

    Example: insertions ((0, ("The",)), (2, ("is", "very"))) over 3 kept tokens
        decoder_target  <pos_0> The <pos_2> is very      target  The user query is very long
        sources         -1      0   -1      3  4
    """
    sources: list[int] = []
    written = 0  # target positions written so far
    kept = 0  # kept tokens written so far
    for k, span in plan.insertions:
        written += k - kept  # the kept tokens before this insertion point
        kept = k
        sources.append(-1)
        sources.extend(range(written, written + len(span)))
        written += len(span)
    return sources


def parse_decoder_output(
    tokens: Iterable[Token],
    is_position_token: Callable[[Token], bool],
    position_index: Callable[[Token], int],
    *,
    end_token: Token | None = None,
    num_kept: int | None = None,
) -> tuple[tuple[int, tuple[Token, ...]], ...]:
    """Insertions `((k, span), ...)` from decoder output; tolerant of malformed sequences.

    The result always satisfies the plan's rules (k strictly increasing, spans non-empty), so it can
    be combined with any tags and order. How malformed output is read:
    - reading stops at the first `end_token` (e.g. EOS), when one is given;
    - tokens before the first position token are dropped: the decoder was never trained to emit
      them, so there is no position to put them at, and dropping them leaves the kept text intact;
    - a position token followed directly by another position token (an empty span) is ignored;
    - a repeated position (k equal to an earlier k) appends its span to that position's span;
    - a decreasing position (k below an earlier k) is honoured: spans are ordered by k with a stable
      sort, so each span lands where the decoder said;
    - with `num_kept` given, positions above it are clamped to it (insert at the end).

    Args:
      tokens: decoder output tokens.
      is_position_token: whether a token is some `<pos_k>`.
      position_index: `<pos_k>` -> k.
      end_token: stop reading here (not included).
      num_kept: number of kept tokens of the plan these insertions will join.
    """
    spans: dict[int, list[Token]] = {}
    current: list[Token] | None = None  # None until the first position token
    for token in tokens:
        if end_token is not None and token == end_token:
            break
        if is_position_token(token):
            k = position_index(token)
            if k < 0:
                raise ValueError(f"position token {token!r} has negative index {k}")
            if num_kept is not None:
                k = min(k, num_kept)
            current = spans.setdefault(k, [])
        elif current is not None:
            current.append(token)
    return tuple((k, tuple(span)) for k, span in sorted(spans.items()) if span)
