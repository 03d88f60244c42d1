#!/usr/bin/env python3
"""Benchmarks. `train`: tokens/s and model-FLOP utilisation of a T5 step. `decode`: greedy
decoding speed against transformers (tools/benchmark_decode.py; `benchmark.py decode --help`).
`latency`: EdiT5 vs seq2seq (full and 1-layer decoder) latency and throughput on W&I dev
(tools/benchmark_latency.py; `benchmark.py latency --help`).

    .venv/bin/python tools/benchmark.py train                       # T5 small, float32
    .venv/bin/python tools/benchmark.py train --size small --batch_size 32 \\
        --input_length 128 --target_length 128 --precision mixed_bfloat16 --steps 10

`train` times the compiled train step (textedit/training/train_step.py: forward, seq2seq loss,
backward, global-norm clipping, AdamW update; XLA) of a T5 model of the named size on a fixed
batch of random tokens, so the data pipeline is not measured. After `--warmup` steps (compilation
included) it times `--steps` steps and reports the median step time, training tokens/s (input plus
target positions per second; target tokens/s alone too), and model-FLOP utilisation (MFU): the
step's matmul FLOPs (textedit/training/model_flops.py: 3 x the forward pass) per second divided by
the peak. The peak is measured in the same run on the same device: the best of several
XLA-compiled square matrix products (`--matmul_size`) in the step's compute dtype.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools import benchmark_decode, benchmark_latency  # noqa: E402


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="tokens/s and MFU of the T5 seq2seq train step")
    train.add_argument("--size", default="small", choices=["tiny", "small", "base"])
    train.add_argument("--vocab_size", type=int, default=16128)
    train.add_argument("--num_decoder_layers", type=int, help="override (1 = the slim model)")
    train.add_argument("--batch_size", type=int, default=32)
    train.add_argument("--input_length", type=int, default=128)
    train.add_argument("--target_length", type=int, default=128)
    train.add_argument("--precision", default="float32", choices=["float32", "mixed_bfloat16"])
    train.add_argument("--warmup", type=int, default=2, help="untimed steps (compilation)")
    train.add_argument("--steps", type=int, default=5, help="timed steps")
    train.add_argument("--matmul_size", type=int, default=2048, help="n of the n x n peak test")
    train.add_argument("--json", action="store_true", help="print one JSON object")
    decode = commands.add_parser(
        "decode", help="greedy decoding: our XLA decoder vs transformers' generate (CPU)",
        description=benchmark_decode.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    benchmark_decode.add_arguments(decode)
    latency = commands.add_parser(
        "latency", help="EdiT5 vs seq2seq (full, slim) latency and throughput on W&I dev",
        description=benchmark_latency.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    benchmark_latency.add_arguments(latency)
    return parser.parse_args(argv)


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


def benchmark_train(args: argparse.Namespace) -> dict:
    import keras
    import numpy as np
    import tensorflow as tf

    from textedit.models.t5_config import T5Config
    from textedit.models.t5_encoder_decoder import T5EncoderDecoder
    from textedit.objectives.seq2seq import seq2seq_objective
    from textedit.training.model_flops import t5_train_step_flops
    from textedit.training.optimizers import make_optimizer
    from textedit.training.schedules import WarmupDecay
    from textedit.training.train_step import TrainStep
    from textedit.training.trainer import dtype_policy

    overrides = {"vocab_size": args.vocab_size}
    if args.num_decoder_layers:
        overrides["num_decoder_layers"] = args.num_decoder_layers
    config = T5Config.named(args.size, **overrides)
    with dtype_policy(args.precision):
        model = T5EncoderDecoder(config)
    optimizer = make_optimizer("adamw", WarmupDecay(1e-3, 10), weight_decay=0.01)
    optimizer.build(model.trainable_variables)
    step = TrainStep(model, seq2seq_objective(), optimizer, tf.distribute.get_strategy(), 1.0)

    rng = np.random.RandomState(0)
    b, s, t = args.batch_size, args.input_length, args.target_length
    targets = rng.randint(2, min(args.vocab_size, 16000), size=(b, t)).astype(np.int32)
    batch = {
        "encoder_input_tokens": tf.constant(
            rng.randint(2, min(args.vocab_size, 16000), size=(b, s)).astype(np.int32)),
        "decoder_input_tokens": tf.constant(np.concatenate(
            [np.zeros((b, 1), np.int32), targets[:, :-1]], axis=1)),
        "decoder_target_tokens": tf.constant(targets),
        "decoder_loss_weights": tf.ones((b, t), tf.int32),
    }
    start = time.perf_counter()
    for _ in range(args.warmup):
        float(step(batch)["loss"])
    warmup_seconds = time.perf_counter() - start
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        float(step(batch)["loss"])  # reading the loss waits for the step
        times.append(time.perf_counter() - start)
    step_seconds = statistics.median(times)

    compute_dtype = "bfloat16" if args.precision == "mixed_bfloat16" else "float32"
    peak = measure_matmul_peak(args.matmul_size, compute_dtype)
    flops = t5_train_step_flops(config, b, s, t)
    devices = [d.name for d in tf.config.list_logical_devices() if d.device_type != "CPU"]
    return {
        "model": f"T5 {args.size}" + (f" ({config.num_decoder_layers}-layer decoder)"
                                      if args.num_decoder_layers else ""),
        "parameters": int(sum(np.prod(v.shape) for v in model.trainable_variables)),
        "device": devices[0] if devices else f"CPU ({os.cpu_count()} cores)",
        "tensorflow": tf.__version__, "keras": keras.__version__,
        "precision": args.precision,
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
        "matmul_size": args.matmul_size,
        "mfu": flops / step_seconds / peak,
    }


def format_report(r: dict) -> str:
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


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.command == "train":
        report = benchmark_train(args)
        print(json.dumps(report) if args.json else format_report(report), flush=True)
    elif args.command == "decode":
        report = benchmark_decode.run(args)
        print(json.dumps(report) if args.json else benchmark_decode.format_report(report),
              flush=True)
    elif args.command == "latency":
        benchmark_latency.main(args)  # Markdown to stdout; --json FILE writes the report
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
