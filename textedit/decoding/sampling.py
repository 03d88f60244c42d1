"""Sampling: temperature, top-k and top-p (nucleus) filtering, reproducible from a seed.

Each step's randomness is a stateless function of (seed, step index), so the same seed, model and
inputs give the same samples on every run, compiled or not. The draw is Gumbel-max:
argmax(logits + Gumbel noise) is a sample of softmax(logits), and filtered tokens (logit -1e9)
can never win. Order per step: logits_processor, temperature, top-k, top-p.
"""

from __future__ import annotations

import tensorflow as tf
from keras import ops

from textedit.decoding.decode_loop import (
    EOS_ID,
    PAD_ID,
    START_ID,
    LogitsProcessor,
    StepFn,
    start_decoding,
    token_loop,
    xla_function,
)

FILTERED_LOGIT = -1e9
# top-p looks for each row's nucleus among the 64 most probable tokens, then among 1,024, and
# sorts the whole vocabulary only when some row's nucleus is larger still: on CPU a full sort of
# [32, 16128] logits took 85 ms against 1.7 ms for the top 64, 10.5 ms for the top 1,024 and
# 4 ms for a mini model's output layer, so it was most of every sampling step; a trained GEC
# model's nucleus at temperature 0.7, top-p 0.9 is one token at the median and 276 at p99
# (docs/algorithms.md#top-p-without-a-full-sort).
TOP_P_CANDIDATES = (64, 1024)


def filter_logits(logits, *, top_k: int = 0, top_p: float = 1.0,
                  candidates: tuple[int, ...] = TOP_P_CANDIDATES):
    """Keeps the top_k most probable tokens, then the smallest set whose probability reaches top_p.

    Args:
      logits: float [b, vocab].
      top_k: tokens kept per row; 0 keeps all (static).
      top_p: probability mass kept per row, in (0, 1]; 1.0 keeps all (static). The most probable
        token is always kept; a token is kept when the tokens more probable than it have less
        than top_p of the mass.
      candidates: the tiers in which top-p looks for each row's nucleus before sorting the whole
        vocabulary (static; () sorts at once, as the definition does). The kept tokens are the
        same whatever the tiers; only the time differs.

    Returns:
      float [b, vocab], the removed tokens' logits set to -1e9 (ties at the cut are kept).
    """
    if top_k > 0:
        kth = ops.top_k(logits, top_k)[0][:, -1:]
        logits = ops.where(logits < kth, FILTERED_LOGIT, logits)
    if top_p < 1.0:
        logits = tf.convert_to_tensor(logits)
        # The softmax of the sorted row, as a full sort computes it, from its top `count`.
        largest = ops.max(logits, axis=-1, keepdims=True)  # [b, 1]
        normaliser = ops.sum(ops.exp(logits - largest), axis=-1, keepdims=True)

        def nucleus_among(count: int):
            """The lowest kept logit [b, 1] if the nucleus lies among the `count` most probable
            tokens, and whether it does [b] (the count-th token is not kept)."""
            descending = ops.top_k(logits, count)[0]  # [b, count]
            probs = ops.exp(descending - largest) / normaliser
            mass_before = ops.cumsum(probs, axis=-1) - probs
            kept = ops.where(mass_before < top_p, descending, float("inf"))
            return ops.min(kept, axis=-1, keepdims=True), mass_before[:, -1] >= top_p

        vocab = logits.shape[-1]  # static, as before: the full sort's size

        def threshold_among(counts: tuple[int, ...]):
            """The threshold from the first of `counts` that holds every row's nucleus; a
            `tf.cond` per tier, so only the tiers needed run."""
            if not counts or counts[0] >= vocab:
                return nucleus_among(vocab)[0]  # a full sort, static size
            threshold, found = nucleus_among(counts[0])
            return tf.cond(tf.reduce_all(found), lambda: threshold,
                           lambda: threshold_among(counts[1:]))

        threshold = threshold_among(tuple(candidates))
        logits = ops.where(logits < threshold, FILTERED_LOGIT, logits)
    return logits


def stateless_seed(seed):
    """A Python int -> the int32 [2] tensor seed of the stateless samplers (its low and high 31
    bits); a seed that already is a pair or a tensor is converted as it is."""
    if isinstance(seed, int):
        seed = [seed % 2**31, (seed // 2**31) % 2**31]
    return tf.convert_to_tensor(seed, tf.int32)


def gumbel_argmax(logits, seed, index):
    """A sample of softmax(logits) [b, vocab] -> int32 [b], a stateless function of
    (seed int [2], index int [])."""
    step_seed = tf.random.experimental.stateless_fold_in(tf.cast(seed, tf.int32), index)
    # Philox, not the auto-selected generator: under XLA on CPU that one took 213 ms per
    # [32, 16128] draw against 1.7 ms (`textedit benchmark random`;
    # docs/algorithms.md#random-numbers-on-cpu).
    uniform = tf.random.stateless_uniform(tf.shape(logits), seed=step_seed,
                                          minval=tf.experimental.numpy.finfo(tf.float32).tiny,
                                          maxval=1.0, dtype=tf.float32, alg="philox")
    gumbel = -ops.log(-ops.log(uniform))
    return ops.cast(ops.argmax(logits + gumbel, axis=-1), "int32")


def sampling_loop(step_fn: StepFn, cache, batch_size: int, max_decode_length: int, seed, *,
                  temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0,
                  eos_id: int = EOS_ID, pad_id: int = PAD_ID, start_id: int = START_ID,
                  logits_processor: LogitsProcessor | None = None,
                  return_log_probs: bool = False):
    """Sampling over a cached step function (traceable; compile it inside your graph).

    Args:
      seed: int [2] tensor (a stateless seed).
      temperature: > 0; logits are divided by it (static).
      top_k, top_p: see `filter_logits` (static).
      return_log_probs: also return the model's log-probability of each sample, float32
        [batch_size] (`token_loop`; at temperature 1 without top-k / top-p it is the
        log-probability of the distribution sampled from).
      others: as `decode_loop.token_loop`.

    Returns:
      int32 [batch_size, max_decode_length], or (tokens, log-probs) with return_log_probs.
    """
    if temperature <= 0:
        raise ValueError(f"temperature={temperature}: expected > 0 (use greedy decoding for 0)")

    def select(logits, index):
        if temperature != 1.0:
            logits = logits / temperature
        return gumbel_argmax(filter_logits(logits, top_k=top_k, top_p=top_p), seed, index)

    return token_loop(step_fn, cache, batch_size, max_decode_length, select, eos_id=eos_id,
                      pad_id=pad_id, start_id=start_id, logits_processor=logits_processor,
                      return_log_probs=return_log_probs)


def _sample_decode(model, encoder_tokens, seed, max_decode_length, temperature, top_k, top_p,
                   eos_id, logits_processor):
    cache, rows = start_decoding(model, encoder_tokens, max_decode_length)
    return sampling_loop(model.decode_step, cache, rows, max_decode_length, seed,
                         temperature=temperature, top_k=top_k, top_p=top_p, eos_id=eos_id,
                         start_id=model.config.decoder_start_id,
                         logits_processor=logits_processor)


sample_decode_xla = xla_function(_sample_decode)


def sample_decode(model, encoder_tokens, max_decode_length: int, *, seed, temperature: float = 1.0,
                  top_k: int = 0, top_p: float = 1.0, eos_id: int = EOS_ID,
                  logits_processor: LogitsProcessor | None = None) -> tf.Tensor:
    """Samples one continuation per row, compiled with XLA (`sample_decode_xla`).

    Args:
      model: a `T5EncoderDecoder` (or any model with the methods in `decode_loop`'s docstring).
      encoder_tokens: int [b, s], 0 = padding.
      max_decode_length: output length and maximum number of steps.
      seed: a Python int or an int [2] tensor; the same seed gives the same samples. The seed is
        a tensor argument of the compiled function, so a new seed does not recompile.
      temperature, top_k, top_p: see `sampling_loop`; a new value compiles again.
      eos_id, logits_processor: as `greedy_decode`.

    Returns:
      int32 [b, max_decode_length]: tokens, EOS, then pad (0).
    """
    tokens = tf.convert_to_tensor(encoder_tokens, tf.int32)
    return sample_decode_xla(model, tokens, stateless_seed(seed), max_decode_length,
                             float(temperature), int(top_k), float(top_p), eos_id,
                             logits_processor)
