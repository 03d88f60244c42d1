"""Training throughput (`textedit benchmark train`): tokens/s and model-FLOP utilisation of a T5
seq2seq train step.

`benchmark_train` times the compiled train step (textedit/training/train_step.py: forward, seq2seq
loss, backward, global-norm clipping, AdamW update; XLA) of a T5 model of the named size on a fixed
batch of random tokens, so the data pipeline is not measured. After `warmup` steps (compilation
included) it times `steps` steps and reports the median step time, training tokens/s (input plus
target positions per second; target tokens/s alone too), and model-FLOP utilisation (MFU): the
step's matmul FLOPs (textedit/training/model_flops.py: 3 x the forward pass) per second divided by
the peak. The peak is measured in the same run on the same device: the best of several
XLA-compiled square matrix products (`matmul_size`) in the step's compute dtype.
"""

from __future__ import annotations

import os
import statistics
import time

SIZES = ("tiny", "small", "base")
PRECISIONS = ("float32", "mixed_bfloat16")


def measure_matmul_peak(n: int, dtype: str, repeats: int = 5, chain: int = 8) -> float:
    """Best FLOP/s of an XLA-compiled chain of `chain` [n, n] x [n, n] products in `dtype`."""
    import tensorflow as tf

    @tf.function(jit_compile=True)
    def products(a, b):
        total = tf.zeros_like(a)
        for _ in range(chain):  # independent products: no fusion into one
            total += tf.matmul(a, b)
            b = b * tf.cast(0.5, b.dtype)
        return total

    a = tf.random.normal([n, n], dtype=tf.float32)
    b = tf.random.normal([n, n], dtype=tf.float32)
    a, b = tf.cast(a, dtype), tf.cast(b, dtype)
    products(a, b).numpy()  # compile
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        products(a, b).numpy()
        best = min(best, time.perf_counter() - start)
    return chain * 2 * n**3 / best


def benchmark_train(*, size: str = "small", vocab_size: int = 16128,
                    num_decoder_layers: int | None = None, batch_size: int = 32,
                    input_length: int = 128, target_length: int = 128,
                    precision: str = "float32", warmup: int = 2, steps: int = 5,
                    matmul_size: int = 2048, dropout_rate: float | None = None,
                    export_hf: bool = False) -> dict:
    """Times the train step (module docstring); the report as a dict (`format_report`).

    dropout_rate overrides the named size's (0.1). With export_hf the report also carries what a
    transformers peer needs to run the same step (textedit/benchmarks/train_peer.py):
    "hf_config", "hf_state" (the initial weights, HF layout) and "batch_arrays" (numpy).
    """
    if warmup < 1 or steps < 1:
        raise ValueError(f"warmup={warmup}, steps={steps}: expected at least 1 of each (the "
                         "first warm-up step compiles and gives the initial loss)")
    import keras
    import numpy as np
    import tensorflow as tf

    from textedit.models.t5.t5_config import T5Config
    from textedit.models.t5.t5_encoder_decoder import T5EncoderDecoder
    from textedit.objectives.seq2seq import seq2seq_objective
    from textedit.training.model_flops import t5_train_step_flops
    from textedit.training.optimizers import make_optimizer
    from textedit.training.schedules import WarmupDecay
    from textedit.training.train_step import TrainStep
    from textedit.training.trainer import dtype_policy

    overrides = {"vocab_size": vocab_size}
    if num_decoder_layers:
        overrides["num_decoder_layers"] = num_decoder_layers
    if dropout_rate is not None:
        overrides["dropout_rate"] = dropout_rate
    config = T5Config.named(size, **overrides)
    with dtype_policy(precision):
        model = T5EncoderDecoder(config)
    exported = {}
    if export_hf:  # before any update: the peer starts from the same weights
        from textedit.models.t5.t5_hf_names import hf_t5_config, hf_t5_variables

        exported["hf_config"] = hf_t5_config(config)
        exported["hf_state"] = {key: (v.numpy().T if transpose else v.numpy()).copy()
                                for key, (v, transpose) in hf_t5_variables(model).items()}
    optimizer = make_optimizer("adamw", WarmupDecay(1e-3, 10), weight_decay=0.01)
    optimizer.build(model.trainable_variables)
    step = TrainStep(model, seq2seq_objective(), optimizer, tf.distribute.get_strategy(), 1.0)

    rng = np.random.RandomState(0)
    b, s, t = batch_size, input_length, target_length
    targets = rng.randint(2, min(vocab_size, 16000), size=(b, t)).astype(np.int32)
    batch = {
        "encoder_input_tokens": tf.constant(
            rng.randint(2, min(vocab_size, 16000), size=(b, s)).astype(np.int32)),
        "decoder_input_tokens": tf.constant(np.concatenate(
            [np.zeros((b, 1), np.int32), targets[:, :-1]], axis=1)),
        "decoder_target_tokens": tf.constant(targets),
        "decoder_loss_weights": tf.ones((b, t), tf.int32),
    }
    if export_hf:
        exported["batch_arrays"] = {key: value.numpy() for key, value in batch.items()}
    start = time.perf_counter()
    first_loss = float(step(batch)["loss"])  # the initial weights' loss (compilation included)
    for _ in range(warmup - 1):
        float(step(batch)["loss"])
    warmup_seconds = time.perf_counter() - start
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        float(step(batch)["loss"])  # reading the loss waits for the step
        times.append(time.perf_counter() - start)
    step_seconds = statistics.median(times)

    compute_dtype = "bfloat16" if precision == "mixed_bfloat16" else "float32"
    peak = measure_matmul_peak(matmul_size, compute_dtype)
    flops = t5_train_step_flops(config, b, s, t)
    devices = [d.name for d in tf.config.list_logical_devices() if d.device_type != "CPU"]
    return {
        "model": f"T5 {size}" + (f" ({config.num_decoder_layers}-layer decoder)"
                                      if num_decoder_layers else ""),
        "parameters": int(sum(np.prod(v.shape) for v in model.trainable_variables)),
        "device": devices[0] if devices else f"CPU ({os.cpu_count()} cores)",
        "tensorflow": tf.__version__, "keras": keras.__version__,
        "precision": precision,
        "batch": b, "input_length": s, "target_length": t,
        "warmup_seconds": warmup_seconds,
        "step_seconds_median": step_seconds,
        "step_seconds_all": times,
        "tokens_per_second": b * (s + t) / step_seconds,
        "target_tokens_per_second": b * t / step_seconds,
        "examples_per_second": b / step_seconds,
        "model_tflop_per_step": flops / 1e12,
        "model_tflop_per_second": flops / step_seconds / 1e12,
        "matmul_peak_tflop_per_second": peak / 1e12,
        "matmul_peak_dtype": compute_dtype,
        "matmul_size": matmul_size,
        "mfu": flops / step_seconds / peak,
        "dropout_rate": config.dropout_rate,
        "first_loss": first_loss,
        **exported,
    }


def format_report(r: dict) -> str:
    """The report as text, one measurement a line."""
    return "\n".join([
        f"{r['model']}: {r['parameters']:,} parameters, {r['precision']}, on {r['device']} "
        f"(TensorFlow {r['tensorflow']}, Keras {r['keras']})",
        f"batch {r['batch']} x (input {r['input_length']} + target {r['target_length']}); "
        f"warm-up (compilation) {r['warmup_seconds']:.1f}s",
        f"step time        {r['step_seconds_median'] * 1000:,.1f} ms (median of "
        f"{len(r['step_seconds_all'])})",
        f"tokens/s         {r['tokens_per_second']:,.0f} (input + target), "
        f"{r['target_tokens_per_second']:,.0f} target, {r['examples_per_second']:,.1f} examples/s",
        f"model FLOPs      {r['model_tflop_per_step']:.3f} TFLOP/step = "
        f"{r['model_tflop_per_second']:.3f} TFLOP/s",
        f"matmul peak      {r['matmul_peak_tflop_per_second']:.3f} TFLOP/s "
        f"({r['matmul_peak_dtype']}, {r['matmul_size']}^2, measured now)",
        f"MFU              {100 * r['mfu']:.1f}%",
    ])
