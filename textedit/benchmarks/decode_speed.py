"""Decoding speed (`textedit benchmark decode`): greedy decoding of our compiled T5 against
transformers' generate.

Both sides run the same network: a random-init T5 of the named size (`T5Config.named`, T5 v1.1:
gated-GELU, untied lm_head) is built in Keras, and a `transformers.T5ForConditionalGeneration`
with identical dimensions gets OUR weights copied in by name (`hf_t5_variables`), so the two
decode the same tokens (the report gives the share that agree; float round-off may flip a
near-tie). Every row generates exactly `--decode_length` tokens on both sides: EOS is forbidden
(a logits processor in ours, `min_new_tokens = max_new_tokens` in transformers), and the token
counts are checked. Inputs are `--input_length` random ids, no padding.

Timed: the whole call, encoder included, from token ids in host memory to generated ids in host
memory: ours is `textedit.decoding.greedy_decode` (one XLA computation: encoder, cache set-up and
the while loop), theirs `generate(do_sample=False, num_beams=1, use_cache=True)` under
`torch.inference_mode()`. Ours' first call (tracing + XLA compilation) is reported separately; then
both get `--warmup` untimed calls and `--repeats` timed ones; the median is reported as ms per
batch, ms per sequence and generated tokens/s.

Threads: for each `--threads` value (default: all cores) TensorFlow's and torch's intra-op and
inter-op thread counts are set to it. Each framework and thread count runs in a spawned process of
its own, one after the other (ours, then transformers), so neither framework's thread pools compete
with the other's (in one process they slowed each other down several-fold) and thread counts can
be set before either framework starts. On a machine shared with other jobs the numbers move a
lot, torch's with 2+ threads most (its OpenMP workers spin-wait for busy cores): the load average
is reported, and one thread per side is the comparison least disturbed by other jobs.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import platform
import statistics
import time
from collections.abc import Sequence


def timed(fn, warmup: int, repeats: int) -> tuple[list[float], object]:
    """`warmup` untimed calls of fn(), then `repeats` timed ones: (seconds each, last result)."""
    for _ in range(warmup):
        fn()
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def time_ours(size: str, vocab_size: int, sources: list, decode_length: int, threads: int,
              warmup: int, repeats: int, export_weights: bool) -> dict:
    """Times `greedy_decode` (run in a process of its own). With export_weights, also returns the
    transformers config and the HF-layout state dict of the model it built."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)

    import keras
    from keras import ops

    from textedit.decoding import greedy_decode
    from textedit.models import T5Config, T5EncoderDecoder, hf_t5_variables
    from textedit.models.t5.t5_hf_names import hf_t5_config

    keras.utils.set_random_seed(0)
    config = T5Config.named(size, vocab_size=vocab_size, dropout_rate=0.0)
    model = T5EncoderDecoder(config)

    def forbid_eos(logits, index, generated):
        return ops.where(ops.arange(config.vocab_size) == config.eos_id, -1e9, logits)

    out = {"config": config, "parameters": int(model.count_params()), "rows": [],
           "threads": {"tf_intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
                       "tf_inter_op": tf.config.threading.get_inter_op_parallelism_threads()},
           "versions": {"tensorflow": tf.__version__, "keras": keras.__version__}}
    for source in sources:
        tokens = tf.constant(source)

        def decode(tokens=tokens):
            return greedy_decode(model, tokens, decode_length, logits_processor=forbid_eos).numpy()

        start = time.perf_counter()
        decode()
        compile_seconds = time.perf_counter() - start
        times, generated = timed(decode, warmup, repeats)
        out["rows"].append({"times": times, "generated": generated,
                            "compile_seconds": compile_seconds})
    if export_weights:
        out["hf_config"] = hf_t5_config(config)
        out["hf_state"] = {key: (v.numpy().T if transpose else v.numpy()).copy()
                           for key, (v, transpose) in hf_t5_variables(model).items()}
    return out


def transformers_t5(hf_config: dict, state: dict, threads: int):
    """A `transformers.T5ForConditionalGeneration` built from hf_config (`hf_t5_config`) with
    `state` (HF key -> array, `hf_t5_variables` layout) copied in, after setting torch's intra-op
    and inter-op threads (call it first in a process of its own, before torch runs anything)."""
    import torch
    import transformers

    torch.set_num_threads(threads)
    torch.set_num_interop_threads(threads)
    config = transformers.T5Config(**hf_config)
    hf = transformers.T5ForConditionalGeneration(config)
    if not hf_config["tie_word_embeddings"]:  # transformers >= 5 ties lm_head to shared
        hf.lm_head.weight = torch.nn.Parameter(torch.empty(config.vocab_size, config.d_model))
    params = hf.state_dict()
    with torch.no_grad():
        for key, array in state.items():
            params[key].copy_(torch.from_numpy(array))
    return hf


def time_transformers(hf_config: dict, state: dict, sources: list, decode_length: int,
                      threads: int, warmup: int, repeats: int) -> dict:
    """Times `generate` (run in a process of its own, without TensorFlow) on a
    T5ForConditionalGeneration built from hf_config with `state` (HF key -> array) copied in."""
    import numpy as np
    import torch
    import transformers

    hf = transformers_t5(hf_config, state, threads).eval()
    out = {"threads": {"torch_intra_op": torch.get_num_threads(),
                       "torch_inter_op": torch.get_num_interop_threads()},
           "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
           "rows": []}
    for source in sources:
        input_ids = torch.from_numpy(source.astype(np.int64))

        def generate(input_ids=input_ids):
            with torch.inference_mode():
                return hf.generate(
                    input_ids=input_ids, attention_mask=torch.ones_like(input_ids),
                    do_sample=False, num_beams=1, use_cache=True, max_new_tokens=decode_length,
                    min_new_tokens=decode_length, decoder_start_token_id=0,
                    eos_token_id=hf_config["eos_token_id"], pad_token_id=0).numpy()

        times, generated = timed(generate, warmup, repeats)
        out["rows"].append({"times": times, "generated": generated[:, 1:]})  # drop the start
    return out


def in_own_process(fn, *args):
    """fn(*args) in a freshly spawned process (its own TensorFlow / torch thread pools)."""
    with concurrent.futures.ProcessPoolExecutor(
            1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def benchmark_decode(*, size: str = "small", vocab_size: int = 16128,
                     batch_sizes: Sequence[int] = (1, 32), input_length: int = 32,
                     decode_length: int = 32, warmup: int = 1, repeats: int = 5,
                     threads: Sequence[int] | None = None,
                     skip_transformers: bool = False) -> dict:
    """Runs the comparison (module docstring) once per thread count (default: all cores); the
    report as a dict (`format_report`)."""
    import numpy as np  # no TensorFlow or torch in this process

    thread_counts = list(threads) if threads else [os.cpu_count()]
    length = decode_length
    sources = [np.random.default_rng(batch).integers(
        2, vocab_size, (batch, input_length)).astype(np.int32)
        for batch in batch_sizes]
    report = {"input_length": input_length, "decode_length": length,
              "warmup": warmup, "repeats": repeats,
              "cpu": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
              "rows": []}
    for threads in thread_counts:
        ours = in_own_process(time_ours, size, vocab_size, sources, length, threads,
                               warmup, repeats, not skip_transformers)
        theirs = None
        if not skip_transformers:
            theirs = in_own_process(time_transformers, ours.pop("hf_config"),
                                     ours.pop("hf_state"), sources, length, threads,
                                     warmup, repeats)
        c = ours["config"]
        report.update(
            model=f"T5 {size} (v1.1, {c.num_encoder_layers}+{c.num_decoder_layers} layers, "
                  f"d_model {c.d_model}, vocab {c.vocab_size})",
            parameters=ours["parameters"], **ours["versions"],
            **(theirs["versions"] if theirs else {}))
        for i, batch in enumerate(batch_sizes):
            mine = ours["rows"][i]
            generated = mine["generated"]
            assert generated.shape == (batch, length) and not (generated == c.eos_id).any()
            row = {"threads": {**ours["threads"], **(theirs["threads"] if theirs else {})},
                   "batch": batch, "ours_compile_s": mine["compile_seconds"],
                   "ours_s": statistics.median(mine["times"]), "ours_all_s": mine["times"]}
            if theirs is not None:
                hf_times, hf_generated = theirs["rows"][i]["times"], theirs["rows"][i]["generated"]
                # The same number of generated tokens on both sides, none of them EOS.
                assert hf_generated.shape == generated.shape, (hf_generated.shape, generated.shape)
                assert not (hf_generated == c.eos_id).any()
                row.update(transformers_s=statistics.median(hf_times),
                           transformers_all_s=hf_times,
                           token_agreement=float((hf_generated == generated).mean()))
            for prefix in ("ours", "transformers"):
                if f"{prefix}_s" in row:
                    row[f"{prefix}_ms_per_sequence"] = 1000 * row[f"{prefix}_s"] / batch
                    row[f"{prefix}_tokens_per_s"] = batch * length / row[f"{prefix}_s"]
            if theirs is not None:
                row["speedup"] = row["transformers_s"] / row["ours_s"]
            report["rows"].append(row)
        report.setdefault("load_average", []).append(os.getloadavg()[0])
    return report


def format_report(r: dict) -> str:
    """The report as a text table, then ours' speed-up per thread count and batch."""
    loads = ", ".join(f"{load:.2f}" for load in r["load_average"])
    lines = [
        f"{r['model']}: {r['parameters']:,} parameters, random init (both sides the same weights)",
        f"greedy, input {r['input_length']} tokens, {r['decode_length']} generated tokens per row "
        f"(EOS forbidden on both sides); median of {r['repeats']} after {r['warmup']} warm-up",
        f"CPU: {r['cpu']}; 1-minute load average after each thread setting: {loads} (other jobs "
        "share the cores; compare runs made under similar load)",
        f"TensorFlow {r['tensorflow']}, Keras {r['keras']}"
        + (f", torch {r['torch']}, transformers {r['transformers']}" if "torch" in r else "")
        + "; each framework in a process of its own",
        "",
        f"{'threads':>7}{'batch':>6}  {'implementation':<34}{'ms/batch':>10}{'ms/seq':>9}"
        f"{'tokens/s':>10}{'compile s':>11}",
    ]
    for row in r["rows"]:
        t = row["threads"]
        ours = f"{t['tf_intra_op']}/{t['tf_inter_op']}"
        lines.append(f"{ours:>7}{row['batch']:>6}  {'textedit greedy_decode (XLA)':<34}"
                     f"{1000 * row['ours_s']:>10.1f}{row['ours_ms_per_sequence']:>9.2f}"
                     f"{row['ours_tokens_per_s']:>10,.0f}{row['ours_compile_s']:>11.1f}")
        if "transformers_s" in row:
            theirs = f"{t['torch_intra_op']}/{t['torch_inter_op']}"
            lines.append(f"{theirs:>7}{row['batch']:>6}  {'transformers generate (PyTorch)':<34}"
                         f"{1000 * row['transformers_s']:>10.1f}"
                         f"{row['transformers_ms_per_sequence']:>9.2f}"
                         f"{row['transformers_tokens_per_s']:>10,.0f}{'-':>11}")
    lines.append("(threads: intra-op/inter-op)")
    if any("speedup" in row for row in r["rows"]):
        lines.append("")
        for row in r["rows"]:
            verdict = "faster" if row["speedup"] > 1 else "SLOWER"
            lines.append(f"{row['threads']['tf_intra_op']} thread(s), batch {row['batch']:>2}: "
                         f"ours {row['speedup']:.2f}x transformers' speed ({verdict}); tokens "
                         f"agreeing {100 * row['token_agreement']:.1f}%")
    return "\n".join(lines)
