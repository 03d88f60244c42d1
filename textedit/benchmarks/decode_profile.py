"""Where greedy T5 decoding spends its time: `textedit benchmark decode --profile`.

The whole decode (encoder, cache set-up, token loop) is one XLA computation, so there is no
per-step host work to see and op-level traces show one opaque cluster. The profile therefore
times ablations of that one computation, each compiled on its own, on the same weights and tokens
(random init, EOS never chosen so every row runs `decode_length` steps):

    full           greedy_decode as users call it
    encode+cache   the encoder and `init_cache` only (cross-attention keys/values, the
                   transposed output layer), reduced to one number so nothing is pruned
    no output      the token loop with the decoder stack but without the output layer and the
                   token choice (the next token is read from the hidden state instead)

and reports the parts by difference: output layer + argmax = full − no output; decoder stack
steps = no output − encode+cache. A second decode length tells whether a step's cost grows with
the length of the cache (attention over masked slots, or cache updates that copy).
"""

from __future__ import annotations

import numpy as np

from textedit.benchmarks.decode_speed import timed


def median_ms(fn, warmup: int, repeats: int) -> float:
    """Median ms of fn() over `repeats` calls, after one compiling call and `warmup` more."""
    fn()  # traces and compiles
    times, _ = timed(fn, warmup, repeats)
    return 1000.0 * float(np.median(times))


def profile_decode(size: str = "small", vocab_size: int = 16128, batch_size: int = 32,
                   input_length: int = 32, decode_lengths: tuple[int, ...] = (32, 64),
                   threads: int | None = 1, warmup: int = 1, repeats: int = 5) -> dict:
    """The ablation timings of the module docstring. With `threads`, call it in a process of its
    own: it sets TensorFlow's thread counts, which only a fresh process allows (None: leave them).
    Returns {"rows": [per decode length: ms of each part]}."""
    import tensorflow as tf

    if threads is not None:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    import keras
    from keras import ops

    from textedit.decoding.decode_loop import start_decoding, token_loop, xla_function
    from textedit.decoding.greedy import first_argmax, greedy_decode_xla
    from textedit.models import T5Config, T5EncoderDecoder

    keras.utils.set_random_seed(0)
    config = T5Config.named(size, vocab_size=vocab_size, dropout_rate=0.0)
    model = T5EncoderDecoder(config)
    tokens = tf.constant(np.random.default_rng(0).integers(
        2, vocab_size, (batch_size, input_length)), tf.int32)
    never = -1  # an EOS id no token has: every row runs all steps

    def encode_and_cache(t, length):
        cache, _ = start_decoding(model, t, length)
        return sum(ops.sum(ops.cast(x, "float32")) for x in tf.nest.flatten(cache))

    def without_output_layer(t, length):
        cache, rows = start_decoding(model, t, length)

        def step(token, cache, index):  # the decoder stack; the "logits" are the hidden state
            hidden, cache = model.decoder.step(model.shared(token), cache, index)
            return ops.cast(hidden[:, 0, :], "float32"), cache

        return token_loop(step, cache, rows, length, lambda h, i: first_argmax(h), eos_id=never)

    encode_xla, stack_xla = xla_function(encode_and_cache), xla_function(without_output_layer)
    rows = []
    for length in decode_lengths:
        full = median_ms(lambda n=length: greedy_decode_xla(model, tokens, n, never, None).numpy(),
                          warmup, repeats)
        encode = median_ms(lambda n=length: encode_xla(tokens, n).numpy(), warmup, repeats)
        stack = median_ms(lambda n=length: stack_xla(tokens, n).numpy(), warmup, repeats)
        rows.append({"decode_length": length, "full_ms": full, "encode_cache_ms": encode,
                     "no_output_layer_ms": stack, "output_layer_ms": full - stack,
                     "decoder_steps_ms": stack - encode,
                     "decoder_step_ms": (stack - encode) / length,
                     "output_layer_step_ms": (full - stack) / length})
    return {"model": f"T5 {size}", "parameters": int(model.count_params()),
            "batch_size": batch_size, "input_length": input_length, "threads": threads,
            "repeats": repeats, "rows": rows}


def format_profile(report: dict) -> str:
    """The profile as a table: each part's ms per batch and share of the full decode."""
    lines = [f"profile: {report['model']} ({report['parameters']:,} parameters), batch "
             f"{report['batch_size']}, input {report['input_length']} tokens, "
             f"{report['threads'] or 'default'} thread(s), median of {report['repeats']}",
             f"{'steps':>6}  {'full ms':>9}  {'encode+cache':>14}  {'decoder stack':>15}  "
             f"{'output layer+argmax':>21}  {'ms/step (stack, output)':>24}"]
    for row in report["rows"]:
        full = row["full_ms"]

        def part(ms, full=full):
            return f"{ms:.1f} ({100 * ms / full:.0f}%)"

        lines.append(f"{row['decode_length']:>6}  {full:>9.1f}  "
                     f"{part(row['encode_cache_ms']):>14}  {part(row['decoder_steps_ms']):>15}  "
                     f"{part(row['output_layer_ms']):>21}  "
                     f"{row['decoder_step_ms']:>11.2f}, {row['output_layer_step_ms']:.2f}")
    return "\n".join(lines)
