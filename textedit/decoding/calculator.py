"""Decoding with GSM8K's calculator: when the model writes `=` inside an open `<<`, the calculator
computes the expression and writes `result>>result` into the output; the model then goes on.
GSM8K's solutions write each result again after the annotation (`<<48/2=24>>24`, 98% of the
training annotations; most others add thousands separators), so the calculator writes that copy
too: a small model that cannot yet copy a number three pieces back would otherwise spoil the
result it was given (`<<8*14=112>>11`). `repeat_result=False` writes only `result>>`, as Cobbe
et al.'s released sampler does.

    tokens = calculator_decode(model, vocabulary, encoder_tokens, max_decode_length=256)
    tokens = calculator_decode(model, vocabulary, encoder_tokens, 256,
                               sampling=SamplingSettings(seed=3, temperature=0.7))
    decode_fn = calculator_decode_fn(max_decode_length=256, vocabulary=vocabulary)  # evaluation

How (Cobbe et al. 2021, as in their released sampler, with batches and XLA): decoding runs in
passes of the ordinary compiled loop (greedy or sampling, `decode_loop.token_loop`) with a
`logits_processor` that (a) forces each row's prefix, the text decided so far, and (b) ends a row
with EOS right after it freely generated a piece containing `=` while an annotation is open (per-
piece tables say which pieces open "<", close ">" or contain "="). Between passes, in Python,
each paused row's text is cut after that `=`; when it ends an open annotation whose expression
evaluates (`calculator_text`), `result>>` is appended, the text is encoded again and becomes the
row's new prefix; otherwise the row's own pieces are kept and it continues without a result.
Rows that ended with their own EOS (or reached `max_decode_length`) are done and are forced to
EOS at once in later passes. Every pass is the same XLA program (prefixes and tables are tensor
arguments), compiled once per batch shape; a batch costs one pass per calculator call of its
busiest row (at most `max_calls`), each pass a full decode of the prefix. Without any `<<`
in the output this is exactly greedy decoding (or sampling with the same seed).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import tensorflow as tf
from keras import ops

from textedit.decoding.calculator_text import CLOSE, EQUALS, OPEN, calculator_result
from textedit.decoding.decode_loop import EOS_ID, PAD_ID, start_decoding, xla_function
from textedit.decoding.greedy import greedy_loop
from textedit.decoding.sampling import FILTERED_LOGIT, sampling_loop, stateless_seed


@dataclasses.dataclass(frozen=True)
class SamplingSettings:
    """Sampling instead of greedy search (see `textedit.decoding.sampling`)."""

    seed: int = 0
    temperature: float = 1.0
    top_k: int = 0
    top_p: float = 1.0


def piece_text(tokenizer, i: int) -> str:
    """The text of piece `i`: byte-fallback pieces ("<0x3C>") as their character."""
    piece = tokenizer.id_to_piece(i)
    if tokenizer.is_byte(i):
        return chr(int(piece[3:-1], 16))
    return piece


def piece_tables(vocabulary, rows: int) -> np.ndarray:
    """int32 [3, rows]: per id, whether its piece leaves an annotation open (its last "<" after
    its last ">"), closes one (the reverse) and contains "=". Single brackets count, so that
    "<<" split over two pieces (a small vocabulary's "<", "<") still opens; a false alarm only
    costs a pass, since the text decides (`calculator_text`). Ids past the SentencePiece model
    (sentinels, padding rows) are 0."""
    tables = np.zeros((3, rows), np.int32)
    tokenizer = vocabulary.tokenizer
    for i in range(min(rows, tokenizer.get_piece_size())):
        text = piece_text(tokenizer, i)
        tables[0, i] = text.rfind(OPEN[0]) > text.rfind(CLOSE[0])
        tables[1, i] = text.rfind(CLOSE[0]) > text.rfind(OPEN[0])
        tables[2, i] = EQUALS in text
    return tables


_TABLES: dict = {}  # (vocabulary id, model file, rows) -> piece_tables, built once per process


def _cached_tables(vocabulary, rows: int) -> np.ndarray:
    key = (id(vocabulary), getattr(vocabulary, "sentencepiece_model_file", None), rows)
    if key not in _TABLES:
        _TABLES[key] = piece_tables(vocabulary, rows)
    return _TABLES[key]


def calculator_processor(prefix, prefix_length, tables, eos_id: int = EOS_ID):
    """The logits processor of one pass (module docstring).

    Args:
      prefix: int32 [b, L], each row's forced pieces (then anything).
      prefix_length: int32 [b]; -1 marks a finished row (EOS at once).
      tables: int32 [3, vocab] from `piece_tables`.

    Returns:
      processor(logits [b, vocab], index int32 [], generated int32 [b, L]) -> logits [b, vocab].
    """
    opens, closes, equals = tables[0], tables[1], tables[2]

    def process(logits, index, generated):
        vocab = ops.shape(logits)[-1]
        length = ops.shape(generated)[1]
        forced = ops.take(prefix, ops.minimum(index, length - 1), axis=1)  # [b]
        in_prefix = index < prefix_length
        previous = ops.take(generated, ops.maximum(index - 1, 0), axis=1)  # [b]
        before = ops.arange(length, dtype="int32")[None, :] < index - 1   # pieces before it
        positions = ops.arange(length, dtype="int32")[None, :]
        last_open = ops.max(ops.where(before & (ops.take(opens, generated) > 0), positions, -1),
                            axis=1)
        last_close = ops.max(ops.where(before & (ops.take(closes, generated) > 0), positions,
                                       -1), axis=1)
        was_open = (last_open > last_close) | (ops.take(opens, previous) > 0)
        pause = ((index > prefix_length) & (index > 0) & was_open
                 & (ops.take(equals, previous) > 0))
        target = ops.where(in_prefix, forced, eos_id)
        force = in_prefix | pause | (prefix_length < 0)
        only_target = ops.where(ops.arange(vocab, dtype="int32")[None, :] == target[:, None],
                                0.0, FILTERED_LOGIT)
        return ops.where(force[:, None], only_target, logits)

    return process


def _calculator_pass(model, encoder_tokens, prefix, prefix_length, tables, seed,
                     max_decode_length, sampling, eos_id):
    cache, rows = start_decoding(model, encoder_tokens, max_decode_length)
    processor = calculator_processor(prefix, prefix_length, tables, eos_id)
    start = model.config.decoder_start_id
    if sampling is None:
        return greedy_loop(model.decode_step, cache, rows, max_decode_length, eos_id=eos_id,
                           start_id=start, logits_processor=processor)
    temperature, top_k, top_p = sampling
    return sampling_loop(model.decode_step, cache, rows, max_decode_length, seed,
                         temperature=temperature, top_k=top_k, top_p=top_p, eos_id=eos_id,
                         start_id=start, logits_processor=processor)


calculator_pass_xla = xla_function(_calculator_pass)


def _pieces(row: np.ndarray, eos_id: int) -> list[int]:
    """The pieces of an output row before its first EOS / pad."""
    ids = row.tolist()
    for stop in (eos_id, PAD_ID):
        if stop in ids:
            ids = ids[:ids.index(stop)]
    return ids


def continue_after_pause(vocabulary, pieces: list[int],
                         repeat_result: bool = True) -> tuple[list[int], bool]:
    """The next prefix of a row that paused after its last piece (which contains `=`), and
    whether the calculator wrote a result (else the row keeps its own pieces); the result is
    written after `>>` again with `repeat_result` (module docstring)."""
    text = vocabulary.decode(pieces)
    before = vocabulary.decode(pieces[:-1])
    equals = text.find(EQUALS, len(before)) if text.startswith(before) else -1
    result = calculator_result(text[:equals + 1]) if equals >= 0 else None
    if result is None:
        return pieces, False
    written = text[:equals + 1] + result + CLOSE + (result if repeat_result else "")
    return list(vocabulary.encode(written)), True


def calculator_decode(model, vocabulary, encoder_tokens, max_decode_length: int, *,
                      sampling: SamplingSettings | None = None, eos_id: int = EOS_ID,
                      max_calls: int = 32, calls: list | None = None,
                      repeat_result: bool = True) -> np.ndarray:
    """Decodes a batch with the calculator (module docstring).

    Args:
      model: a `T5EncoderDecoder` (or any model with the methods in `decode_loop`'s docstring).
      vocabulary: the SentencePiece vocabulary of the targets (decodes and encodes the text).
      encoder_tokens: int [b, s], 0 = padding.
      max_decode_length: output length L.
      sampling: None for greedy decoding, else the sampling settings (the seed is a tensor: a new
        seed does not recompile).
      max_calls: passes after the first (calculator pauses) at most; a row that pauses in the
        last pass keeps what it has, ended by EOS.
      calls: if a list, the number of results the calculator wrote per row is appended to it.
      repeat_result: write `result>>result` (True) or `result>>` (module docstring).

    Returns:
      int32 [b, L]: pieces, EOS, then pad (0), like `greedy_decode`.
    """
    encoder_tokens = tf.convert_to_tensor(encoder_tokens, tf.int32)
    rows = int(encoder_tokens.shape[0])
    table_values = _cached_tables(vocabulary, model.config.vocab_size)
    tables = tf.constant(table_values)
    seed = stateless_seed(SamplingSettings().seed if sampling is None else sampling.seed)
    static = None if sampling is None else (float(sampling.temperature), int(sampling.top_k),
                                            float(sampling.top_p))
    prefix = np.zeros((rows, max_decode_length), np.int32)
    prefix_length = np.zeros(rows, np.int32)  # -1: the row is done
    output = np.zeros((rows, max_decode_length), np.int32)
    results = [0] * rows
    has_equals = table_values[2]
    for attempt in range(max_calls + 1):
        tokens = np.asarray(calculator_pass_xla(
            model, encoder_tokens, tf.constant(prefix), tf.constant(prefix_length), tables, seed,
            max_decode_length, static, eos_id))
        for row in np.flatnonzero(prefix_length >= 0):
            pieces = _pieces(tokens[row], eos_id)
            ended = len(pieces) < max_decode_length and tokens[row, len(pieces)] == eos_id
            # An EOS right after a new piece with "=": the processor's pause (or the model's own
            # EOS there, which the next pass, forcing the same pieces, gives back).
            if (ended and len(pieces) > prefix_length[row] and has_equals[pieces[-1]]
                    and attempt < max_calls):
                pieces, wrote = continue_after_pause(vocabulary, pieces, repeat_result)
                results[row] += wrote
                if len(pieces) < max_decode_length:
                    prefix[row] = 0
                    prefix[row, :len(pieces)] = pieces
                    prefix_length[row] = len(pieces)
                    continue
                output[row] = pieces[:max_decode_length]  # full: no room for EOS
            else:
                output[row] = tokens[row]
            prefix_length[row] = -1
        if not (prefix_length >= 0).any():
            break
    if calls is not None:
        calls.extend(results)
    return output


def calculator_decode_fn(max_decode_length: int, vocabulary,
                         sampling: SamplingSettings | None = None,
                         repeat_result: bool = True) -> Callable:
    """An evaluation decode function (textedit.training.evaluation.DecodeFn) with the calculator:
    (model, features with "encoder_input_tokens" [b, s]) -> int32 [b, max_decode_length]."""

    def decode(model, features):
        return calculator_decode(model, vocabulary, features["encoder_input_tokens"],
                                 max_decode_length, sampling=sampling,
                                 repeat_result=repeat_result)

    return decode
