"""Top-p filtering cost under XLA: `textedit benchmark top_p`.

`filter_logits` (textedit/decoding/sampling.py) looks for each row's nucleus among the 64, then
the 1,024 most probable tokens before it sorts the whole vocabulary
(docs/algorithms.md#top-p-without-a-full-sort). This times one jit-compiled call of it on
[batch, vocab] logits with the tiers and with the full sort (`candidates=()`, the definition),
for rows whose nucleus is small, medium or large, so what the tiers save, and what a batch that
needs the full sort pays, are both visible. Each kind of row is built from random logits with
`likely` tokens raised far above the rest (`likely` 0: plain Gaussian logits, a flat row); the
table gives the nucleus size the filter keeps (median over the rows) and checks that both
filters keep the same tokens. Median of `repeats` calls after one compiling call, in
milliseconds; the output layer's matmul of a mini model ([batch, 128] x [128, vocab]) is timed
beside as the scale of a decoding step.

    report = time_top_p(batch=32, vocab=16128, top_p=0.9, repeats=20)
    print(format_top_p(report))
"""

from __future__ import annotations

# (name, tokens raised, by how much): the nucleus lies in the first tier, the second, neither.
ROW_KINDS = (("peaked", 5, 12.0), ("medium", 300, 8.0), ("flat", 0, 0.0))


def _logits(batch: int, vocab: int, likely: int, boost: float, seed: int = 0):
    import numpy as np

    rng = np.random.default_rng(seed)
    logits = rng.normal(size=[batch, vocab]).astype(np.float32)
    if likely:
        columns = np.stack([rng.choice(vocab, likely, replace=False) for _ in range(batch)])
        logits[np.arange(batch)[:, None], columns] += boost
    return logits


def time_top_p(batch: int = 32, vocab: int = 16128, top_p: float = 0.9, repeats: int = 20,
               threads: int | None = 1) -> dict:
    """{"rows": [{"kind", "nucleus", "tiers_ms", "full_sort_ms", "same"}], "matmul_ms", ...}
    (module docstring). With `threads`, TensorFlow's thread counts are set first (a fresh
    process only)."""
    import numpy as np
    import tensorflow as tf

    from textedit.benchmarks.decode_profile import median_ms
    from textedit.decoding.sampling import TOP_P_CANDIDATES, filter_logits

    if threads is not None:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    filters = {
        "tiers": tf.function(lambda x: filter_logits(x, top_p=top_p), jit_compile=True),
        "full_sort": tf.function(lambda x: filter_logits(x, top_p=top_p, candidates=()),
                                 jit_compile=True)}
    rows = []
    for kind, likely, boost in ROW_KINDS:
        logits = tf.constant(_logits(batch, vocab, likely, boost))
        kept = {name: fn(logits).numpy() > -1e8 for name, fn in filters.items()}
        row = {"kind": kind, "nucleus": float(np.median(kept["tiers"].sum(axis=1))),
               "same": bool((kept["tiers"] == kept["full_sort"]).all())}
        row.update({f"{name}_ms": median_ms(lambda fn=fn, x=logits: fn(x).numpy(), 0, repeats)
                    for name, fn in filters.items()})
        rows.append(row)
    hidden, kernel = tf.random.normal([batch, 128]), tf.random.normal([128, vocab])
    matmul = tf.function(lambda h, w: tf.matmul(h, w), jit_compile=True)
    return {"rows": rows, "batch": batch, "vocab": vocab, "top_p": top_p,
            "tiers": list(TOP_P_CANDIDATES), "threads": threads, "repeats": repeats,
            "matmul_ms": median_ms(lambda: matmul(hidden, kernel).numpy(), 0, repeats)}


def format_top_p(report: dict) -> str:
    lines = ["| rows | nucleus (median) | tiers ms | full sort ms | same kept tokens |",
             "|---|---:|---:|---:|---|"]
    for row in report["rows"]:
        lines.append(f"| {row['kind']} | {row['nucleus']:g} | {row['tiers_ms']:.2f} | "
                     f"{row['full_sort_ms']:.2f} | {'yes' if row['same'] else 'NO'} |")
    lines.append(f"(top-p {report['top_p']:g} on [{report['batch']}, {report['vocab']}] logits, "
                 f"tiers {report['tiers']}; a mini output layer's matmul: "
                 f"{report['matmul_ms']:.2f} ms; XLA on CPU, {report['threads']} thread(s), "
                 f"median of {report['repeats']} calls; `textedit benchmark top_p`)")
    return "\n".join(lines)
