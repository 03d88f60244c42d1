"""Decoding with every row's number of decoder steps fixed in advance ("forced" lengths).

For benchmarks: an untrained model decodes a random number of steps (often all of them), so to
time it doing the work a trained model would do, each row is made to emit EOS exactly at the step
its gold output ends. Everything else (encoder, cache, loop, the other logits) runs as usual.

    tokens = forced_greedy_decode(model, encoder_tokens, lengths, max_decode_length)
    outputs = forced_edit_step(edit5_model, encoder_tokens, insert_lengths, max_insert_length)
    processor = forced_length_processor(lengths)       # a decode_loop logits processor

`lengths` int [b] counts decoder steps including the EOS step: row r emits EOS at step
lengths[r] - 1 (0-based) and never before, so its output is lengths[r] - 1 tokens then EOS. A
length of 1 emits EOS at once. Lengths must lie in 1 .. max_decode_length (the Python wrappers
check numpy/eager inputs); a longer one never reaches its EOS step and the row runs to the end.

`forced_edit_step` is `edit_inference.edit_loop` (encoder, tagger, pointer, order decoding,
re-order layer, position-constrained greedy insertion decoding) unchanged, compiled with XLA, with
the insertion decoder's logits passed through `force_length` before the position constraint. Tags
and order are the model's own predictions; only the insertion length is forced.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from keras import ops

from textedit.decoding.decode_loop import EOS_ID, LogitsProcessor, start_decoding, xla_function
from textedit.decoding.edit_inference import EditOutputs, edit_loop
from textedit.decoding.greedy import greedy_loop

FORBIDDEN = -1e9  # not -inf: a fully forbidden row would turn into NaN


def force_length(logits, index, lengths, eos_id: int = EOS_ID):
    """Logits with EOS forbidden before each row's last step and everything else at it.

    Args:
      logits: float [b, vocab] for the token chosen at step `index`.
      index: int32 [], the step (0-based).
      lengths: int [b], steps including EOS.
      eos_id: the EOS id.

    Returns:
      float32 [b, vocab]: where index < lengths - 1 the EOS logit is FORBIDDEN; where
      index == lengths - 1 every logit but EOS is FORBIDDEN (EOS set to 0); else unchanged.
    """
    logits = ops.cast(logits, "float32")
    last = ops.cast(lengths, "int32")[:, None] - 1  # [b, 1]
    is_eos = ops.equal(ops.arange(logits.shape[-1], dtype="int32")[None, :], eos_id)  # [1, V]
    before = ops.logical_and(is_eos, index < last)
    at_last = ops.equal(index, last)
    logits = ops.where(before, FORBIDDEN, logits)
    return ops.where(at_last, ops.where(is_eos, 0.0, FORBIDDEN), logits)


def forced_length_processor(lengths, eos_id: int = EOS_ID) -> LogitsProcessor:
    """A `decode_loop` logits processor applying `force_length` with `lengths` int [b]."""

    def processor(logits, index, generated):
        return force_length(logits, index, lengths, eos_id)

    return processor


def _check_lengths(lengths, max_length: int) -> tf.Tensor:
    lengths = tf.convert_to_tensor(lengths, tf.int32)
    if tf.executing_eagerly():
        values = np.asarray(lengths)
        if values.size and (values.min() < 1 or values.max() > max_length):
            raise ValueError(f"forced lengths must lie in 1 .. {max_length}; got "
                             f"{values.min()} .. {values.max()}")
    return lengths


def _forced_greedy_decode(model, encoder_tokens, lengths, max_decode_length, eos_id,
                          output_layer=None):
    cache, rows = start_decoding(model, encoder_tokens, max_decode_length,
                                 output_layer=output_layer)
    return greedy_loop(model.decode_step, cache, rows, max_decode_length, eos_id=eos_id,
                       start_id=model.config.decoder_start_id,
                       logits_processor=forced_length_processor(lengths, eos_id))


forced_greedy_decode_xla = xla_function(_forced_greedy_decode)


def forced_greedy_decode(model, encoder_tokens, lengths, max_decode_length: int, *,
                         eos_id: int = EOS_ID, output_layer=None) -> tf.Tensor:
    """`greedy_decode` with row r's EOS forced at step lengths[r] - 1 (one XLA computation).

    Args:
      model: a `T5EncoderDecoder` (see `greedy.greedy_decode`).
      encoder_tokens: int [b, s], 0 = padding.
      lengths: int [b], decoder steps including EOS, each in 1 .. max_decode_length.
      max_decode_length: output length and cache length.
      output_layer: optional, as in `greedy.greedy_decode`.

    Returns:
      int32 [b, max_decode_length]: lengths[r] - 1 tokens, EOS, then pad (0).
    """
    tokens = tf.convert_to_tensor(encoder_tokens, tf.int32)
    lengths = _check_lengths(lengths, max_decode_length)
    return forced_greedy_decode_xla(model, tokens, lengths, max_decode_length, eos_id,
                                    output_layer)


class _ForcedInsertionDecoder:
    """The EdiT5 model as `edit_loop` sees it, with `force_length` applied to every insertion
    decoding step's logits (before edit_loop's position constraint, which never touches EOS)."""

    def __init__(self, model, lengths):
        self._model = model
        self._lengths = lengths

    def __getattr__(self, name):
        return getattr(self._model, name)

    def decode_step(self, token, cache, index):
        logits, cache = self._model.decode_step(token, cache, index)
        return force_length(logits, index, self._lengths, self._model.config.t5.eos_id), cache


def forced_edit_loop(model, encoder_input_tokens, lengths, max_insert_length: int,
                     insertion_vocabulary=None) -> EditOutputs:
    """`edit_loop` with the insertion decoder's EOS forced at step lengths[r] - 1 (traceable)."""
    return edit_loop(_ForcedInsertionDecoder(model, ops.cast(lengths, "int32")),
                     encoder_input_tokens, max_insert_length,
                     insertion_vocabulary=insertion_vocabulary)


forced_edit_step_xla = xla_function(forced_edit_loop)


def forced_edit_step(model, encoder_input_tokens, lengths, max_insert_length: int,
                     insertion_vocabulary=None) -> EditOutputs:
    """`edit_step` with forced insertion lengths, compiled with XLA.

    Args:
      model: an `Edit5Model`.
      encoder_input_tokens: int [b, L]: pieces, EOS, padding 0.
      lengths: int [b], insertion decoder steps including EOS (`<pos_k>`, pieces, EOS), each in
        1 .. max_insert_length.
      max_insert_length: T, insertion steps and cache length.
      insertion_vocabulary: optional `InsertionVocabulary` (`edit_loop`).

    Returns:
      EditOutputs (tags, pointers, order [b, L]; insertion_tokens [b, T] with EOS at
      lengths[r] - 1).
    """
    tokens = tf.convert_to_tensor(encoder_input_tokens, tf.int32)
    lengths = _check_lengths(lengths, max_insert_length)
    extra = {} if insertion_vocabulary is None else {"insertion_vocabulary": insertion_vocabulary}
    return forced_edit_step_xla(model, tokens, lengths, max_insert_length, **extra)
