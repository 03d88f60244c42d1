"""EdiT5 realisation in TensorFlow ops: `realise_batch`'s ids, vectorised, for exported graphs.

    realised = realise_tokens(encoder_input_tokens, outputs.tags, outputs.order,
                              outputs.insertion_tokens, first_position_id=3,
                              num_position_tokens=513)
    realised.tokens    int32 [b, L + T]   realised ids, then pad_id
    realised.lengths   int32 [b]          how many of them are real (a pad id may be among them)

Row for row the same ids as `edit_inference.realise_batch` (which builds an `EditPlan` in Python):
the kept source pieces in chain order (`order`), each insertion span after the k-th of them, EOS /
START never written. The insertions are read as `textedit.edits.parse_decoder_output` reads them:

- reading stops at the first EOS;
- pieces before the first `<pos_k>` are dropped, and a `<pos_k>` directly followed by another
  position token inserts nothing;
- k above the row's kept count K is clamped to K (insert at the end);
- spans are placed by k with a stable sort: a repeated (or clamped onto the same) k appends its
  span to the earlier one, a decreasing k still lands where the decoder said;
- an all-padding input row realises to nothing.

No loops and no Python control flow on values: every inserted piece's output slot is its k plus
the count of inserted pieces that sort before it ([b, T, T] comparisons), every kept piece's slot
is its rank plus the inserted pieces with k <= rank ([b, L, T]); the ids land there through a
one-hot sum. Shapes are static when the inputs' L and T are, so it compiles with XLA.
"""

from __future__ import annotations

from typing import NamedTuple

import tensorflow as tf

KEEP = 1


class RealisedTokens(NamedTuple):
    """Realised ids, int32: `tokens` [b, M] (M = L + T, a bound), padded with pad_id after
    `lengths` [b] ids."""

    tokens: tf.Tensor
    lengths: tf.Tensor


def _static_or_dynamic(tensor, axis: int):
    """The static size of `axis` when known, else the dynamic one (an int32 scalar tensor)."""
    size = tensor.shape[axis]
    return size if size is not None else tf.shape(tensor)[axis]


def realise_tokens(encoder_input_tokens, tags, order, insertion_tokens, *,
                   first_position_id: int, num_position_tokens: int, eos_id: int = 1,
                   pad_id: int = 0) -> RealisedTokens:
    """The realised ids of a batch of `edit_loop` outputs (module docstring).

    Args:
      encoder_input_tokens: int [b, L], pieces, EOS (also START), then pad_id.
      tags: int [b, L] KEEP 1 / DELETE 0 (EditOutputs.tags); only positions before EOS count.
      order: int [b, L] kept positions in output order, then -1 (EditOutputs.order).
      insertion_tokens: int [b, T] `<pos_k> span ... EOS`, then padding.
      first_position_id, num_position_tokens: the `<pos_k>` id range.
      eos_id, pad_id: ids of EOS (ends the insertions) and padding (ends the input).

    Returns:
      RealisedTokens(tokens int32 [b, L + T], lengths int32 [b]).
    """
    inputs = tf.cast(encoder_input_tokens, tf.int32)
    tags = tf.cast(tags, tf.int32)
    order = tf.cast(order, tf.int32)
    insertions = tf.cast(insertion_tokens, tf.int32)
    length, steps = _static_or_dynamic(inputs, 1), _static_or_dynamic(insertions, 1)
    width = length + steps

    num_inputs = tf.reduce_sum(tf.cast(tf.not_equal(inputs, pad_id), tf.int32), axis=1)  # [b]
    has_input = (num_inputs > 0)[:, None]  # [b, 1]
    columns = tf.range(length)[None, :]
    # K as realise_batch counts it (the plan's tags: source positions, START excluded).
    source_kept = tf.logical_and(tf.equal(tags, KEEP), columns < (num_inputs - 1)[:, None])
    num_kept = tf.reduce_sum(tf.cast(source_kept, tf.int32), axis=1)  # [b]

    # Insertions: which tokens are position tokens, which are inserted pieces, and each piece's k.
    before_end = tf.equal(tf.cumsum(tf.cast(tf.equal(insertions, eos_id), tf.int32), axis=1), 0)
    k = insertions - first_position_id
    is_position = before_end & (k >= 0) & (k < num_position_tokens)
    k = tf.minimum(k, num_kept[:, None])
    steps_range = tf.range(steps)
    # The last position token at or before each step ([b, T(t), T(t')], t' <= t); -1 before any.
    earlier = steps_range[None, None, :] <= steps_range[None, :, None]
    last_position = tf.reduce_max(
        tf.where(is_position[:, None, :] & earlier, steps_range[None, None, :], -1), axis=2)
    is_piece = (before_end & tf.logical_not(is_position) & (last_position >= 0) & has_input)
    piece_k = tf.gather(k, tf.maximum(last_position, 0), batch_dims=1)  # [b, T]
    piece_k = tf.where(is_piece, piece_k, 0)

    # Output slots. An inserted piece goes after its k kept pieces, every inserted piece of a
    # smaller k and the earlier pieces of the same k (the stable sort by k).
    other_k, own_k = piece_k[:, None, :], piece_k[:, :, None]
    sorts_before = is_piece[:, None, :] & (
        (other_k < own_k) | ((other_k == own_k) & (steps_range[None, None, :]
                                                   < steps_range[None, :, None])))
    piece_slot = piece_k + tf.reduce_sum(tf.cast(sorts_before, tf.int32), axis=2)  # [b, T]
    # The kept piece of rank j goes after j kept pieces and every inserted piece with k <= j.
    rank = tf.range(length)[None, :, None]  # [1, L, 1]
    inserted_before = is_piece[:, None, :] & (other_k <= rank)  # [b, L, T]
    kept_slot = columns + tf.reduce_sum(tf.cast(inserted_before, tf.int32), axis=2)  # [b, L]
    is_kept = (order >= 0) & has_input
    kept_ids = tf.gather(inputs, tf.maximum(order, 0), batch_dims=1)  # [b, L]

    # One-hot sum: slot `width` (off the end) for what is not written.
    def place(ids, slots, written):
        one_hot = tf.one_hot(tf.where(written, slots, width), width, dtype=tf.int32)
        return tf.reduce_sum(one_hot * ids[:, :, None], axis=1)  # [b, width]

    tokens = place(kept_ids, kept_slot, is_kept) + place(insertions, piece_slot, is_piece)
    lengths = (tf.reduce_sum(tf.cast(is_kept, tf.int32), axis=1)
               + tf.reduce_sum(tf.cast(is_piece, tf.int32), axis=1))
    tokens = tf.where(tf.range(width)[None, :] < lengths[:, None], tokens, pad_id)
    return RealisedTokens(tokens=tokens, lengths=lengths)
