"""The loop every decoding algorithm runs, and the per-token loop of greedy search and sampling.

Shapes are static throughout (XLA): the output buffer is [batch, max_decode_length] from the start,
the model's caches are allocated at full length, and the loop is a `while_loop` with
`maximum_iterations=max_decode_length` that also stops as soon as every row is finished. A row is
finished once it has produced `eos_id` (T5: 1); from then on it emits `pad_id` (0), so a sequence
reads `tokens..., EOS, 0, 0, ...`, or has no EOS when it reached `max_decode_length`.

The loops take the model as functions, so any cached decoder (T5, EdiT5's insertion decoder) can
use them inside a larger compiled graph:

    step_fn(token int32 [b, 1], cache, index int32 []) -> (logits float32 [b, vocab], cache)
    logits_processor(logits float32 [b, vocab], index int32 [], generated int32 [b, max_length])
        -> logits [b, vocab]

`generated` holds the tokens chosen so far (positions < index; pad after). A processor forbids a
token by setting its logit to a large negative value (use -1e9 rather than -inf, which turns into
NaN when a whole row is forbidden). Processors run inside the compiled graph: write them with
`keras.ops` / TensorFlow ops, no Python control flow on tensor values.

Models for the `*_decode` entry points provide `encode(tokens) -> (hidden, mask)`,
`init_cache(batch, max_length, hidden, mask)`, `decode_step(token, cache, index)`,
`config.decoder_start_id` and, for beam search, `reorder_cache(cache, indices)` (see
`textedit.models.t5.t5_encoder_decoder`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tensorflow as tf
from keras import ops

PAD_ID = 0
EOS_ID = 1
START_ID = 0  # T5 starts decoding with the pad id

StepFn = Callable[[Any, Any, Any], tuple[Any, Any]]
LogitsProcessor = Callable[[Any, Any, Any], Any]


def decode_loop(body: Callable[[dict], dict], state: dict, is_done: Callable[[dict], Any],
                max_decode_length: int) -> dict:
    """Runs `state = body(state)` at most `max_decode_length` times, until `is_done(state)`.

    Args:
      body: one decoding step; must keep every shape and dtype of `state` and advance
        `state["index"]` (int32 []) by one.
      state: dict of tensors (nested lists/dicts allowed, e.g. the model's cache).
      is_done: state -> bool [] (e.g. all rows finished), checked before each step.
      max_decode_length: the fixed maximum number of iterations (a Python int).

    Returns:
      the final state.
    """
    return ops.while_loop(lambda s: ops.logical_not(is_done(s)), body, state,
                          maximum_iterations=max_decode_length)


def token_loop(step_fn: StepFn, cache: Any, batch_size: int, max_decode_length: int,
               select_fn: Callable[[Any, Any], Any], *, eos_id: int = EOS_ID,
               pad_id: int = PAD_ID, start_id: int = START_ID,
               logits_processor: LogitsProcessor | None = None, return_log_probs: bool = False):
    """One hypothesis per row: feed the last token, pick the next with `select_fn`.

    Args:
      step_fn, cache: the cached model (see the module docstring); cache rows = batch_size.
      batch_size: rows (static).
      max_decode_length: output length and maximum number of steps (static).
      select_fn: (logits float32 [b, vocab], index int32 []) -> int [b], e.g. argmax.
      eos_id, pad_id, start_id: ids; rows stop at eos_id and emit pad_id afterwards.
      logits_processor: optional hook applied to the logits before select_fn.
      return_log_probs: also return each row's Σ log softmax(logits)[token] over its tokens up to
        and including EOS (float32 [batch_size]), from the logits after `logits_processor`: the
        model's own log-probability of the sequence, which RL objectives compare with the
        teacher-forced one (static).

    Returns:
      int32 [batch_size, max_decode_length], EOS included; with return_log_probs, a pair
      (tokens, log-probs float32 [batch_size]).
    """
    state = {
        "index": ops.convert_to_tensor(0, "int32"),
        "token": ops.full((batch_size, 1), start_id, "int32"),
        "cache": cache,
        "sequences": ops.full((batch_size, max_decode_length), pad_id, "int32"),
        "finished": ops.zeros((batch_size,), "bool"),
    }
    if return_log_probs:
        state["log_prob"] = ops.zeros((batch_size,), "float32")

    def body(state):
        index = state["index"]
        logits, cache = step_fn(state["token"], state["cache"], index)
        logits = ops.cast(logits, "float32")
        if logits_processor is not None:
            logits = logits_processor(logits, index, state["sequences"])
        token = ops.where(state["finished"], pad_id, ops.cast(select_fn(logits, index), "int32"))
        new_state = {
            "index": index + 1,
            "token": token[:, None],
            "cache": cache,
            "sequences": ops.slice_update(state["sequences"], (0, index), token[:, None]),
            "finished": ops.logical_or(state["finished"], ops.equal(token, eos_id)),
        }
        if return_log_probs:
            chosen = ops.take_along_axis(ops.log_softmax(logits, axis=-1), token[:, None], axis=-1)
            new_state["log_prob"] = state["log_prob"] + ops.where(state["finished"], 0.0,
                                                                  chosen[:, 0])
        return new_state

    final = decode_loop(body, state, lambda s: ops.all(s["finished"]), max_decode_length)
    if return_log_probs:
        return final["sequences"], final["log_prob"]
    return final["sequences"]


def start_decoding(model, encoder_tokens, max_decode_length: int, repeat: int = 1,
                   output_layer=None):
    """Encodes once and builds the model's cache, each row repeated `repeat` times (beams).

    Args:
      model: provides `encode` and `init_cache` (module docstring).
      encoder_tokens: int [b, s], 0 = padding.
      max_decode_length: the length the self-attention caches are allocated at.
      repeat: copies of each row, adjacent (row r's copies are rows r*repeat .. r*repeat+repeat-1).
      output_layer: optional [vocab_size, d_model], the model's `output_layer_by_vocab()` made
        once outside the call, so that `init_cache` does not transpose the output layer again.

    Returns:
      (cache for b * repeat rows, b * repeat).
    """
    hidden, mask = model.encode(encoder_tokens)
    if repeat > 1:
        hidden = ops.repeat(hidden, repeat, axis=0)
        mask = ops.repeat(mask, repeat, axis=0)
    rows = encoder_tokens.shape[0] * repeat
    extra = {} if output_layer is None else {"output_layer": output_layer}
    return model.init_cache(rows, max_decode_length, hidden, mask, **extra), rows


def xla_function(fn: Callable) -> Callable:
    """`tf.function(fn, jit_compile=True)`: the whole decode (encoder, cache set-up, loop) is one
    XLA computation. Non-tensor arguments (the model, ints, floats, callables) are part of the
    trace key: a new value traces and compiles again; tensors of a new shape do too."""
    return tf.function(fn, jit_compile=True)
