"""Where EdiT5's batch-1 inference time goes: `textedit benchmark latency --profile`.

`edit_step` is one XLA computation, so op-level traces show one opaque cluster. As
`decode_profile.py` does for T5, this times ablations of that computation, each compiled on its
own, on the same weights and tokens (random init, seed 0; the insertion decoder's EOS forced at
`insert_steps`, as the latency benchmark forces it), each a prefix of `edit_loop`'s stages reduced
to one number so that nothing is pruned:

    encode         the encoder (`encode_all`)
    + tag          the tagger and the tag decision
    + point        tag fusion and the pointer head (log S, Sinkhorn)
    + order        `order_decoding.decode_order` (the chain loop)
    + reorder      the re-order layer, `insertion_context` and `init_cache` (cross-attention
                   keys/values, the transposed output layer)
    no output      the insertion loop with the decoder stack but without the output layer, the
                   position constraint and the vocabulary argmax (the next token is chosen from
                   the hidden state instead; EOS forced at the same step)
    full           `forced_edit_step`, what the latency benchmark times

and reports the parts by difference (each stage = its prefix − the one before; insertion decoder
stack = no output − reorder; output layer + constraint + argmax = full − no output). Differences
of medians on a shared machine can come out slightly negative for a stage that costs ~nothing.
Optionally the seq2seq full model (same size, forced to `target_steps`) at the same input is
timed too, for the ratio at this one point.
"""

from __future__ import annotations

import numpy as np

from textedit.benchmarks.decode_profile import median_ms

STAGES = ("encode", "tag", "point", "order", "reorder")


def edit5_prefix(model, tokens, stage: str, max_insert_length: int):
    """`edit_loop`'s default path (no word guards, argmax tags) up to and including `stage`
    (one of STAGES), reduced to a float32 [] sum of what that stage produced (traceable); any
    other stage: everything, returning (the insertion decoder's cache, batch)."""
    import tensorflow as tf
    from keras import ops

    from textedit.decoding.order_decoding import decode_order
    from textedit.models.edit5.edit5_model import KEEP, start_positions

    def total(*values):
        return sum(ops.sum(ops.cast(v, "float32")) for v in values)

    tokens = ops.cast(tokens, "int32")
    batch, length = ops.shape(tokens)[0], ops.shape(tokens)[1]
    hidden, token_mask, image_states = model.encode_all(tokens)
    if stage == "encode":
        return total(hidden)
    start = start_positions(token_mask)
    is_start = ops.equal(ops.arange(length, dtype="int32")[None, :], start[:, None])
    tags = ops.cast(ops.argmax(model.tag(hidden, token_mask), axis=-1), "int32")
    tags = ops.where(token_mask, ops.where(is_start, KEEP, tags), 0)
    if stage == "tag":
        return total(tags)
    kept = ops.equal(tags, KEEP)
    tag_states = model.condition_on_tags(hidden, tags)
    scores = model.point(tag_states, kept, token_mask)
    if stage == "point":
        return total(scores)
    decoded = decode_order(scores, kept, start)
    if stage == "order":
        return total(decoded.next_positions, decoded.order, decoded.new_positions)
    reordered = model.reorder(tag_states, decoded.new_positions, kept, token_mask)
    context = model.insertion_context(reordered, decoded.new_positions, kept, image_states)
    cache = model.init_cache(batch, max_insert_length, reordered, token_mask, **context)
    if stage == "reorder":
        return total(*[x for x in tf.nest.flatten(cache) if x.dtype.is_floating])
    return cache, batch


def edit5_without_output_layer(model, tokens, lengths, max_insert_length: int):
    """Every stage, then the insertion loop's decoder stack only: the step's "logits" are its
    hidden state [b, d_model] (no output layer, position constraint or vocabulary argmax), with
    EOS (id 1 < d_model) forced at step lengths[r] - 1 so that the loop runs the same steps."""
    from keras import ops

    from textedit.decoding.decode_loop import token_loop
    from textedit.decoding.forced_length import force_length
    from textedit.decoding.greedy import first_argmax

    cache, batch = edit5_prefix(model, tokens, "insert", max_insert_length)
    backbone, t5 = model.backbone, model.config.t5
    lengths = ops.cast(lengths, "int32")

    def step(token, cache, index):
        hidden, cache = backbone.decoder.step(model.embed_insertions(
            token, cache.get("position_inputs")), cache, index)
        return force_length(hidden[:, 0, :], index, lengths, t5.eos_id), cache

    return token_loop(step, cache, batch, max_insert_length,
                      lambda logits, index: first_argmax(logits), eos_id=t5.eos_id,
                      pad_id=t5.pad_id, start_id=t5.decoder_start_id)


def profile_edit5(size: str = "small", vocab_size: int = 16128, input_length: int = 32,
                  source_pieces: int = 20, insert_steps: int = 6, target_steps: int | None = 22,
                  threads: int | None = 1, warmup: int = 2, repeats: int = 20,
                  num_position_tokens: int | None = None, first_position_id: int = 3) -> dict:
    """The ablation timings of the module docstring at batch 1.

    Args:
      size, vocab_size: the T5 backbone (`T5Config.named`); EdiT5 has a 1-layer decoder.
      input_length: the bucket (padded input length, also the insertion buffer).
      source_pieces: real pieces in the input (then EOS, then padding).
      insert_steps: insertion decoder steps, EOS included (forced).
      target_steps: seq2seq full decoder steps, EOS included (forced); None: seq2seq not timed.
      threads: TensorFlow intra/inter-op threads (set only in a fresh process; None: leave them).
      num_position_tokens: `<pos_k>` ids (default: min(513, vocab_size - first_position_id - 1)).

    Returns:
      {"parts": {name: ms}, "prefix_ms": {...}, "full_ms", ...}; parts add up to full_ms.
    """
    import tensorflow as tf

    if threads is not None:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
        except RuntimeError:  # TensorFlow already running: the report gives what it runs with
            pass
    import keras

    from textedit.decoding.decode_loop import xla_function
    from textedit.decoding.forced_length import forced_edit_step_xla, forced_greedy_decode_xla
    from textedit.models import T5Config, T5EncoderDecoder
    from textedit.models.edit5.edit5_config import Edit5Config
    from textedit.models.edit5.edit5_model import Edit5Model

    if not 1 <= source_pieces < input_length:
        raise ValueError(f"source_pieces={source_pieces}: expected 1 .. {input_length - 1}")
    if num_position_tokens is None:
        num_position_tokens = min(513, vocab_size - first_position_id - 1)
    keras.utils.set_random_seed(0)
    t5 = T5Config.named(size, vocab_size=vocab_size, dropout_rate=0.0, num_decoder_layers=1)
    model = Edit5Model(Edit5Config(t5=t5, num_position_tokens=num_position_tokens,
                                   first_position_id=first_position_id,
                                   max_input_length=max(512, input_length)))
    low = first_position_id + num_position_tokens
    row = np.zeros((1, input_length), np.int32)
    row[0, :source_pieces] = np.random.default_rng(0).integers(low, vocab_size, source_pieces)
    row[0, source_pieces] = t5.eos_id
    tokens = tf.constant(row)
    lengths = tf.constant([insert_steps], tf.int32)
    buffer = input_length

    prefix_xla = xla_function(lambda t, stage: edit5_prefix(model, t, stage, buffer))
    stack_xla = xla_function(lambda t, n: edit5_without_output_layer(model, t, n, buffer))
    prefix_ms = {stage: median_ms(lambda s=stage: prefix_xla(tokens, s).numpy(), warmup,
                                   repeats) for stage in STAGES}
    stack_ms = median_ms(lambda: stack_xla(tokens, lengths).numpy(), warmup, repeats)
    full_ms = median_ms(lambda: forced_edit_step_xla(model, tokens, lengths, buffer)
                         .insertion_tokens.numpy(), warmup, repeats)
    parts, before = {}, 0.0
    for stage in STAGES:
        parts[stage] = prefix_ms[stage] - before
        before = prefix_ms[stage]
    parts["insertion decoder stack"] = stack_ms - before
    parts["output layer + constraint + argmax"] = full_ms - stack_ms
    report = {"model": f"EdiT5 {size}", "parameters": int(model.count_params()),
              "batch_size": 1, "input_length": input_length, "source_pieces": source_pieces,
              "insert_steps": insert_steps, "threads": tf.config.threading
              .get_intra_op_parallelism_threads(), "repeats": repeats,
              "prefix_ms": {**prefix_ms, "no output layer": stack_ms}, "full_ms": full_ms,
              "parts": parts}
    if target_steps is not None:
        keras.utils.set_random_seed(0)
        seq2seq = T5EncoderDecoder(T5Config.named(size, vocab_size=vocab_size, dropout_rate=0.0))
        steps = tf.constant([target_steps], tf.int32)
        report["seq2seq_full_ms"] = median_ms(
            lambda: forced_greedy_decode_xla(seq2seq, tokens, steps, buffer, t5.eos_id).numpy(),
            warmup, repeats)
        report["target_steps"] = target_steps
    return report


def format_edit5_profile(report: dict) -> str:
    """The profile as a table: each part's ms and share of the full computation."""
    full = report["full_ms"]
    lines = [f"profile: {report['model']} ({report['parameters']:,} parameters), batch 1, input "
             f"{report['source_pieces']} pieces in a {report['input_length']} bucket, "
             f"{report['insert_steps']} insertion steps (forced), {report['threads']} thread(s), "
             f"median of {report['repeats']} (XLA computation only, no host post-processing)",
             "| part | ms | share |", "|---|---:|---:|"]
    for name, ms in report["parts"].items():
        lines.append(f"| {name} | {ms:.2f} | {100 * ms / full:.0f}% |")
    lines.append(f"| **full** | {full:.2f} | 100% |")
    if "seq2seq_full_ms" in report:
        s = report["seq2seq_full_ms"]
        lines.append(f"seq2seq full, {report['target_steps']} decoder steps (forced), same input: "
                     f"{s:.2f} ms ({s / full:.1f}x EdiT5).")
    return "\n".join(lines)
