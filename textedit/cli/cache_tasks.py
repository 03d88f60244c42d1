"""Caches SeqIO tasks offline with Apache Beam (SeqIO's cache pipeline; needs apache-beam).

    textedit cache_tasks --tasks edit5_gec_wi_fce --cache_dir workdir/seqio_cache
    textedit cache_tasks --tasks edit5_gec_wi_fce edit5_jfleg --cache_dir gs://BUCKET/cache \\
        --pipeline_option=--runner=DataflowRunner --pipeline_option=--project=PROJECT \\
        --pipeline_option=--region=REGION --pipeline_option=--temp_location=gs://BUCKET/tmp

Runs, for each task and split (--splits, default train), the task's source and its
preprocessors up to SeqIO's CacheDatasetPlaceholder (for edit5_<task>: tokenisation and the
EdiT5 conversion, the expensive part) and writes TFRecord shards plus SeqIO's info / stats
files under CACHE_DIR/<task>/ (textedit/data/task_cache.py). Tasks already cached there are skipped
(--overwrite redoes them). The default runner is Beam's DirectRunner on this machine; any
other runner (Dataflow, Flink: --runner=FlinkRunner --flink_master=HOST:PORT, Spark:
--runner=SparkRunner) takes its own options through repeated --pipeline_option flags, and its
workers need this project installed and the data directory (TEXTEDIT_DATA_DIR).

Train on the cache with `textedit train ... --gin.USE_CACHED=True
--gin.CACHE_DIRS="['workdir/seqio_cache']"`; `textedit benchmark input` compares the cached and
uncached input pipelines.
"""

from __future__ import annotations

import argparse
import time

from textedit.cli.flags import add_data_flags, apply_data_flags, register_tasks

HELP = "cache SeqIO tasks offline with Apache Beam (DirectRunner here; Dataflow/Flink/Spark)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tasks", nargs="+", required=True,
                        help="task names (edit5_<task>, pre-training tasks: those with a "
                             "CacheDatasetPlaceholder)")
    parser.add_argument("--cache_dir", required=True, help="where the task caches are written")
    parser.add_argument("--pipeline_option", action="append", default=[],
                        help="a Beam pipeline option, repeatable (default --runner=DirectRunner)")
    parser.add_argument("--splits", nargs="+", default=["train"],
                        help="splits to cache (default: %(default)s, what training reads)")
    parser.add_argument("--min_shards", type=int, default=1,
                        help="TFRecord shards per split at least (default %(default)s)")
    parser.add_argument("--overwrite", action="store_true", help="redo tasks already cached")
    add_data_flags(parser)


def import_tasks() -> None:
    """A Beam worker's set-up: registers the built-in tasks (picklable by reference)."""
    import tasks  # noqa: F401


def run(args: argparse.Namespace) -> int:
    apply_data_flags(args)
    try:
        import apache_beam  # noqa: F401
    except ImportError as error:
        raise SystemExit(f"textedit cache_tasks needs Apache Beam ({error}); see the README's "
                         "'Caching tasks with Apache Beam' for the install") from None
    register_tasks(args)
    from textedit.data.task_cache import cache_size_bytes, cache_tasks

    start = time.perf_counter()
    try:
        written = cache_tasks(args.tasks, args.cache_dir,
                              args.pipeline_option or ["--runner=DirectRunner"],
                              setup_fn=import_tasks, min_shards=args.min_shards,
                              overwrite=args.overwrite, splits=args.splits)
    except ValueError as error:
        raise SystemExit(f"textedit cache_tasks: {error}") from None
    seconds = time.perf_counter() - start
    for directory in written:
        print(f"cached {directory}: {cache_size_bytes(directory) / 1e6:.1f} MB", flush=True)
    skipped = len(args.tasks) - len(written)
    print(f"done in {seconds:.0f}s: {len(written)} task(s) cached"
          + (f", {skipped} already cached (--overwrite redoes them)" if skipped else ""),
          flush=True)
    return 0
