"""Offline caching of SeqIO tasks with Apache Beam (`textedit cache_tasks`).

    with beam.Pipeline(options=PipelineOptions(["--runner=DirectRunner"])) as pipeline:
        add_cache_steps(pipeline, ["edit5_gec_wi_fce"], "workdir/seqio_cache")
    # then: seqio.add_global_cache_dirs(["workdir/seqio_cache"]) and read with use_cached=True

The pipeline is SeqIO's own (`seqio.scripts.cache_tasks_main.run_pipeline`), assembled from
`seqio.beam_utils` without its absl flags: for each split, `PreprocessTask` (the task's source
and its preprocessors up to `CacheDatasetPlaceholder`: for `edit5_<task>`, tokenisation and the
EdiT5 conversion, the expensive part), a global `Reshuffle`, `WriteExampleTfRecord` shards and
the `info` / `stats` JSON files; a `COMPLETED` file marks the task's directory as done. Readers
find it as `<cache_dir>/<task dir>/` (seqio.get_task_dir_from_name) once the cache directory is
registered with `seqio.add_global_cache_dirs`; the preprocessors after the placeholder (length
filters, feature conversion) still run at read time.

Any Beam runner runs it: DirectRunner here, Dataflow / Flink / Spark with their pipeline
options. Remote workers must be able to register the tasks and read the data: they call
`setup_fn` before preprocessing a shard (`textedit cache_tasks` passes one that imports the
built-in `tasks` package), so the project and the data directory (TEXTEDIT_DATA_DIR) must exist
on them too.

Only tasks with a `CacheDatasetPlaceholder` can be cached (`edit5_*`, the pre-training tasks);
asking for another is an error naming the cachable ones.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence


def _no_setup() -> None:
    """Workers that share this process's task registry (DirectRunner in process) need none."""


def cachable_tasks() -> list[str]:
    """Registered tasks that have a CacheDatasetPlaceholder."""
    import seqio

    return sorted(name for name in seqio.TaskRegistry.names()
                  if seqio.TaskRegistry.get(name).supports_caching)


def add_cache_steps(pipeline, task_names: Sequence[str], cache_dir: str | os.PathLike,
                    setup_fn: Callable[[], None] = _no_setup, min_shards: int = 1,
                    overwrite: bool = False, splits: Sequence[str] | None = None) -> list[str]:
    """Adds the caching of each task (module docstring) to `pipeline`; returns the task cache
    directories it will write. A task already cached in `cache_dir` is skipped unless
    `overwrite`; `min_shards` TFRecord shards at least per split; `splits` (None = all the
    task's splits) must be splits of every task."""
    import apache_beam as beam
    import seqio
    import tensorflow as tf
    from seqio import beam_utils

    cache_dir = str(cache_dir)
    unknown = [name for name in task_names if name not in seqio.TaskRegistry.names()]
    not_cachable = [name for name in task_names
                    if name not in unknown and not seqio.TaskRegistry.get(name).supports_caching]
    if unknown or not_cachable:
        raise ValueError(f"cannot cache {unknown + not_cachable}: "
                         + (f"unknown task(s) {unknown}; " if unknown else "")
                         + (f"no CacheDatasetPlaceholder in {not_cachable}; " if not_cachable
                            else "")
                         + f"cachable tasks: {', '.join(cachable_tasks())}")
    output_dirs = []
    for name in task_names:
        task = seqio.TaskRegistry.get(name)
        output_dir = os.path.join(cache_dir, seqio.get_task_dir_from_name(name))
        if tf.io.gfile.exists(os.path.join(output_dir, "COMPLETED")):
            if not overwrite:
                continue
        if tf.io.gfile.exists(output_dir):
            tf.io.gfile.rmtree(output_dir)  # a finished cache to redo, or a half-written one
        output_dirs.append(output_dir)
        done = []
        missing = sorted(set(splits or ()) - set(task.splits))
        if missing:
            raise ValueError(f"task {name} has no split(s) {missing}; its splits: {task.splits}")
        for split in splits or task.splits:
            label = f"{name}_{split}"
            preprocess = beam_utils.PreprocessTask(task, split, setup_fn=setup_fn)
            shards = max(len(preprocess.shards), min_shards)
            examples = (pipeline
                        | f"{label}_preprocess" >> preprocess
                        # Shuffles globally as a side effect (SeqIO's pipeline does the same).
                        | f"{label}_shuffle" >> beam.Reshuffle())
            done.append(examples | f"{label}_write" >> beam_utils.WriteExampleTfRecord(
                seqio.get_cached_tfrecord_prefix(output_dir, split), num_shards=shards))
            done.append(examples | f"{label}_info" >> beam_utils.GetInfo(shards)
                        | f"{label}_write_info" >> beam_utils.WriteJson(
                            seqio.get_cached_info_path(output_dir, split)))
            done.append(examples | f"{label}_stats" >> beam_utils.GetStats(task.output_features)
                        | f"{label}_write_stats" >> beam_utils.WriteJson(
                            seqio.get_cached_stats_path(output_dir, split)))
        _ = (done
             | f"{name}_flatten" >> beam.Flatten()
             | f"{name}_nothing" >> beam.Filter(lambda _: False)
             | f"{name}_completed" >> beam.io.textio.WriteToText(
                 os.path.join(output_dir, "COMPLETED"), append_trailing_newlines=False,
                 num_shards=1, shard_name_template=""))
    return output_dirs


def cache_tasks(task_names: Sequence[str], cache_dir: str | os.PathLike,
                pipeline_args: Sequence[str] = ("--runner=DirectRunner",),
                setup_fn: Callable[[], None] = _no_setup, min_shards: int = 1,
                overwrite: bool = False, splits: Sequence[str] | None = None) -> list[str]:
    """Runs the caching pipeline (module docstring) to the end; returns the task directories
    written (tasks already cached are skipped)."""
    import apache_beam as beam
    import tensorflow as tf

    tf.io.gfile.makedirs(str(cache_dir))
    options = beam.options.pipeline_options.PipelineOptions(list(pipeline_args))
    with beam.Pipeline(options=options) as pipeline:
        written = add_cache_steps(pipeline, task_names, cache_dir, setup_fn, min_shards,
                                  overwrite, splits)
    return written


def cache_size_bytes(task_cache_dir: str | os.PathLike) -> int:
    """Bytes of one task's cache directory (TFRecord shards and JSON files)."""
    import tensorflow as tf

    total = 0
    for directory, _, files in tf.io.gfile.walk(str(task_cache_dir)):
        total += sum(tf.io.gfile.stat(os.path.join(directory, f)).length for f in files)
    return total
