"""Run as a script (a fresh process: logical devices must be set before TensorFlow starts).

Trains the stand-in model for 3 steps on the same global batches under the default strategy and
under MirroredStrategy over 2 logical CPU devices, from the same initial weights (same seed), and
prints one JSON line: each run's losses and gradient norms and the largest weight difference at
the end.
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

from textedit.training.distribution import split_logical_cpus  # noqa: E402

DEVICES = split_logical_cpus(2)

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from stand_in import StandInSeq2Seq, copy_task_arrays, in_memory_dataset_fn  # noqa: E402

from textedit.objectives.seq2seq import seq2seq_objective  # noqa: E402
from textedit.training.optimizers import make_optimizer  # noqa: E402
from textedit.training.schedules import WarmupDecay  # noqa: E402
from textedit.training.train_data import EpochBatches  # noqa: E402
from textedit.training.train_step import TrainStep  # noqa: E402


def run(strategy):
    keras.utils.set_random_seed(0)
    with strategy.scope():
        model = StandInSeq2Seq(name="m")
        arrays = copy_task_arrays(64)
        model({k: arrays[k][:1] for k in ("encoder_input_tokens", "decoder_input_tokens")})
        optimizer = make_optimizer("adamw", WarmupDecay(1e-2, 2), weight_decay=0.01)
        optimizer.build(model.trainable_variables)
    # Variable-length weights: padding in the second half of the batch makes replicas' token
    # counts differ, so a per-replica mean would give a different loss than the global one.
    arrays["decoder_loss_weights"][32:, 3:] = 0
    stream = EpochBatches(in_memory_dataset_fn(arrays), strategy, global_batch_size=16, seed=3)
    step = TrainStep(model, seq2seq_objective(z_loss=1e-4), optimizer, strategy, clip_grad_norm=0.5)
    losses, norms = [], []
    for _ in range(3):
        stats = step(next(stream))
        losses.append(float(stats["loss"]))
        norms.append(float(stats["grad_norm"]))
    return model, losses, norms


default_model, default_losses, default_norms = run(tf.distribute.get_strategy())
mirrored = tf.distribute.MirroredStrategy(DEVICES)
mirrored_model, mirrored_losses, mirrored_norms = run(mirrored)
difference = max(float(np.max(np.abs(a - b)))
                 for a, b in zip(default_model.get_weights(), mirrored_model.get_weights(),
                                 strict=True))
print(json.dumps({
    "replicas": mirrored.num_replicas_in_sync,
    "default_losses": default_losses, "mirrored_losses": mirrored_losses,
    "default_grad_norms": default_norms, "mirrored_grad_norms": mirrored_norms,
    "max_weight_difference": difference,
}))
