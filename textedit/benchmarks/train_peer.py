"""Training throughput against a peer (`textedit benchmark train`): our compiled T5 train step
beside transformers' `T5ForConditionalGeneration` training step, so MFU has a peer ratio.

Both sides train the same network on the same batch: ours is `benchmark_train`
(textedit/benchmarks/train_throughput.py: the XLA-compiled `TrainStep`, seq2seq loss, AdamW);
theirs is a `transformers.T5ForConditionalGeneration` with identical dimensions that gets OUR
initial weights copied in by name (`hf_t5_variables`) and runs, in eager PyTorch on the CPU:

    logits = model(input_ids, attention_mask, decoder_input_ids).logits      # [b, t, vocab]
    loss   = mean over target positions of (logsumexp - target logit) + z_loss * logsumexp^2
    loss.backward(); clip_grad_norm_(1.0); AdamW(lr, weight_decay 0.01).step(); zero_grad()

the loss of `seq2seq_objective()` (z_loss 1e-4, no label smoothing), the same global-norm clip
and optimiser. Same dropout rate on both sides (`--dropout_rate`, default the size's 0.1). With
dropout 0 the two first-step losses (initial weights, same batch) agree to float round-off, which
the report shows as a check that the networks and losses are the same.

Timed per side: `warmup` untimed steps (ours: the first compiles), then `steps` timed steps from
batch in memory to the loss read on the host; the median is reported as ms/step, tokens/s (input
plus target positions) and MFU. Both MFUs count the same model FLOPs
(textedit/training/model_flops.py) against the same matmul peak (ours, measured by TensorFlow in
the same run), so their ratio is the ratio of step times.

Each framework runs in a spawned process of its own, one after the other (ours, then
transformers), with `threads` intra-op and inter-op threads, as `benchmark decode` does: neither
framework's thread pools compete with the other's, and thread counts are set before either starts.
"""

from __future__ import annotations

import os
import statistics
import time

from textedit.benchmarks.decode_speed import in_own_process, timed, transformers_t5

Z_LOSS = 1e-4  # seq2seq_objective()'s default, what benchmark_train trains with
CLIP_GRAD_NORM = 1.0  # benchmark_train's TrainStep
WEIGHT_DECAY = 0.01  # benchmark_train's AdamW


def time_ours_train(threads: int, export_hf: bool, settings: dict) -> dict:
    """`benchmark_train(**settings)` in a process of its own with `threads` TensorFlow threads."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)

    from textedit.benchmarks.train_throughput import benchmark_train

    report = benchmark_train(**settings, export_hf=export_hf)
    report["threads"] = {"tf_intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
                         "tf_inter_op": tf.config.threading.get_inter_op_parallelism_threads()}
    return report


def time_transformers_train(hf_config: dict, state: dict, batch: dict, threads: int,
                            warmup: int, steps: int, learning_rate: float = 1e-3) -> dict:
    """Times transformers' T5 training step (module docstring) in a process of its own, without
    TensorFlow.

    Args:
      hf_config, state: `hf_t5_config` kwargs and HF-layout weights (`benchmark_train`'s export).
      batch: numpy arrays of EncDecFeatureConverter's features: encoder_input_tokens [b, s],
        decoder_input_tokens, decoder_target_tokens and decoder_loss_weights [b, t].
    """
    import torch
    import transformers

    model = transformers_t5(hf_config, state, threads).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate,
                                  weight_decay=WEIGHT_DECAY)
    inputs = torch.from_numpy(batch["encoder_input_tokens"]).long()
    decoder_inputs = torch.from_numpy(batch["decoder_input_tokens"]).long()
    targets = torch.from_numpy(batch["decoder_target_tokens"]).long()
    weights = torch.from_numpy(batch["decoder_loss_weights"]).float()
    attention_mask = (inputs != hf_config["pad_token_id"]).long()

    def train_step() -> float:
        logits = model(input_ids=inputs, attention_mask=attention_mask,
                       decoder_input_ids=decoder_inputs).logits.float()  # [b, t, vocab]
        log_z = torch.logsumexp(logits, dim=-1)  # [b, t]
        target_logit = logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
        per_token = log_z - target_logit + Z_LOSS * log_z.square()
        loss = (per_token * weights).sum() / weights.sum()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP_GRAD_NORM)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return loss.item()  # eager on the CPU: the step is done when the value is read

    start = time.perf_counter()
    first_loss = train_step()  # the initial weights' loss, as ours reports
    for _ in range(warmup - 1):
        train_step()
    warmup_seconds = time.perf_counter() - start
    times, _ = timed(train_step, 0, steps)
    return {"first_loss": first_loss, "warmup_seconds": warmup_seconds, "step_seconds_all": times,
            "step_seconds_median": statistics.median(times),
            "parameters": sum(p.numel() for p in model.parameters()),
            "threads": {"torch_intra_op": torch.get_num_threads(),
                        "torch_inter_op": torch.get_num_interop_threads()},
            "torch": torch.__version__, "transformers": transformers.__version__}


def benchmark_train_with_peer(*, threads: int | None = None, skip_transformers: bool = False,
                              warmup: int = 2, steps: int = 5, **settings) -> dict:
    """Our train step (`benchmark_train(**settings)`) and, unless skip_transformers, the
    transformers peer's (module docstring), each in a process of its own with `threads` threads
    (default: all cores). The report of `benchmark_train` (`format_report`) plus "threads",
    "load_average" and, with the peer, "transformers" (its step times, tokens/s, MFU against our
    peak, first loss, parameters, versions) and "peer_ratio" (our MFU / theirs)."""
    threads = threads or os.cpu_count()
    settings.update(warmup=warmup, steps=steps)
    report = in_own_process(time_ours_train, threads, not skip_transformers, settings)
    if not skip_transformers:
        hf_config, state, batch = (report.pop(key)
                                   for key in ("hf_config", "hf_state", "batch_arrays"))
        theirs = in_own_process(time_transformers_train, hf_config, state, batch, threads,
                                 warmup, steps)
        step_seconds = theirs["step_seconds_median"]
        flops = report["model_tflop_per_step"] * 1e12
        tokens = report["batch"] * (report["input_length"] + report["target_length"])
        theirs.update(tokens_per_second=tokens / step_seconds,
                      model_tflop_per_second=flops / step_seconds / 1e12,
                      mfu=flops / step_seconds / (report["matmul_peak_tflop_per_second"] * 1e12))
        report["transformers"] = theirs
        report["peer_ratio"] = report["mfu"] / theirs["mfu"]
    report["load_average"] = os.getloadavg()[0]
    return report


def format_peer_report(r: dict) -> str:
    """`format_report` of ours, then, with the peer, both sides as a table and the MFU ratio."""
    from textedit.benchmarks.train_throughput import format_report

    t = r["threads"]
    lines = [format_report(r),
             f"threads          TensorFlow {t['tf_intra_op']}/{t['tf_inter_op']} (intra/inter); "
             f"1-minute load average {r['load_average']:.2f} (other jobs share the cores)"]
    if "transformers" not in r:
        return "\n".join(lines)
    p = r["transformers"]
    lines += [
        "",
        f"same network, batch, loss (z_loss {Z_LOSS}), clip {CLIP_GRAD_NORM}, AdamW, dropout "
        f"{r['dropout_rate']}; torch {p['torch']}, transformers {p['transformers']}, each in a "
        "process of its own",
        f"{'implementation':<40}{'threads':>8}{'ms/step':>10}{'tokens/s':>10}{'TFLOP/s':>9}"
        f"{'MFU':>7}{'first loss':>12}",
        f"{'textedit TrainStep (Keras 3, XLA)':<40}{t['tf_intra_op']:>8}"
        f"{1000 * r['step_seconds_median']:>10.1f}{r['tokens_per_second']:>10,.0f}"
        f"{r['model_tflop_per_second']:>9.3f}{100 * r['mfu']:>6.1f}%{r['first_loss']:>12.5f}",
        f"{'transformers T5 (PyTorch eager)':<40}{p['threads']['torch_intra_op']:>8}"
        f"{1000 * p['step_seconds_median']:>10.1f}{p['tokens_per_second']:>10,.0f}"
        f"{p['model_tflop_per_second']:>9.3f}{100 * p['mfu']:>6.1f}%{p['first_loss']:>12.5f}",
        f"MFU ratio (ours / transformers): {r['peer_ratio']:.2f}x"
        f" ({'faster' if r['peer_ratio'] > 1 else 'SLOWER'}); parameters {r['parameters']:,} "
        f"(ours) vs {p['parameters']:,} (transformers)",
    ]
    return "\n".join(lines)
