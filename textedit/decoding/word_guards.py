"""Word guards of EdiT5 inference: tag, order and insert by whole words (issue 14).

A weakly trained EdiT5 model edits pieces, not words: it deletes one piece of a word, moves a
piece, or inserts in the middle of a word ("be ,cus if , see , some one"). With `word_start`
(bool [b, L], True where the input piece begins a word: `word_start_table(vocabulary)[ids]`)
`textedit.decoding.edit_inference.edit_loop` applies, inside its compiled graph:

1. `word_tags`: one KEEP/DELETE decision per word. A word is a flagged piece and the unflagged
   pieces after it; the first piece (position 0) always opens a word, and START (EOS) and padding
   belong to no word. The decision compares the mean over the word's pieces of the DELETE-vs-KEEP
   log-odds (logit DELETE - logit KEEP) with logit(delete_threshold): delete only when the word's
   average P(DELETE) evidence is above the threshold. Without `word_start` every piece is its own
   word (today's argmax at the default threshold 0.5).
2. `continuation_positions` feeds `order_decoding.decode_order`: the chain enters a run of kept
   pieces of one word only at its first kept piece and then walks it in input order.
3. `boundary_positions` feeds `position_constraint`: `<pos_k>` only between words.

Everything here is keras.ops on static [b, L] shapes (a dynamic batch works too), so it runs under
XLA; `word_starts` is the numpy lookup used outside the graph, `gather_word_starts` the graph one.
"""

from __future__ import annotations

import math

import numpy as np
from keras import ops

DEFAULT_DELETE_THRESHOLD = 0.5


def delete_log_odds_threshold(delete_threshold: float) -> float:
    """logit(delete_threshold): delete when log P(DELETE)/P(KEEP) is above it. 0.5 -> 0.0 (the
    argmax decision), 1.0 -> +inf (never delete), 0.0 -> -inf (always delete)."""
    threshold = float(delete_threshold)
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"delete_threshold={delete_threshold}: expected a probability in [0, 1]")
    if threshold == 1.0:
        return math.inf
    if threshold == 0.0:
        return -math.inf
    return math.log(threshold / (1.0 - threshold))


def word_starts(tokens, table) -> np.ndarray:
    """numpy: ids int [b, L] -> bool [b, L], `table[ids]` (ids outside the table: False)."""
    tokens = np.asarray(tokens)
    table = np.asarray(table, dtype=bool)
    inside = (tokens >= 0) & (tokens < table.shape[0])
    return np.where(inside, table[np.clip(tokens, 0, table.shape[0] - 1)], False)


def gather_word_starts(tokens, table):
    """In-graph `word_starts`: ids int [b, L], table bool [V] (a constant) -> bool [b, L]."""
    tokens = ops.cast(tokens, "int32")
    size = int(table.shape[0])
    inside = ops.logical_and(tokens >= 0, tokens < size)
    gathered = ops.take(ops.cast(table, "bool"), ops.clip(tokens, 0, size - 1), axis=0)
    return ops.logical_and(inside, gathered)


def _word_members(word_start, members):
    """same-word matrix bool [b, L, L] over the `members` positions (word ids by cumulative sum
    of the word openers; position 0 always opens)."""
    length = ops.shape(word_start)[1]
    columns = ops.arange(length, dtype="int32")[None, :]
    opens = ops.logical_or(ops.cast(word_start, "bool"), ops.equal(columns, 0))
    word_id = ops.cumsum(ops.cast(opens, "int32"), axis=1)
    same = ops.equal(word_id[:, :, None], word_id[:, None, :])
    return ops.logical_and(same, ops.logical_and(members[:, :, None], members[:, None, :]))


def word_log_odds(tag_logits, members, word_start=None):
    """float32 [b, L]: each member's DELETE-vs-KEEP log-odds (logit DELETE - logit KEEP), or
    with `word_start` the mean over its word's pieces (every piece of a word gets the same)."""
    logits = ops.cast(tag_logits, "float32")
    log_odds = logits[..., 0] - logits[..., 1]  # log P(DELETE) - log P(KEEP)
    if word_start is None:
        return log_odds
    members = ops.cast(members, "bool")
    same = ops.cast(_word_members(word_start, members), "float32")
    total = ops.einsum("bij,bj->bi", same, ops.where(members, log_odds, 0.0))
    count = ops.maximum(ops.sum(same, axis=2), 1.0)
    return total / count


def word_tags(tag_logits, members, word_start=None,
              delete_threshold: float = DEFAULT_DELETE_THRESHOLD, noise=None,
              temperature: float = 1.0):
    """KEEP (1) / DELETE (0) per position from the tagger's logits.

    Args:
      tag_logits: float [b, L, 2] (index 0 DELETE, 1 KEEP).
      members: bool [b, L], the positions that are pieces (not START, not padding); the others
        get KEEP here (the caller fixes START and padding).
      word_start: optional bool [b, L]; None: each piece decides alone.
      delete_threshold: delete when the (word-mean) P(DELETE) is above this (0.5: argmax).
      noise: optional float [b, L] standard logistic noise, for sampling: the (word-mean)
        log-odds / temperature + the noise of the word's first member is compared with the
        threshold, so at 0.5 a word is deleted with probability sigmoid(log-odds / temperature)
        (one draw per word: `word_noise`). None: the deterministic decision.
      temperature: divides the log-odds when sampling (> 0; a Python float).

    Returns:
      int32 [b, L].
    """
    members = ops.cast(members, "bool")
    log_odds = word_log_odds(tag_logits, members, word_start)
    if noise is not None:
        log_odds = log_odds / temperature + word_noise(noise, members, word_start)
    delete = ops.logical_and(members, log_odds > delete_log_odds_threshold(delete_threshold))
    return ops.cast(ops.where(delete, 0, 1), "int32")


def word_noise(noise, members, word_start=None):
    """float32 [b, L]: each member gets the noise of its word's first member (so a word is one
    draw); without `word_start` every piece keeps its own."""
    noise = ops.cast(noise, "float32")
    if word_start is None:
        return noise
    same = _word_members(word_start, members)
    # The first member of each word: no member of the same word before it.
    length = ops.shape(noise)[1]
    before = ops.arange(length, dtype="int32")[None, :, None] > ops.arange(
        length, dtype="int32")[None, None, :]  # [1, i, j]: j before i
    first = ops.logical_and(members, ops.logical_not(
        ops.any(ops.logical_and(same, before), axis=2)))
    first_noise = ops.where(first, noise, 0.0)
    return ops.einsum("bij,bj->bi", ops.cast(same, "float32"), first_noise)


def tag_log_prob(tag_logits, tags, members, word_start=None):
    """float32 [b]: the tagger's log-probability of `tags` (int [b, L], 1 KEEP), one factor per
    word (sigmoid of its mean log-odds, `word_log_odds`) or per piece without `word_start`."""
    members = ops.cast(members, "bool")
    log_odds = word_log_odds(tag_logits, members, word_start)
    signed = ops.where(ops.equal(tags, 0), log_odds, -log_odds)
    log_p = -ops.softplus(-signed)  # log sigmoid
    # Count each word once: at its pieces, divided by the word's size.
    if word_start is None:
        weight = ops.cast(members, "float32")
    else:
        same = ops.cast(_word_members(word_start, members), "float32")
        weight = ops.where(members, 1.0 / ops.maximum(ops.sum(same, axis=2), 1.0), 0.0)
    return ops.sum(log_p * weight, axis=1)


def continuation_positions(word_start, kept, start):
    """bool [b, L]: kept pieces that continue the kept piece just before them in the same word
    (not a word start, not position 0, not START). `decode_order` forces the chain from the
    previous piece onto these and never jumps to them."""
    length = ops.shape(word_start)[1]
    columns = ops.arange(length, dtype="int32")[None, :]
    kept = ops.cast(kept, "bool")
    is_start = ops.equal(columns, ops.cast(start, "int32")[:, None])
    kept_piece = ops.logical_and(kept, ops.logical_not(is_start))
    previous_kept = ops.pad(kept_piece[:, :-1], [[0, 0], [1, 0]], constant_values=False)
    inner = ops.logical_and(ops.logical_not(ops.cast(word_start, "bool")), columns > 0)
    return ops.logical_and(ops.logical_and(kept_piece, previous_kept), inner)


def boundary_positions(word_start, order):
    """bool [b, L]: entry k says whether `<pos_k>` falls between words, i.e. k == 0, or the
    (k+1)-th kept piece in output order starts a word (position 0 counts as a word start), or
    there is no (k+1)-th kept piece (k == number kept: the end).

    Args:
      word_start: bool [b, L] of the input positions.
      order: int [b, L], kept positions in output order, then -1 (`DecodedOrder.order`).
    """
    length = ops.shape(word_start)[1]
    columns = ops.arange(length, dtype="int32")[None, :]
    order = ops.cast(order, "int32")
    opens = ops.logical_or(ops.cast(word_start, "bool"), ops.equal(columns, 0))
    at_order = ops.take_along_axis(opens, ops.maximum(order, 0), axis=1)
    return ops.logical_or(ops.logical_or(at_order, order < 0), ops.equal(columns, 0))
