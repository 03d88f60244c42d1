"""`make_strategy`: the `tf.distribute` strategy a run trains under, by name.

    default       tf.distribute's default strategy: one device (the first GPU if any, else CPU)
    mirrored      MirroredStrategy over every local GPU (or the given devices): synchronous
                  data parallelism on one machine
    multiworker   MultiWorkerMirroredStrategy: the same over several machines, each started with
                  its own TF_CONFIG (cluster spec and task index) and the same command; the
                  chief writes the run directory, a lost worker stops the run with a clear error
                  (textedit/training/multiworker.py)
    tpu           TPUStrategy: connects to the TPU named by `tpu` ("" = the local TPU VM, or a
                  name / grpc:// address), initialises it, and replicates over its cores

Under every strategy the train step adds the replicas' gradients and loss sums before dividing by
the global normaliser (textedit/training/train_step.py), so results do not depend on the number of
replicas beyond floating-point summation order.
"""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf

STRATEGIES = ("default", "mirrored", "multiworker", "tpu")


def make_strategy(name: str = "default", devices: Sequence[str] | None = None,
                  tpu: str = "") -> tf.distribute.Strategy:
    """The strategy called `name` (module docstring); `devices` only for "mirrored"."""
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy(list(devices) if devices else None)
    if name == "multiworker":
        # Bounded waits for the cluster and for a dead worker (textedit/training/multiworker.py).
        from textedit.training.multiworker import configure_cluster_timeouts

        configure_cluster_timeouts()
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "tpu":
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu)
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        return tf.distribute.TPUStrategy(resolver)
    raise ValueError(f"strategy {name!r}: expected one of {STRATEGIES}")


def is_distributed(strategy: tf.distribute.Strategy) -> bool:
    """False for tf.distribute's default strategy (one device, no all-reduce), True otherwise."""
    return type(strategy).__name__ != "_DefaultDistributionStrategy"


def split_logical_cpus(count: int) -> list[str]:
    """Splits the CPU into `count` logical devices (before TensorFlow initialises); returns their
    names, e.g. for a MirroredStrategy test on a machine without GPUs."""
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(count)])
    return [device.name for device in tf.config.list_logical_devices("CPU")]
