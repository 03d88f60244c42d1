"""Greedy decoding: cached and compiled == non-cached; rows independent; hook; XLA; the output
layer made once decodes as the per-call one."""

import numpy as np
import tensorflow as tf
from decoding_cases import LENGTHS, MAX_LENGTH, eos_processor, reference_greedy
from keras import ops

from textedit.decoding import greedy_decode, greedy_decode_xla


def test_cached_greedy_equals_non_cached_step_by_step_argmax(model, encoder_tokens):
    tokens = np.asarray(greedy_decode(model, encoder_tokens, MAX_LENGTH,
                                      logits_processor=eos_processor))
    np.testing.assert_array_equal(
        tokens, reference_greedy(model, encoder_tokens, MAX_LENGTH, eos_processor))
    # The batch exercises early stopping: rows end at different steps, one never does.
    eos_steps = [list(row).index(1) if 1 in row else None for row in tokens]
    assert eos_steps[0] != eos_steps[1] and None in eos_steps and eos_steps.count(None) < 3


def test_finished_rows_emit_padding(model, encoder_tokens):
    tokens = np.asarray(greedy_decode(model, encoder_tokens, MAX_LENGTH,
                                      logits_processor=eos_processor))
    for row in tokens:
        if 1 in row:
            assert not row[list(row).index(1) + 1:].any()


def test_each_row_decodes_as_it_would_alone(model, encoder_tokens):
    batch = np.asarray(greedy_decode(model, encoder_tokens, MAX_LENGTH,
                                     logits_processor=eos_processor))
    for row, length in enumerate(LENGTHS):
        alone = greedy_decode(model, encoder_tokens[row:row + 1, :length], MAX_LENGTH,
                              logits_processor=eos_processor)
        np.testing.assert_array_equal(batch[row:row + 1], alone)


def test_logits_processor_can_forbid_a_token(model, encoder_tokens):
    plain = np.asarray(greedy_decode(model, encoder_tokens, MAX_LENGTH))
    banned = int(np.bincount(plain.ravel()).argmax())

    def forbid(logits, index, generated):
        return ops.where(ops.arange(logits.shape[-1]) == banned, -1e9, logits)

    tokens = np.asarray(greedy_decode(model, encoder_tokens, MAX_LENGTH, logits_processor=forbid))
    assert banned not in tokens and banned in plain


def test_the_whole_decode_is_one_xla_computation_with_a_loop(model, encoder_tokens):
    assert isinstance(greedy_decode_xla, tf.types.experimental.PolymorphicFunction)
    hlo = greedy_decode_xla.experimental_get_compiler_ir(
        model, tf.constant(encoder_tokens), MAX_LENGTH, 1, eos_processor, None)(stage="hlo")
    assert "while" in hlo


def test_the_output_layer_made_once_decodes_as_the_per_call_one(model, encoder_tokens):
    from textedit.decoding.forced_length import forced_greedy_decode

    layer = model.output_layer_by_vocab()
    assert tuple(layer.shape) == (model.config.vocab_size, model.config.d_model)
    per_call = np.asarray(greedy_decode(model, encoder_tokens, MAX_LENGTH))
    np.testing.assert_array_equal(
        np.asarray(greedy_decode(model, encoder_tokens, MAX_LENGTH, output_layer=layer)),
        per_call)
    lengths = tf.constant([3, 5, MAX_LENGTH], tf.int32)
    np.testing.assert_array_equal(
        np.asarray(forced_greedy_decode(model, encoder_tokens, lengths, MAX_LENGTH,
                                        output_layer=layer)),
        np.asarray(forced_greedy_decode(model, encoder_tokens, lengths, MAX_LENGTH)))
