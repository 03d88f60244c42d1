"""Run as a script (a fresh process: logical devices must be set before TensorFlow starts).

    python mirrored_check.py [seq2seq|edit5]

Trains the stand-in model (seq2seq objective) or a tiny EdiT5 model (edit5 objective, whose
three loss parts each have their own normaliser) for 3 steps on the same global batches under
the default strategy and under MirroredStrategy over 2 logical CPU devices, from the same
initial weights (same seed), and prints one JSON line: each run's losses and gradient norms and
the largest weight difference at the end, of the trained weights and of their moving average
(updated inside the replica step).
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

from textedit.objectives.edit5_loss import edit5_objective  # noqa: E402
from textedit.objectives.seq2seq import seq2seq_objective  # noqa: E402
from textedit.training.optimizers import make_optimizer  # noqa: E402
from textedit.training.schedules import WarmupDecay  # noqa: E402
from textedit.training.train_data import EpochBatches  # noqa: E402
from textedit.training.train_step import TrainStep  # noqa: E402
from textedit.training.weight_average import WeightAverage  # noqa: E402

MODE = sys.argv[1] if len(sys.argv) > 1 else "seq2seq"


def seq2seq_setup():
    model = StandInSeq2Seq(name="m")
    arrays = copy_task_arrays(64)
    model({k: arrays[k][:1] for k in ("encoder_input_tokens", "decoder_input_tokens")})
    # Variable-length weights: padding in the second half of the batch makes replicas' token
    # counts differ, so a per-replica mean would give a different loss than the global one.
    arrays["decoder_loss_weights"][32:, 3:] = 0
    return model, arrays, seq2seq_objective(z_loss=1e-4)


def edit5_setup():
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models"))
    from edit5_cases import POSITIONS, VOCAB, features

    from textedit.models import Edit5Config, Edit5Model, T5Config

    config = Edit5Config(
        t5=T5Config.named("tiny", vocab_size=VOCAB, num_decoder_layers=1, dropout_rate=0.0),
        max_input_length=8, num_position_tokens=POSITIONS)
    model = Edit5Model(config, name="m")
    # The two example rows (different numbers of tags, kept rows and decoder tokens) in a
    # 48 / 16 mix: shuffled batches give the replicas different counts of every part.
    rows = np.array([0] * 48 + [1] * 16)
    arrays = {name: value[rows] for name, value in features().items()}
    return model, arrays, edit5_objective(reduction={"tag": "sum", "pointer": "mean"})


def run(strategy):
    keras.utils.set_random_seed(0)
    with strategy.scope():
        model, arrays, objective = edit5_setup() if MODE == "edit5" else seq2seq_setup()
        optimizer = make_optimizer("adamw", WarmupDecay(1e-2, 2), weight_decay=0.01)
        optimizer.build(model.trainable_variables)
        average = WeightAverage(model, decay=0.5)
    stream = EpochBatches(in_memory_dataset_fn(arrays), strategy, global_batch_size=16, seed=3)
    step = TrainStep(model, objective, optimizer, strategy, clip_grad_norm=0.5,
                     weight_average=average)
    losses, norms = [], []
    for _ in range(3):
        stats = step(next(stream))
        losses.append(float(stats["loss"]))
        norms.append(float(stats["grad_norm"]))
    return model, losses, norms, [v.numpy() for v in average.averages.values()]


default_model, default_losses, default_norms, default_average = run(tf.distribute.get_strategy())
mirrored = tf.distribute.MirroredStrategy(DEVICES)
mirrored_model, mirrored_losses, mirrored_norms, mirrored_average = run(mirrored)
difference = max(float(np.max(np.abs(a - b)))
                 for a, b in zip(default_model.get_weights(), mirrored_model.get_weights(),
                                 strict=True))
print(json.dumps({
    "replicas": mirrored.num_replicas_in_sync,
    "default_losses": default_losses, "mirrored_losses": mirrored_losses,
    "default_grad_norms": default_norms, "mirrored_grad_norms": mirrored_norms,
    "max_weight_difference": difference,
    "max_average_difference": max(float(np.max(np.abs(a - b))) for a, b in zip(
        default_average, mirrored_average, strict=True)),
    "average_moved": max(float(np.max(np.abs(a - b))) for a, b in zip(
        default_average, default_model.trainable_variables, strict=True)),
}))
