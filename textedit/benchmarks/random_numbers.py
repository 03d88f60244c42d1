"""Random-number cost under XLA: `textedit benchmark random`.

What the dropout masks (textedit/models/t5/dropout.py) and the sampling noise
(textedit/decoding/sampling.py) cost with each of TensorFlow's stateless generators, compiled by
XLA as the train step and the decoding loops are. Each row times one jit-compiled function of a
fixed seed, reduced to a scalar so nothing is pruned: `stateless_uniform` of the given shape per
generator ("auto_select" is what Keras's dropout and an unspecified `alg` use), and the
multiply-and-reduce of a tensor of that shape as the floor. Median of `repeats` calls after one
compiling call, in milliseconds.

    report = time_generators([(1280, 512), (32, 16128)], repeats=20)
    print(format_generators(report))
"""

from __future__ import annotations

ALGORITHMS = ("auto_select", "philox", "threefry")


def time_generators(shapes, repeats: int = 20, threads: int | None = 1) -> dict:
    """{"rows": [{"shape", "<alg>_ms" per ALGORITHMS, "multiply_ms"}]} (module docstring).
    With `threads`, TensorFlow's thread counts are set first (a fresh process only)."""
    import tensorflow as tf

    from textedit.benchmarks.decode_profile import median_ms

    if threads is not None:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    seed = tf.constant([1, 2], tf.int32)

    def timed_draw(shape, alg) -> float:
        draw = tf.function(lambda s: tf.reduce_sum(tf.random.stateless_uniform(
            shape, seed=s, alg=alg)), jit_compile=True)
        return median_ms(lambda: draw(seed).numpy(), 0, repeats)

    def timed_multiply(shape) -> float:
        ones = tf.ones(shape)
        multiply = tf.function(lambda x: tf.reduce_sum(x * 2.0), jit_compile=True)
        return median_ms(lambda: multiply(ones).numpy(), 0, repeats)

    rows = []
    for shape in shapes:
        shape = tuple(int(n) for n in shape)
        row = {"shape": list(shape)}
        row.update({f"{alg}_ms": timed_draw(shape, alg) for alg in ALGORITHMS})
        row["multiply_ms"] = timed_multiply(shape)
        rows.append(row)
    return {"rows": rows, "threads": threads, "repeats": repeats}


def format_generators(report: dict) -> str:
    lines = ["| shape | " + " | ".join(f"{alg} ms" for alg in ALGORITHMS) + " | multiply ms |",
             "|---|" + "---:|" * (len(ALGORITHMS) + 1)]
    for row in report["rows"]:
        cells = [f"{row[f'{alg}_ms']:.2f}" for alg in ALGORITHMS] + [f"{row['multiply_ms']:.2f}"]
        lines.append(f"| {' x '.join(map(str, row['shape']))} | " + " | ".join(cells) + " |")
    lines.append(f"(XLA on CPU, {report['threads']} thread(s), median of {report['repeats']} "
                 "calls; `textedit benchmark random`)")
    return "\n".join(lines)

