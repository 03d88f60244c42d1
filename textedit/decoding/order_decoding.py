"""Pointer scores -> an output order that visits every kept position exactly once (traceable, XLA).

Row-wise argmax of the pointer matrix can revisit a position or close a cycle early (1 -> 2 -> 1);
EdiT5 needs a chain from START through every kept position. `decode_order` decodes greedily with a
visited mask: from START, repeatedly follow the best-scoring kept position not yet visited; when
none is left, close the chain back to START. The loop is a while loop over static shapes that
stops once every row's chain is closed (K + 1 iterations for the row with the most kept
positions K besides START; at most L), so it compiles into any XLA graph.

Guarantees, whatever the scores (ties, -inf, NaN, all equal): every kept position except START
appears exactly once in `order`; `next_positions` is a permutation in the features' convention
(`textedit.data.edit5.edit_features`): START -> first kept -> ... -> last kept -> START, every other
position a fixed point. Ties go to the lowest position. NaN scores count as the lowest finite
score. With `continuation` (word guards) the chain also keeps each run of continued positions
(the kept pieces of one word) together and in input order.

    decoded = decode_order(log_s, kept, start)
    decoded.next_positions   int32 [b, L]
    decoded.order            int32 [b, L]   kept positions in output order, then -1
    decoded.new_positions    int32 [b, L]   1 .. K along the order, 0 elsewhere (START included)
"""

from __future__ import annotations

from typing import NamedTuple

from keras import ops

_FLOOR = -1e30  # candidates' scores are clipped into [_FLOOR, -_FLOOR]; non-candidates get -inf


def _first_argmax(values, columns, length):
    """The smallest index holding the row maximum, values [b, L] -> int32 [b]. Two plain
    reductions instead of argmax: ties (-0.0 and 0.0 included) go to the lowest position on
    every backend, and XLA:CPU vectorises them."""
    is_max = ops.equal(values, ops.max(values, axis=1, keepdims=True))
    return ops.min(ops.where(is_max, columns, length), axis=1)


class DecodedOrder(NamedTuple):
    """The decoded chain, all int32 [b, L] (module docstring)."""

    next_positions: object
    order: object
    new_positions: object


def decode_order(scores, kept, start, continuation=None) -> DecodedOrder:
    """Greedy chain decoding with a visited mask.

    Args:
      scores: float [b, L, L]; scores[r, m, j] rates m -> j (e.g. log S of the pointer head).
        Entries outside the kept block are ignored.
      kept: bool [b, L], kept positions; START may or may not be marked (it always starts the
        chain, and is never visited again).
      start: int [b], the START (EOS) position of each row.
      continuation: optional bool [b, L], kept positions that must directly follow the position
        before them (word guards: `word_guards.continuation_positions`). At such a predecessor
        the chain's next is forced to it (if unvisited), and the chain never jumps to one, so
        each run of continued positions stays together and in input order. None: free choice.

    Returns:
      DecodedOrder(next_positions, order, new_positions), int32 [b, L] each.
    """
    scores = ops.cast(scores, "float32")
    scores = ops.where(ops.isnan(scores), _FLOOR, ops.clip(scores, _FLOOR, -_FLOOR))
    # ops.shape: static ints where known, a tensor for a dynamic batch (a serving signature's
    # [None, L] input); L must be static (the loop runs L times).
    batch, length = ops.shape(scores)[0], ops.shape(scores)[1]
    start = ops.cast(start, "int32")
    columns = ops.arange(length, dtype="int32")[None, :]
    is_start = ops.equal(columns, start[:, None])
    unvisited = ops.logical_and(ops.cast(kept, "bool"), ops.logical_not(is_start))
    if continuation is not None:
        continuation = ops.logical_and(ops.cast(continuation, "bool"), unvisited)
        # continues_next[r, m]: position m + 1 continues m (the last column never does).
        continues_next = ops.pad(continuation[:, 1:], [[0, 0], [0, 1]], constant_values=False)
    state = (
        start,  # current position
        unvisited,
        ops.zeros((batch,), "bool"),  # closed: the chain is back at START
        ops.broadcast_to(columns, (batch, length)),  # next_positions, fixed points to start with
        ops.full((batch, length), -1, "int32"),  # order
        ops.zeros((batch, length), "int32"),  # new_positions
    )

    def body(step, state):
        current, unvisited, closed, next_positions, order, new_positions = state
        row = ops.take_along_axis(
            scores, ops.broadcast_to(current[:, None, None], (batch, 1, length)), axis=1)[:, 0]
        any_left = ops.any(unvisited, axis=1)
        if continuation is None:
            row = ops.where(unvisited, row, float("-inf"))
            choice = ops.where(any_left, _first_argmax(row, columns, length), start)
        else:
            # Jump only to the first piece of a run; fall back to any unvisited position (never
            # needed while runs are entered at their first piece, kept for the guarantee).
            entries = ops.logical_and(unvisited, ops.logical_not(continuation))
            entries = ops.where(ops.any(entries, axis=1, keepdims=True), entries, unvisited)
            row = ops.where(entries, row, float("-inf"))
            choice = ops.where(any_left, _first_argmax(row, columns, length), start)
            follow = current + 1
            forced = ops.take_along_axis(continues_next, current[:, None], axis=1)[:, 0]
            forced = ops.logical_and(forced, ops.take_along_axis(
                unvisited, ops.minimum(follow, length - 1)[:, None], axis=1)[:, 0])
            choice = ops.where(forced, follow, choice)
        open_ = ops.logical_not(closed)
        visits = ops.logical_and(open_, any_left)
        at_current = ops.logical_and(ops.equal(columns, current[:, None]), open_[:, None])
        next_positions = ops.where(at_current, choice[:, None], next_positions)
        order = ops.where(ops.logical_and(ops.equal(columns, step), visits[:, None]),
                          choice[:, None], order)
        at_choice = ops.logical_and(ops.equal(columns, choice[:, None]), visits[:, None])
        new_positions = ops.where(at_choice, step + 1, new_positions)
        unvisited = ops.logical_and(unvisited, ops.logical_not(at_choice))
        current = ops.where(open_, choice, current)
        closed = ops.logical_or(closed, ops.logical_not(any_left))
        return current, unvisited, closed, next_positions, order, new_positions

    # A while loop that stops once every row's chain is closed: after K + 1 steps for K kept
    # positions besides START (K visits, then the step back to START), not after L. Later steps
    # would change nothing (a closed row's state is fixed), so the result is the same as L steps.
    def step_body(step, *values):
        return (step + 1, *body(step, values))

    def still_open(step, current, unvisited, closed, *rest):
        return ops.logical_not(ops.all(closed))

    final = ops.while_loop(still_open, step_body,
                           (ops.convert_to_tensor(0, "int32"), *state),
                           maximum_iterations=length)
    return DecodedOrder(next_positions=final[4], order=final[5], new_positions=final[6])
