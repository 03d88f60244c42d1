"""The insertion decoder's logits processor: only `<pos_k>` that the edit can use
(docs/algorithms.md#edit5-inference).

`<pos_k>` (id `first_position_id + k`) inserts after the k-th re-ordered kept token, so a row with
K kept tokens may only emit k <= K, and spans come in increasing k, so k may not fall below the
last position token the row emitted (k >= previous k; equal k is allowed and
`textedit.edits.parse_decoder_output` merges repeated positions). Every other id, EOS included,
stays allowed at every step.

Optional guards (issue 14; `edit_inference.edit_loop` turns them on with word guards):
- `boundaries` bool [b, L]: `<pos_k>` only where entry k is True (`word_guards.
  boundary_positions`: between words of the re-ordered kept sequence; k >= L stays allowed, and
  the num_kept bound still applies);
- `strict_spans`: the first token is a `<pos_k>` or EOS (tokens before any position are dropped
  by the parser anyway), and no `<pos_k>` right after a `<pos_k>` (an empty span);
- `span_start_table` bool [V'] (the vocabulary's `word_start_table`): the first token of every
  span (right after a `<pos_k>`) is a word-initial piece or EOS, so an insertion never glues
  onto the word before it. Ids past V' count as not word-initial;
- `grouped_choice`: the step first chooses between three groups by their total probability -
  stop (EOS), a new span (every allowed `<pos_k>`), continue the span (every other id) - then the
  best id within the chosen group. Greedy decoding over single ids under-inserts: the mass of
  "insert somewhere" is split over the K + 1 position tokens, so EOS wins the argmax even when
  inserting is more probable than stopping. Off in edit inference: on a 30-minute mini EdiT5
  (gec experiment, step 4716) it raised JFLEG recall (ERRANT F0.5 2.84 -> 3.06 on 500
  sentences) but lowered GLEU (36.02 -> 35.07; copying scores 35.61), the extra insertions
  being mostly wrong at this level of training.

    processor = position_constraint(num_kept, first_position_id=3, num_position_tokens=513)
    tokens = greedy_loop(step_fn, cache, b, T, logits_processor=processor)
"""

from __future__ import annotations

from keras import ops

FORBIDDEN = -1e9  # not -inf: a fully forbidden row would turn into NaN


def position_constraint(num_kept, *, first_position_id: int, num_position_tokens: int,
                        boundaries=None, strict_spans: bool = False, span_start_table=None,
                        grouped_choice: bool = False, eos_id: int = 1, insert_bias: float = 0.0):
    """A `decode_loop` logits processor enforcing prev_k <= k <= num_kept for `<pos_k>`.

    Args:
      num_kept: int [b], kept source tokens per row (START excluded).
      first_position_id: id of `<pos_0>`.
      num_position_tokens: reserved position ids (k < num_position_tokens).
      boundaries: optional bool [b, L]: `<pos_k>` (k < L) only where True (module docstring).
      strict_spans: first token `<pos_k>` or EOS; no `<pos_k>` directly after a `<pos_k>`.
      span_start_table: optional bool [V']: a span's first token must be True here or EOS.
      grouped_choice: choose stop / new span / continue by total probability first.
      eos_id: the EOS id (for strict_spans and span_start_table).
      insert_bias: added to the logit of every allowed `<pos_k>` (a Python float; 0 = none).
        Positive values open spans more readily: a weakly trained decoder puts EOS first even
        where it gives insertions real mass (GECToR's "confidence bias", here for insertions).

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
        if boundaries is not None:
            allowed = ops.logical_and(allowed, _position_mask(boundaries, k))
        keep = ops.logical_or(ops.logical_not(is_position), allowed)
        if strict_spans or span_start_table is not None:
            previous_index = ops.broadcast_to(ops.maximum(index - 1, 0),
                                              (ops.shape(generated)[0], 1))
            last = ops.take_along_axis(generated, previous_index, axis=1)[:, 0]
            last_k = last - first_position_id
            after_position = ops.logical_and(
                ops.logical_and(last_k >= 0, last_k < num_position_tokens), index > 0)
            is_eos = ops.equal(ids, eos_id)
            if strict_spans:
                first = ops.logical_or(is_position, is_eos)  # [1, V]
                keep = ops.logical_and(keep, ops.logical_or(index > 0, first))
                keep = ops.logical_and(keep, ops.logical_not(
                    ops.logical_and(after_position[:, None], is_position)))
            if span_start_table is not None:
                starts = ops.logical_or(_vocab_mask(span_start_table, vocab), is_eos)
                keep = ops.logical_and(keep, ops.logical_or(
                    ops.logical_not(after_position)[:, None], starts))
        if insert_bias:
            logits = logits + ops.cast(is_position, logits.dtype) * insert_bias
        logits = ops.where(keep, logits, FORBIDDEN)
        if grouped_choice:
            logits = _best_group(logits, [ops.equal(ids, eos_id), is_position])
        return logits

    return processor


def _best_group(logits, groups):
    """Keeps only the group of ids with the largest total probability in each row (the groups
    given, then every other id as the last), FORBIDDEN elsewhere. logits float32 [b, V]; groups
    bool [1, V] each, disjoint."""
    rest = ops.logical_not(ops.logical_or(*groups)) if len(groups) > 1 else ops.logical_not(
        groups[0])
    members = [*groups, rest]
    totals = ops.stack([ops.logsumexp(ops.where(m, logits, FORBIDDEN), axis=-1) for m in members],
                       axis=-1)  # [b, groups]
    best = ops.argmax(totals, axis=-1)  # [b]
    chosen = ops.zeros_like(logits, dtype="bool")
    for number, member in enumerate(members):
        chosen = ops.logical_or(chosen, ops.logical_and(ops.equal(best, number)[:, None], member))
    return ops.where(chosen, logits, FORBIDDEN)


def _position_mask(boundaries, k):
    """boundaries bool [b, L], k int [1, V] -> bool [b, V]: boundaries[:, k] where 0 <= k < L,
    True elsewhere."""
    boundaries = ops.cast(boundaries, "bool")
    length = ops.shape(boundaries)[1]
    gathered = ops.take(boundaries, ops.clip(k[0], 0, length - 1), axis=1)
    return ops.logical_or(gathered, ops.logical_or(k < 0, k >= length))


def _vocab_mask(table, vocab: int):
    """table bool [V'] -> [1, vocab], cut or padded with False."""
    table = ops.cast(table, "bool")
    size = int(table.shape[0])
    if size >= vocab:
        return table[None, :vocab]
    return ops.pad(table, [[0, vocab - size]], constant_values=False)[None, :]
