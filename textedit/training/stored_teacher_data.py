"""Stored teacher logits: a teacher's top-k log-probabilities written once for a task split, then
read back as training data with every batch feature beside them (docs/algorithms.md#distillation).

    manifest = write_teacher_top_k(teacher, features_dataset, "workdir/teacher/gec", k=16,
                                   teacher_features=("encoder_input_tokens",
                                                     "decoder_input_tokens"),
                                   source={"task": "gec_wi_fce", "split": "train", ...})
    data = StoredTeacherData("workdir/teacher/gec")         # train.data in gin
    dataset_fn = data.dataset_fn()                          # the trainer's DatasetFn

Directory layout:

    manifest.json        what was written: the source (task, split, lengths, feature converter,
                         teacher run), k, temperature, examples, features with their shapes and
                         dtypes, files, bytes, mean remaining mass (1 - Σ top-k probabilities)
    top_k-00000.tfrecord ...   one tf.train.Example per example: every converted feature
                         (int64 lists, flattened) plus `teacher_top_k_ids` [t, k] and
                         `teacher_top_k_log_probs` [t, k] (float32)

Written in the split's fixed order (no shuffling); read with a shuffle seeded per epoch like the
SeqIO stream (`train_data.EpochBatches`), so resumption is exact.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from textedit.objectives.top_k_teacher import TOP_K_FEATURES, top_k_log_probs

MANIFEST_FILE = "manifest.json"
SHUFFLE_BUFFER = 10_000


def write_teacher_top_k(teacher, dataset: tf.data.Dataset, output_dir: str | os.PathLike, *,
                        k: int, teacher_features: Sequence[str], temperature: float = 1.0,
                        batch_size: int = 32, source: Mapping[str, Any] | None = None,
                        examples_per_file: int = 5000, log=print) -> dict:
    """Runs `teacher` over `dataset` and writes the top-k directory (module docstring).

    Args:
      teacher: a Keras model called with {name: batch[name] for name in teacher_features}
        returning logits [b, t, vocab].
      dataset: unbatched dicts of converted features (e.g. `seqio.get_dataset(..., shuffle=False)`
        without batching), every feature of one static shape.
      output_dir: created; an existing manifest there is refused (write once).
      k: ids kept per position; temperature: τ of the stored log-probabilities.
      source: recorded in the manifest (task, split, task_feature_lengths, feature_converter,
        teacher).

    Returns:
      the manifest (also written to output_dir/manifest.json).
    """
    output = Path(output_dir)
    if (output / MANIFEST_FILE).exists():
        raise FileExistsError(f"{output / MANIFEST_FILE} exists: stored logits are written once; "
                              "choose a new directory")
    output.mkdir(parents=True, exist_ok=True)
    features = {name: spec for name, spec in dataset.element_spec.items()}
    for name, spec in features.items():
        if not spec.shape.is_fully_defined():
            raise ValueError(f"feature {name!r} has shape {spec.shape}: expected a static shape "
                             "(a feature converter pads to the task feature lengths)")

    @tf.function(jit_compile=True)
    def score(batch):
        logits = teacher({name: batch[name] for name in teacher_features}, training=False)
        return top_k_log_probs(logits, k, temperature)

    files, written, rest_sum, positions = [], 0, 0.0, 0
    writer = None
    for batch in dataset.batch(batch_size):
        ids, log_probs = (np.asarray(t) for t in score(batch))
        weights = np.asarray(batch.get("decoder_loss_weights", np.ones(ids.shape[:2])))
        rest = 1.0 - np.exp(log_probs).sum(-1)
        rest_sum += float((rest * (weights > 0)).sum())
        positions += int((weights > 0).sum())
        for row in range(ids.shape[0]):
            if written % examples_per_file == 0:
                if writer is not None:
                    writer.close()
                files.append(f"top_k-{len(files):05d}.tfrecord")
                writer = tf.io.TFRecordWriter(str(output / files[-1]))
            values = {name: np.asarray(batch[name][row]) for name in features}
            values["teacher_top_k_ids"] = ids[row]
            values["teacher_top_k_log_probs"] = log_probs[row]
            writer.write(_example(values).SerializeToString())
            written += 1
        if written % (batch_size * 50) < batch_size:
            log(f"teacher top-{k}: {written} examples written")
    if writer is not None:
        writer.close()
    length = next(iter(features.values())).shape[0] if features else 0
    manifest = {
        "source": dict(source or {}), "top_k": k, "temperature": temperature,
        "examples": written,
        "features": {**{name: {"shape": spec.shape.as_list(), "dtype": "int32"}
                        for name, spec in features.items()},
                     TOP_K_FEATURES[0]: {"shape": [length, k], "dtype": "int32"},
                     TOP_K_FEATURES[1]: {"shape": [length, k], "dtype": "float32"}},
        "files": files,
        "bytes": sum((output / f).stat().st_size for f in files),
        "mean_remaining_mass": rest_sum / max(positions, 1),
    }
    temporary = output / (MANIFEST_FILE + ".tmp")
    temporary.write_text(json.dumps(manifest, indent=1) + "\n")
    os.replace(temporary, output / MANIFEST_FILE)
    return manifest


def _example(values: Mapping[str, np.ndarray]) -> tf.train.Example:
    feature = {}
    for name, value in values.items():
        flat = np.asarray(value).reshape(-1)
        if np.issubdtype(flat.dtype, np.floating):
            feature[name] = tf.train.Feature(float_list=tf.train.FloatList(value=flat))
        else:
            feature[name] = tf.train.Feature(int64_list=tf.train.Int64List(value=flat))
    return tf.train.Example(features=tf.train.Features(feature=feature))


def read_manifest(directory: str | os.PathLike) -> dict:
    path = Path(directory) / MANIFEST_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: not a directory written by "
                                "`textedit teacher_logits`")
    return json.loads(path.read_text())


def read_teacher_top_k(directory: str | os.PathLike, shard_info=None) -> tf.data.Dataset:
    """The stored examples in written order: dicts of int32 / float32 tensors of the manifest's
    shapes. shard_info (seqio.ShardInfo or None): this input pipeline's share of the files."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    files = [str(directory / f) for f in manifest["files"]]
    parsing = {}
    for name, spec in manifest["features"].items():
        dtype = tf.float32 if spec["dtype"] == "float32" else tf.int64
        parsing[name] = tf.io.FixedLenFeature(spec["shape"], dtype)
    dataset = tf.data.TFRecordDataset(files)
    if shard_info is not None:
        dataset = dataset.shard(shard_info.num_shards, shard_info.index)

    def parse(record):
        parsed = tf.io.parse_single_example(record, parsing)
        return {name: value if value.dtype == tf.float32 else tf.cast(value, tf.int32)
                for name, value in parsed.items()}

    return dataset.map(parse, num_parallel_calls=tf.data.AUTOTUNE)


@dataclasses.dataclass
class StoredTeacherData:
    """Training data from a stored top-k directory, in the role of `TrainDataConfig`.

    Attributes:
      directory: written by `write_teacher_top_k` (`textedit teacher_logits`).
    The task, split and lengths are the manifest's (`textedit train` reads them for its
    vocabulary check and run.json).
    """

    directory: str

    @property
    def manifest(self) -> dict:
        return read_manifest(self.directory)

    @property
    def mixture_or_task_name(self) -> str:
        return self.manifest["source"]["task"]

    @property
    def task_feature_lengths(self) -> dict[str, int]:
        return dict(self.manifest["source"]["task_feature_lengths"])

    @property
    def split(self) -> str:
        return self.manifest["source"]["split"]

    def dataset_fn(self):
        """(seed, shard_info, batch_size) -> one shuffled epoch of full batches."""
        directory = self.directory

        def dataset_fn(seed: int, shard_info, batch_size: int) -> tf.data.Dataset:
            dataset = read_teacher_top_k(directory, shard_info)
            dataset = dataset.shuffle(SHUFFLE_BUFFER, seed=seed, reshuffle_each_iteration=False)
            return dataset.batch(batch_size, drop_remainder=True)

        return dataset_fn
