"""Beam search with a length penalty, over the cached model under XLA.

Per row, `beam_size` alive hypotheses are extended each step. Of the 2 * beam_size best
extensions (by summed log-probability), those ending in EOS that rank among the first beam_size
become finished hypotheses (the rule of HF's beam scorer: with beam_size 1 beam search is exactly
greedy search), and the best beam_size extensions not ending in EOS stay alive. The cache rows
follow their hypotheses (`reorder_cache`). A finished hypothesis of n tokens (EOS included) scores

    log P(tokens) / length_penalty(n),  length_penalty(n) = ((5 + n) / 6) ** alpha

(GNMT, Wu et al. 2016, as in T5X's `brevity_penalty`); alpha = 0 ranks by log-probability,
larger alpha favours longer outputs. A row is done when its worst finished score beats the best
score any alive hypothesis could still reach (its log-probability only falls, and for alpha >= 0
the penalty is largest at max_decode_length); the loop stops when every row is done or after
max_decode_length steps. Rows that end without beam_size finished hypotheses fill the remaining
places with their alive ones (scored at length max_decode_length).
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf
from keras import ops

from textedit.decoding.decode_loop import (
    EOS_ID,
    PAD_ID,
    START_ID,
    LogitsProcessor,
    StepFn,
    decode_loop,
    start_decoding,
    xla_function,
)

NEG_INF = -1e9  # finite, so that arithmetic on empty hypotheses never gives NaN


def length_penalty(length, alpha: float):
    """((5 + length) / 6) ** alpha, float32 (length: number of tokens, EOS included)."""
    return ops.power((5.0 + ops.cast(length, "float32")) / 6.0, alpha)


def _gather_beams(x, indices):
    """x [b, n, ...], indices int [b, m] -> [b, m, ...]: row i takes x[i, indices[i, j]]."""
    return tf.gather(x, indices, axis=1, batch_dims=1)


def beam_search_loop(step_fn: StepFn, reorder_fn: Callable, cache, batch_size: int,
                     beam_size: int, max_decode_length: int, *, alpha: float = 0.6,
                     eos_id: int = EOS_ID, pad_id: int = PAD_ID, start_id: int = START_ID,
                     logits_processor: LogitsProcessor | None = None):
    """Beam search over a cached step function (traceable; compile it inside your graph).

    Args:
      step_fn: (token [b * beam, 1], cache, index) -> (logits [b * beam, vocab], cache).
      reorder_fn: (cache, indices int [b * beam]) -> cache whose row r is row indices[r]; indices
        stay within each example's beams (e.g. `T5EncoderDecoder.reorder_cache`).
      cache: for b * beam_size rows, each example's beams adjacent (`start_decoding(...,
        repeat=beam_size)`).
      batch_size, beam_size, max_decode_length: static sizes; vocab must be >= 2 * beam_size.
      alpha: length penalty exponent, >= 0.
      logits_processor: applied to logits [b * beam, vocab] with generated [b * beam, L].

    Returns:
      (sequences int32 [b, beam_size, max_decode_length], scores float32 [b, beam_size]), best
      first; sequences read tokens, EOS, then pad.
    """
    b, k, length = batch_size, beam_size, max_decode_length
    max_penalty = length_penalty(length, alpha)
    state = {
        "index": ops.convert_to_tensor(0, "int32"),
        "cache": cache,
        "alive_seq": ops.full((b, k, length), pad_id, "int32"),
        # Only beam 0 is live at first: the beams start identical.
        "alive_log_probs": ops.tile(ops.convert_to_tensor([[0.0] + [NEG_INF] * (k - 1)]), (b, 1)),
        "finished_seq": ops.full((b, k, length), pad_id, "int32"),
        "finished_scores": ops.full((b, k), NEG_INF, "float32"),
    }
    state["token"] = ops.full((b * k, 1), start_id, "int32")

    def body(state):
        index = state["index"]
        logits, cache = step_fn(state["token"], state["cache"], index)
        logits = ops.cast(logits, "float32")
        if logits_processor is not None:
            logits = logits_processor(logits, index, ops.reshape(state["alive_seq"], (b * k, -1)))
        vocab = logits.shape[-1]
        log_probs = ops.log_softmax(logits, axis=-1)
        candidates = state["alive_log_probs"][:, :, None] + ops.reshape(log_probs, (b, k, vocab))
        top_log_probs, top_ids = ops.top_k(ops.reshape(candidates, (b, k * vocab)), 2 * k)
        top_beams, top_tokens = top_ids // vocab, ops.cast(top_ids % vocab, "int32")
        top_seq = _gather_beams(state["alive_seq"], top_beams)  # [b, 2k, L]
        top_seq = ops.slice_update(top_seq, (0, 0, index), top_tokens[:, :, None])
        ends = ops.equal(top_tokens, eos_id)

        # Alive: the k best extensions that do not end in EOS (at most k of 2k end in EOS).
        alive_log_probs, alive_pos = ops.top_k(ops.where(ends, NEG_INF, top_log_probs), k)
        source_beams = _gather_beams(top_beams, alive_pos)  # [b, k]
        rows = ops.arange(b, dtype="int32")[:, None] * k + ops.cast(source_beams, "int32")
        cache = reorder_fn(cache, ops.reshape(rows, (b * k,)))

        # Finished: EOS extensions among the first k ranks, merged with the previous ones.
        in_top_k = ops.arange(2 * k)[None, :] < k
        new_scores = ops.where(ops.logical_and(ends, in_top_k),
                               top_log_probs / length_penalty(index + 1, alpha), NEG_INF)
        all_scores = ops.concatenate([state["finished_scores"], new_scores], axis=1)
        all_seq = ops.concatenate([state["finished_seq"], top_seq], axis=1)
        finished_scores, finished_pos = ops.top_k(all_scores, k)
        return {
            "index": index + 1,
            "cache": cache,
            "alive_seq": _gather_beams(top_seq, alive_pos),
            "alive_log_probs": alive_log_probs,
            "finished_seq": _gather_beams(all_seq, finished_pos),
            "finished_scores": finished_scores,
            "token": ops.reshape(_gather_beams(top_tokens, alive_pos), (b * k, 1)),
        }

    def is_done(state):
        worst_finished = ops.min(state["finished_scores"], axis=1)
        best_reachable = state["alive_log_probs"][:, 0] / max_penalty
        return ops.all(worst_finished > best_reachable)

    final = decode_loop(body, state, is_done, max_decode_length)
    # Empty finished places (NEG_INF) go to alive hypotheses, scored at the full length; a done
    # row's alive hypotheses score below all its finished ones, so it keeps those.
    scores = ops.concatenate(
        [final["finished_scores"], final["alive_log_probs"] / max_penalty], axis=1)
    sequences = ops.concatenate([final["finished_seq"], final["alive_seq"]], axis=1)
    scores, order = ops.top_k(scores, k)
    return _gather_beams(sequences, order), scores


def _beam_search_decode(model, encoder_tokens, max_decode_length, beam_size, alpha, eos_id,
                        logits_processor):
    cache, _ = start_decoding(model, encoder_tokens, max_decode_length, repeat=beam_size)
    return beam_search_loop(model.decode_step, model.reorder_cache, cache,
                            encoder_tokens.shape[0], beam_size, max_decode_length, alpha=alpha,
                            eos_id=eos_id, start_id=model.config.decoder_start_id,
                            logits_processor=logits_processor)


beam_search_decode_xla = xla_function(_beam_search_decode)


def beam_search_decode(model, encoder_tokens, max_decode_length: int, *, beam_size: int = 4,
                       alpha: float = 0.6, eos_id: int = EOS_ID,
                       logits_processor: LogitsProcessor | None = None):
    """Beam search over a batch, compiled with XLA (`beam_search_decode_xla`).

    Args:
      model: a `T5EncoderDecoder` (or any model with the methods in `decode_loop`'s docstring).
      encoder_tokens: int [b, s], 0 = padding.
      max_decode_length: output length and maximum number of steps.
      beam_size: hypotheses per row; alpha: length penalty exponent (module docstring).
      eos_id, logits_processor: as `greedy_decode` (the processor sees b * beam_size rows).

    Returns:
      (sequences int32 [b, beam_size, max_decode_length], scores float32 [b, beam_size]), best
      first: `sequences[:, 0]` is the answer.
    """
    tokens = tf.convert_to_tensor(encoder_tokens, tf.int32)
    return beam_search_decode_xla(model, tokens, max_decode_length, int(beam_size), float(alpha),
                                  eos_id, logits_processor)
