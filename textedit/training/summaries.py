"""TensorBoard scalars written with core TensorFlow only (the `tensorboard` package is optional).

`tf.summary.scalar` lives in the tensorboard package; these helpers write the same events through
`tf.summary.write` with the scalar plugin's metadata, so TensorBoard shows them as usual:

    writer = tf.summary.create_file_writer("runs/x/train")
    with writer.as_default():
        write_scalar("loss", 2.3, step=100)

`ScalarSummaryLogger` is a `seqio.Logger` doing the same for evaluation metrics (tag
`eval/<metric>` under `<log_dir>/<task>/`, as seqio.TensorBoardLogger names them).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import seqio
import tensorflow as tf
from tensorflow.core.framework import summary_pb2
from tensorflow.core.util import event_pb2

_SCALAR_PLUGIN = "scalars"


def _scalar_metadata() -> summary_pb2.SummaryMetadata:
    metadata = summary_pb2.SummaryMetadata()
    metadata.plugin_data.plugin_name = _SCALAR_PLUGIN
    metadata.data_class = summary_pb2.DATA_CLASS_SCALAR
    return metadata


def write_scalar(name: str, value: float, step: int) -> None:
    """One scalar event on the default summary writer."""
    tf.summary.write(name, tf.constant(float(value), tf.float32), step=step,
                     metadata=_scalar_metadata())


def read_scalars(log_dir: str | os.PathLike) -> dict[str, list[tuple[int, float]]]:
    """{tag: [(step, value)]} of every event file under `log_dir` (tests, tools)."""
    found: dict[str, list[tuple[int, float]]] = {}
    for path in sorted(tf.io.gfile.glob(os.path.join(str(log_dir), "events.out.tfevents.*"))):
        for record in tf.data.TFRecordDataset(path):
            event = event_pb2.Event.FromString(record.numpy())
            for value in event.summary.value:
                number = float(tf.make_ndarray(value.tensor)) if value.HasField("tensor") else (
                    float(value.simple_value))
                found.setdefault(value.tag, []).append((int(event.step), number))
    return found


class ScalarSummaryLogger(seqio.Logger):
    """Writes each evaluation's scalar metrics to `<output_dir>/<task>/` as `eval/<metric>`."""

    def __init__(self, output_dir: str):
        super().__init__(output_dir)
        self._writers: dict[str, Any] = {}

    def __call__(self, task_name: str, step: int | None, metrics: Mapping[str, Any],
                 dataset: tf.data.Dataset | None, inferences: Mapping[str, Sequence[Any]] | None,
                 targets: Sequence[Any] | None) -> None:
        del dataset, inferences, targets
        if task_name not in self._writers:
            self._writers[task_name] = tf.summary.create_file_writer(
                os.path.join(self.output_dir, task_name))
        writer = self._writers[task_name]
        with writer.as_default():
            for name, value in metrics.items():
                number = getattr(value, "value", value)
                if np.ndim(number) == 0:
                    write_scalar(f"eval/{name}", float(number), -1 if step is None else step)
        writer.flush()
