"""Multi-worker training (MultiWorkerMirroredStrategy): who writes, and a lost worker's failure.

Every worker runs the same command with its own TF_CONFIG (cluster spec and task index) and
executes every train step: the replicas' gradient and loss sums are all-reduced across workers
(textedit/training/train_step.py), so all workers hold the same weights. Writing is the chief's
job (task "chief", or "worker" 0 when the cluster has no chief):

    model.json, train/ summaries, evaluation     chief only
    checkpoints                                  every worker saves (TensorFlow's rule for this
                                                 strategy: saving is a collective step), the
                                                 chief into MODEL_DIR/checkpoints, the others
                                                 into a temporary directory deleted at once
    restore on restart                           every worker reads MODEL_DIR/checkpoints, so
                                                 MODEL_DIR must be shared storage (NFS, GCS) or
                                                 the chief's copied to every machine

A worker that dies or becomes unreachable stops the others: the coordination service that
TensorFlow starts for the cluster misses its heartbeats for `heartbeat_seconds` and aborts the
collectives of the surviving workers, and the trainer turns the error into `WorkerLostError`
naming the step and the checkpoint to resume from (restart every worker with the same command).
Without that bound a surviving worker would wait in its all-reduce forever. Workers that do
not all come up within `register_seconds` fail the same way at start-up.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator

import tensorflow as tf

from textedit.training.checkpoints import RunCheckpoints

# Bounds of the coordination service (TensorFlow's defaults wait an hour for the cluster to
# register and detect a dead peer only through gRPC errors, which may never come).
HEARTBEAT_SECONDS = 30
REGISTER_SECONDS = 600

# What the collectives of a surviving worker raise when a peer is gone (the exact type depends
# on where in the step the loss is noticed: heartbeat abort, closed socket, cancelled op).
_PEER_ERRORS = (tf.errors.UnavailableError, tf.errors.AbortedError, tf.errors.CancelledError,
                tf.errors.DeadlineExceededError, tf.errors.InternalError)


class WorkerLostError(RuntimeError):
    """A multi-worker run stopped because another worker died or became unreachable."""


def configure_cluster_timeouts(heartbeat_seconds: int = HEARTBEAT_SECONDS,
                               register_seconds: int = REGISTER_SECONDS) -> None:
    """Starts TensorFlow's coordination service for the TF_CONFIG cluster with bounded waits.

    Must run before the strategy is created and before TensorFlow runs any op (the service is
    part of the runtime's start-up); the strategy then uses this configuration instead of its
    own unbounded one. The first call wins (a test sets short bounds before `make_strategy`
    sets the defaults). A no-op without a TF_CONFIG cluster.
    """
    from tensorflow.compiler.xla.tsl.protobuf import coordination_config_pb2
    from tensorflow.python.distribute import multi_worker_util
    from tensorflow.python.eager import context

    cluster = tf.distribute.cluster_resolver.TFConfigClusterResolver().cluster_spec()
    if not cluster.jobs or context.context().coordination_service is not None:
        return
    jobs = [coordination_config_pb2.CoordinatedJob(name=job, num_tasks=cluster.num_tasks(job))
            for job in ("chief", "worker") if job in cluster.jobs]
    context.context().configure_coordination_service(
        service_type="standalone",
        service_leader=multi_worker_util.coordination_leader(cluster),
        heartbeat_timeout_in_ms=heartbeat_seconds * 1000,
        cluster_register_timeout_in_ms=register_seconds * 1000,
        shutdown_barrier_timeout_in_ms=register_seconds * 1000,
        coordinated_jobs=jobs)


def worker_task(strategy: tf.distribute.Strategy) -> tuple[str | None, int]:
    """(task type, task index) of this process in its cluster; (None, 0) outside a cluster."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.cluster_spec().jobs:
        return None, 0
    return resolver.task_type, int(resolver.task_id or 0)


def is_chief(strategy: tf.distribute.Strategy) -> bool:
    """True for the process that writes the run directory (module docstring)."""
    task_type, task_id = worker_task(strategy)
    if task_type is None or task_type == "chief":
        return True
    has_chief = "chief" in strategy.cluster_resolver.cluster_spec().jobs
    return task_type == "worker" and task_id == 0 and not has_chief


class WorkerCheckpoints(RunCheckpoints):
    """A non-chief worker's checkpoints: restored from the run's directory like the chief's,
    saved into a temporary directory that is deleted right after (module docstring)."""

    def save(self, step: int, data_epoch: int = 0, data_offset: int = 0) -> str:
        self.step.assign(step)
        self.data_epoch.assign(data_epoch)
        self.data_offset.assign(data_offset)
        temporary = tempfile.mkdtemp(prefix="textedit-worker-checkpoint-")
        try:
            tf.train.CheckpointManager(self.checkpoint, temporary, max_to_keep=1,
                                       checkpoint_name="ckpt").save(checkpoint_number=step)
        finally:
            shutil.rmtree(temporary, ignore_errors=True)
        return os.path.join(self.directory, f"ckpt-{step}")  # the chief's copy of this step


def run_checkpoints(strategy: tf.distribute.Strategy, directory: str | os.PathLike, model,
                    optimizer, keep: int, objective_state=None,
                    averages: dict | None = None) -> RunCheckpoints:
    """The chief's `RunCheckpoints`, or a non-chief worker's `WorkerCheckpoints`."""
    kind = RunCheckpoints if is_chief(strategy) else WorkerCheckpoints
    return kind(directory, model, optimizer, keep, objective_state, averages)


def summary_writer(strategy: tf.distribute.Strategy, logdir: str | os.PathLike):
    """A TensorBoard writer into `logdir` on the chief; one that writes nothing elsewhere."""
    if is_chief(strategy):
        return tf.summary.create_file_writer(str(logdir))
    return tf.summary.create_noop_writer()


@contextlib.contextmanager
def peer_failures(strategy: tf.distribute.Strategy, step: Callable[[], int],
                  latest_checkpoint: Callable[[], str | None]) -> Iterator[None]:
    """Turns the error a lost peer causes in a multi-worker run into `WorkerLostError`."""
    task_type, task_id = worker_task(strategy)
    try:
        yield
    except _PEER_ERRORS as error:
        if task_type is None:
            raise
        message = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise WorkerLostError(
            f"multi-worker training stopped at step {step()} on {task_type} {task_id}: another "
            f"worker of the cluster died or is unreachable ({type(error).__name__}: "
            f"{message[:300]}). Restart every worker with the same command; the run resumes "
            f"from {latest_checkpoint() or 'the start (no checkpoint yet)'}.") from error
