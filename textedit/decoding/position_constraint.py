"""The insertion decoder's logits processor: only `<pos_k>` that the edit can use (§1.1.6).

`<pos_k>` (id `first_position_id + k`) inserts after the k-th re-ordered kept token, so a row with
K kept tokens may only emit k <= K, and spans come in increasing k, so k may not fall below the
last position token the row emitted (k >= previous k; equal k is allowed and
`textedit.edits.parse_decoder_output` merges repeated positions). Every other id, EOS included,
stays allowed at every step.

    processor = position_constraint(num_kept, first_position_id=3, num_position_tokens=513)
    tokens = greedy_loop(step_fn, cache, b, T, logits_processor=processor)
"""

from __future__ import annotations

from keras import ops

FORBIDDEN = -1e9  # not -inf: a fully forbidden row would turn into NaN


def position_constraint(num_kept, *, first_position_id: int, num_position_tokens: int):
    """A `decode_loop` logits processor enforcing prev_k <= k <= num_kept for `<pos_k>`.

    Args:
      num_kept: int [b], kept source tokens per row (START excluded).
      first_position_id: id of `<pos_0>`.
      num_position_tokens: reserved position ids (k < num_position_tokens).

    Returns:
      processor(logits float32 [b, V], index int32 [], generated int32 [b, T]) -> logits, where
      `generated` holds the tokens chosen before `index` (padding after).
    """
    num_kept = ops.cast(num_kept, "int32")

    def processor(logits, index, generated):
        vocab = logits.shape[-1]
        ids = ops.arange(vocab, dtype="int32")[None, :]
        k = ids - first_position_id  # [1, V]; k of every id that is a position token
        is_position = ops.logical_and(k >= 0, k < num_position_tokens)
        generated = ops.cast(generated, "int32")
        emitted_k = generated - first_position_id
        emitted = ops.logical_and(emitted_k >= 0, emitted_k < num_position_tokens)
        positions = ops.arange(generated.shape[1], dtype="int32")[None, :]
        emitted = ops.logical_and(emitted, positions < index)
        previous = ops.max(ops.where(emitted, emitted_k, 0), axis=1)  # [b]; 0 before any
        allowed = ops.logical_and(k >= previous[:, None], k <= num_kept[:, None])
        keep = ops.logical_or(ops.logical_not(is_position), allowed)
        return ops.where(keep, logits, FORBIDDEN)

    return processor
