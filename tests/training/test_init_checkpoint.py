"""INIT_CHECKPOINT: weights come from another run; the report lists loaded, missing, unused."""

import keras
import numpy as np
from stand_in import StandInSeq2Seq, copy_task_arrays, in_memory_dataset_fn

from textedit.objectives.seq2seq import seq2seq_objective
from textedit.training.init_checkpoint import load_initial_weights
from textedit.training.optimizers import make_optimizer
from textedit.training.trainer import TrainConfig, train


class Wider(StandInSeq2Seq):
    """The stand-in plus one extra layer (and a different output layer name)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.extra = keras.layers.Dense(16, name="extra")

    def call(self, inputs, training=False):
        return super().call(inputs, training) + 0.0 * keras.ops.sum(
            self.extra(self.embedding(inputs["decoder_input_tokens"])))


def _run(model_dir, model_fn, steps, init=None):
    return train(TrainConfig(model_dir, train_steps=steps, batch_size=16, checkpoint_every=steps,
                             init_checkpoint=init),
                 model_fn, seq2seq_objective(), lambda: make_optimizer("adamw", 1e-2),
                 in_memory_dataset_fn(copy_task_arrays(32)), log=lambda line: None)


def test_fresh_run_starts_from_the_init_checkpoint(tmp_path):
    keras.utils.set_random_seed(1)
    _run(tmp_path / "pretrain", lambda: StandInSeq2Seq(name="m"), 5)
    result = _run(tmp_path / "finetune", lambda: Wider(name="w"), 3, init=tmp_path / "pretrain")
    report = result.init_report
    assert sorted(report.loaded) == ["embedding/embeddings", "hidden/bias", "hidden/kernel",
                                     "out/bias", "out/kernel"]
    assert sorted(report.missing) == ["extra/bias", "extra/kernel"]
    assert report.unused == [] and report.mismatched == []
    assert "5 variables loaded" in report.summary()


def test_values_loaded_and_unused_and_mismatched_reported(tmp_path):
    keras.utils.set_random_seed(2)
    _run(tmp_path / "wide", lambda: Wider(name="w"), 2)
    narrow = StandInSeq2Seq(width=8, name="n")
    narrow({"encoder_input_tokens": np.ones((1, 3), np.int32),
            "decoder_input_tokens": np.ones((1, 2), np.int32)})
    report = load_initial_weights(tmp_path / "wide" / "checkpoints", narrow)
    assert report.loaded == ["out/bias"]  # the only variable whose shape does not depend on width
    assert len(report.mismatched) == 4 and "checkpoint [32, 16] vs model [32, 8]" in (
        " ".join(report.mismatched))
    assert report.unused == ["extra/bias", "extra/kernel"]
    wide = Wider(name="w2")
    wide({"encoder_input_tokens": np.ones((1, 3), np.int32),
          "decoder_input_tokens": np.ones((1, 2), np.int32)})
    load_initial_weights(tmp_path / "wide", wide)
    import tensorflow as tf
    reader = tf.train.load_checkpoint(tf.train.latest_checkpoint(str(tmp_path / "wide" /
                                                                     "checkpoints")))
    stored = {k: v for k, v in reader.get_variable_to_shape_map().items() if "hidden.Skernel" in k}
    np.testing.assert_array_equal(wide.hidden.kernel.numpy(), reader.get_tensor(next(iter(stored))))
