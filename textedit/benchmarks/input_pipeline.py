"""Input pipeline speed (`textedit benchmark input`): the trainer's SeqIO pipeline for a task,
preprocessed on the fly against read from its Apache Beam cache (`textedit cache_tasks`).

Both sides are the dataset the trainer steps through (`seqio_train_dataset`: shuffled, feature
converter applied, batched; EdiT5 tasks through `EditFeatureConverter`), one process, read to
host memory batch by batch. Reported per side: the start-up (building the pipeline and the
first batch: the shuffle buffer fills there), then examples/s and ms per batch over the next
`batches` batches, and for the cached side the cache's size on disk. Uncached, every example
is read, tokenised and (edit5_<task>) converted to edits now; cached, those steps were done
once offline and only the length filter and the feature converter run.

A pipeline keeps a train step fed without waiting when its ms per batch stays well under the
step's (`textedit benchmark train` measures that at the same batch size); with `step_ms`
given, the report states the ratio.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence


def time_batches(dataset, batches: int) -> dict:
    """Start-up (first batch) and the steady rate over `batches` more batches of `dataset`."""
    start = time.perf_counter()
    iterator = iter(dataset.as_numpy_iterator())
    first = next(iterator)
    startup = time.perf_counter() - start
    batch_size = len(next(iter(first.values())))
    start = time.perf_counter()
    read = 0
    for _ in range(batches):
        try:
            next(iterator)
        except StopIteration:
            break
        read += 1
    seconds = time.perf_counter() - start
    if read == 0:
        raise ValueError("the pipeline ended after its first batch; lower `batches` or use a "
                         "larger split")
    return {"startup_seconds": startup, "batches": read, "seconds": seconds,
            "ms_per_batch": 1000 * seconds / read,
            "examples_per_second": read * batch_size / seconds}


def benchmark_input(task: str, task_feature_lengths: Mapping[str, int], *, cache_dirs:
                    Sequence[str], feature_converter=None, batch_size: int = 64,
                    batches: int = 50, split: str = "train",
                    step_ms: float | None = None) -> dict:
    """Times the uncached and the cached pipeline of `task` (module docstring)."""
    import seqio

    from textedit.data.task_cache import cache_size_bytes
    from textedit.training.train_data import check_cached, seqio_train_dataset

    check_cached(task, cache_dirs)  # fails early, naming `textedit cache_tasks`, if not cached
    report = {"task": task, "split": split, "lengths": dict(task_feature_lengths),
              "batch_size": batch_size,
              "cache_dir": seqio.get_mixture_or_task(task).cache_dir,
              "cache_bytes": cache_size_bytes(seqio.get_mixture_or_task(task).cache_dir)}
    for name, use_cached in (("uncached", False), ("cached", True)):
        dataset_fn = seqio_train_dataset(task, task_feature_lengths, split, feature_converter,
                                         use_cached)
        report[name] = time_batches(dataset_fn(0, None, batch_size), batches)
    report["speedup"] = (report["cached"]["examples_per_second"]
                         / report["uncached"]["examples_per_second"])
    if step_ms:
        report["step_ms"] = step_ms
        for name in ("uncached", "cached"):
            report[name]["share_of_step"] = report[name]["ms_per_batch"] / step_ms
    return report


def format_report(r: dict) -> str:
    """The report as text, one side a line."""
    lines = [f"{r['task']} ({r['split']}), lengths {r['lengths']}, batch {r['batch_size']}; "
             f"cache {r['cache_dir']}: {r['cache_bytes'] / 1e6:.1f} MB",
             f"{'pipeline':<10}{'start-up s':>11}{'batches':>9}{'ms/batch':>10}"
             f"{'examples/s':>12}" + (f"{'of a step':>11}" if "step_ms" in r else "")]
    for name in ("uncached", "cached"):
        side = r[name]
        lines.append(f"{name:<10}{side['startup_seconds']:>11.1f}{side['batches']:>9}"
                     f"{side['ms_per_batch']:>10.1f}{side['examples_per_second']:>12,.0f}"
                     + (f"{100 * side['share_of_step']:>10.1f}%" if "step_ms" in r else ""))
    lines.append(f"cached / uncached examples/s: {r['speedup']:.1f}x"
                 + (f"; train step {r['step_ms']:.0f} ms (given)" if "step_ms" in r else ""))
    return "\n".join(lines)
