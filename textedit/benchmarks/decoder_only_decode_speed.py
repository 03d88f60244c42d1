"""Decoder-only decoding speed (`textedit benchmark decode --decoder_only_size mini`): greedy
decoding of our compiled Gemma 2 against transformers' `Gemma2ForCausalLM.generate`.

The set-up of `decode_speed` (same weights on both sides, copied by name through
`hf_gemma2_variables`; EOS forbidden so every row generates `--decode_length` tokens; each
framework and thread count in a process of its own; median of the timed calls), for a random-init
Gemma 2 of a named size. The prompt is the decoder-only formatting of a source of
`--input_length` random ids ending in EOS: transformers gets `[0, source]`; ours gets the source
as `encoder_tokens` and prefills `[0, source without EOS]`, feeding EOS at the first step
(`Gemma2DecoderOnly.encode`), which is the same sequence. Ours runs the prefill, the ring caches of
the local layers and the loop as one XLA computation (`textedit.decoding.greedy_decode`); theirs
uses its own sliding-window cache (`use_cache=True`, eager attention: the only kind that
soft-caps).
"""

from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Sequence

from textedit.benchmarks.decode_speed import in_own_process, timed


def time_ours_gemma2(size: str, vocab_size: int, sources: list, decode_length: int,
                     threads: int, warmup: int, repeats: int) -> dict:
    """Times `greedy_decode` of a Gemma2DecoderOnly (in a process of its own); also returns the
    transformers config and the HF-layout state dict of the model it built."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)

    import keras
    from keras import ops

    from textedit.decoding import greedy_decode
    from textedit.models import Gemma2Config, Gemma2DecoderOnly, hf_gemma2_variables

    keras.utils.set_random_seed(0)
    config = Gemma2Config.named(size, vocab_size=vocab_size)
    model = Gemma2DecoderOnly(config)

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

        compile_times, _ = timed(decode, 0, 1)  # the first call traces and compiles
        times, generated = timed(decode, warmup, repeats)
        out["rows"].append({"compile_seconds": compile_times[0], "times": times,
                            "generated": generated})
    c = config
    out["hf_config"] = dict(
        vocab_size=c.vocab_size, hidden_size=c.d_model, intermediate_size=c.d_ff,
        num_hidden_layers=c.num_layers, num_attention_heads=c.num_heads,
        num_key_value_heads=c.num_kv_heads, head_dim=c.head_dim, sliding_window=c.sliding_window,
        layer_types=list(c.layer_types), query_pre_attn_scalar=c.query_pre_attn_scalar,
        attn_logit_softcapping=c.attn_logit_softcap,
        final_logit_softcapping=c.final_logit_softcap, rope_theta=c.rope_theta,
        rms_norm_eps=c.rms_norm_eps, pad_token_id=c.pad_id, eos_token_id=c.eos_id,
        bos_token_id=0, hidden_activation="gelu_pytorch_tanh", attn_implementation="eager")
    out["hf_state"] = {key: (v.numpy().T if transpose else v.numpy()).copy()
                       for key, (v, transpose) in hf_gemma2_variables(model).items()}
    return out


def time_transformers_gemma2(hf_config: dict, state: dict, sources: list, decode_length: int,
                             threads: int, warmup: int, repeats: int) -> dict:
    """Times `generate` of a Gemma2ForCausalLM with `state` copied in (own process, no TF)."""
    import numpy as np
    import torch
    import transformers

    torch.set_num_threads(threads)
    torch.set_num_interop_threads(threads)
    hf = transformers.Gemma2ForCausalLM(transformers.Gemma2Config(**hf_config)).eval()
    params = hf.state_dict()
    with torch.no_grad():
        for key, array in state.items():
            params[key].copy_(torch.from_numpy(array))
    out = {"threads": {"torch_intra_op": torch.get_num_threads(),
                       "torch_inter_op": torch.get_num_interop_threads()},
           "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
           "rows": []}
    for source in sources:
        prompt = np.concatenate([np.zeros((len(source), 1), np.int64), source], axis=1)
        input_ids = torch.from_numpy(prompt.astype(np.int64))

        def generate(input_ids=input_ids):
            with torch.inference_mode():
                return hf.generate(
                    input_ids=input_ids, attention_mask=torch.ones_like(input_ids),
                    do_sample=False, num_beams=1, use_cache=True, max_new_tokens=decode_length,
                    min_new_tokens=decode_length, eos_token_id=hf_config["eos_token_id"],
                    pad_token_id=0).numpy()

        times, generated = timed(generate, warmup, repeats)
        out["rows"].append({"times": times, "generated": generated[:, prompt.shape[1]:]})
    return out


def benchmark_decoder_only_decode(*, size: str = "mini", vocab_size: int = 16128,
                                  batch_sizes: Sequence[int] = (1, 32), input_length: int = 32,
                                  decode_length: int = 32, warmup: int = 1, repeats: int = 5,
                                  threads: Sequence[int] | None = None,
                                  skip_transformers: bool = False) -> dict:
    """The comparison of the module docstring; a report of `decode_speed.format_report`'s form."""
    import numpy as np

    sources = []
    for batch in batch_sizes:
        source = np.random.default_rng(batch).integers(2, vocab_size, (batch, input_length))
        source[:, -1] = 1  # the source's EOS, as the decoder-only formatting has it
        sources.append(source.astype(np.int32))
    report = {"input_length": input_length, "decode_length": decode_length, "warmup": warmup,
              "repeats": repeats,
              "cpu": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
              "rows": []}
    for count in list(threads) if threads else [os.cpu_count()]:
        ours = in_own_process(time_ours_gemma2, size, vocab_size, sources, decode_length, count,
                               warmup, repeats)
        hf_config, hf_state = ours.pop("hf_config"), ours.pop("hf_state")
        theirs = None if skip_transformers else in_own_process(
            time_transformers_gemma2, hf_config, hf_state, sources, decode_length, count, warmup,
            repeats)
        c = ours["config"]
        report.update(
            model=f"Gemma 2 {size} (decoder-only, {c.num_layers} layers local/global, d_model "
                  f"{c.d_model}, {c.num_heads}/{c.num_kv_heads} heads, window "
                  f"{c.sliding_window}, vocab {c.vocab_size})",
            parameters=ours["parameters"], **ours["versions"],
            **(theirs["versions"] if theirs else {}))
        for i, batch in enumerate(batch_sizes):
            mine = ours["rows"][i]
            row = {"threads": {**ours["threads"], **(theirs["threads"] if theirs else {})},
                   "batch": batch, "ours_compile_s": mine["compile_seconds"],
                   "ours_s": statistics.median(mine["times"]), "ours_all_s": mine["times"]}
            if theirs is not None:
                hf_generated = theirs["rows"][i]["generated"]
                if hf_generated.shape != mine["generated"].shape:
                    raise RuntimeError(f"transformers generated {hf_generated.shape} tokens, ours "
                                       f"{mine['generated'].shape}")
                row.update(transformers_s=statistics.median(theirs["rows"][i]["times"]),
                           transformers_all_s=theirs["rows"][i]["times"],
                           token_agreement=float((hf_generated == mine["generated"]).mean()))
                row["speedup"] = row["transformers_s"] / row["ours_s"]
            for prefix in ("ours", "transformers"):
                if f"{prefix}_s" in row:
                    row[f"{prefix}_ms_per_sequence"] = 1000 * row[f"{prefix}_s"] / batch
                    row[f"{prefix}_tokens_per_s"] = batch * decode_length / row[f"{prefix}_s"]
            report["rows"].append(row)
        report.setdefault("load_average", []).append(os.getloadavg()[0])
    return report
