"""Run as a script: one process of the multi-worker test (tests/training/test_multiworker.py).

    python multiworker_check.py worker INDEX PORT0,PORT1 MODEL_DIR OUT [--kill_after_step K]
    python multiworker_check.py single MODEL_DIR STEPS OUT [MODEL_DIR STEPS OUT ...]

`worker`: sets TF_CONFIG for worker INDEX of a cluster on the loopback PORTS, creates the
strategy with `make_strategy("multiworker")` (after short coordination bounds: 5 s heartbeats),
trains the stand-in seq2seq model with the real trainer for STEPS_MULTI steps (checkpoints every
2) and writes its final weights to OUT.npz. With --kill_after_step K the worker SIGKILLs itself
right after saving checkpoint K (its peer must then fail with WorkerLostError, not hang).
`single`: the same training in one process without a cluster, for each (MODEL_DIR, STEPS, OUT)
in turn, in the same directory resuming where the previous call stopped.

Both read the same global batches: the data function shuffles all examples with the epoch's
seed, cuts them into per-replica batches and gives input pipeline i of n every n-th batch, so
the two workers' batches of a step together are exactly the one-process global batch.
"""

import json
import os
import signal
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

MODE = sys.argv[1]
if MODE == "worker":
    INDEX, PORTS = int(sys.argv[2]), sys.argv[3].split(",")
    os.environ["TF_CONFIG"] = json.dumps({
        "cluster": {"worker": [f"localhost:{port}" for port in PORTS]},
        "task": {"type": "worker", "index": INDEX}})

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.threading.set_inter_op_parallelism_threads(1)

from stand_in import StandInSeq2Seq, copy_task_arrays  # noqa: E402

from textedit.objectives.seq2seq import seq2seq_objective  # noqa: E402
from textedit.training.distribution import make_strategy  # noqa: E402
from textedit.training.multiworker import configure_cluster_timeouts  # noqa: E402
from textedit.training.optimizers import make_optimizer  # noqa: E402
from textedit.training.schedules import WarmupDecay  # noqa: E402
from textedit.training.trainer import TrainConfig, train  # noqa: E402

GLOBAL_BATCH = 16
EXAMPLES = 64  # 4 steps per epoch: the runs cross an epoch boundary


def dataset_fn(seed, shard_info, batch_size):
    """One epoch: shuffled by `seed`, per-replica batches, every n-th one for pipeline i."""
    arrays = copy_task_arrays(EXAMPLES)
    # Padding in half of the examples: the workers' token counts differ within a step, so only
    # the global normaliser gives the one-process loss.
    arrays["decoder_loss_weights"][EXAMPLES // 2:, 3:] = 0
    dataset = tf.data.Dataset.from_tensor_slices(arrays).shuffle(EXAMPLES, seed=seed)
    dataset = dataset.batch(batch_size, drop_remainder=True)
    if shard_info is not None:
        dataset = dataset.shard(shard_info.num_shards, shard_info.index)
    return dataset


def run(model_dir, steps, strategy, log=print):
    keras.utils.set_random_seed(0)
    model = {}

    def model_fn():
        model["m"] = StandInSeq2Seq(dropout=0.0, name="m")
        return model["m"]

    train(TrainConfig(model_dir, train_steps=steps, batch_size=GLOBAL_BATCH, checkpoint_every=2,
                      keep_checkpoints=5, log_every=1),
          model_fn, seq2seq_objective(),
          lambda: make_optimizer("adamw", WarmupDecay(1e-2, 2), weight_decay=0.01),
          dataset_fn, strategy=strategy, log=log)
    return model["m"]


def save_weights(model, out):
    np.savez(out + ".npz", *model.get_weights())


if MODE == "worker":
    model_dir, out = sys.argv[4], sys.argv[5]
    kill_after = int(sys.argv[7]) if "--kill_after_step" in sys.argv else None

    def log(line):
        print(line, flush=True)
        if kill_after is not None and line.startswith("saved ") and line.endswith(
                f"ckpt-{kill_after}"):
            os.kill(os.getpid(), signal.SIGKILL)  # a worker lost without any goodbye

    configure_cluster_timeouts(heartbeat_seconds=5, register_seconds=120)
    strategy = make_strategy("multiworker")
    save_weights(run(model_dir, int(os.environ.get("STEPS_MULTI", "4")), strategy, log), out)
    print(json.dumps({"replicas": strategy.num_replicas_in_sync}), flush=True)
else:
    for i in range(2, len(sys.argv), 3):
        model_dir, steps, out = sys.argv[i], int(sys.argv[i + 1]), sys.argv[i + 2]
        save_weights(run(model_dir, steps, tf.distribute.get_strategy()), out)
