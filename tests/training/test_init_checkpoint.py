"""INIT_CHECKPOINT: weights come from another run; the report lists loaded, missing, unused."""

import keras
import numpy as np
from stand_in import StandInSeq2Seq, copy_task_arrays, in_memory_dataset_fn

from textedit.objectives.seq2seq import seq2seq_objective
from textedit.runs.init_checkpoint import load_initial_weights
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


def _tiny_t5_config(decoder_layers: int):
    from textedit.models import T5Config

    return T5Config.named("tiny", vocab_size=96, num_decoder_layers=decoder_layers)


def _save_run(run_dir, model):
    from textedit.training.checkpoints import RunCheckpoints

    optimizer = make_optimizer("adamw", 1e-3)
    optimizer.build(model.trainable_variables)
    RunCheckpoints(run_dir / "checkpoints", model, optimizer).save(3)


def _edit5(name="edit5"):
    from textedit.models import Edit5Config, Edit5Model

    return Edit5Model(Edit5Config(t5=_tiny_t5_config(1), max_input_length=16,
                                  num_position_tokens=17), name=name)


def test_edit5_starts_from_a_span_corruption_t5_run_and_from_an_edit5_run(tmp_path):
    """The warm-start chain of docs/algorithms.md#span-corruption
    (gin/experiments/pretrain_span_corruption.gin,
    then edit5_pretrain_edit_noise.gin): an EdiT5 (backbone = the sub-model `backbone`) takes the
    backbone from a seq2seq T5EncoderDecoder run (named "t5" by the CLI's gin configurables): its
    keys are relative to the T5 model in both; an EdiT5 run then loads completely."""
    from textedit.models import T5EncoderDecoder
    from textedit.runs.variable_keys import keyed_variables

    keras.utils.set_random_seed(3)
    t5 = T5EncoderDecoder(_tiny_t5_config(2), name="t5")  # a 2-layer decoder, EdiT5 has 1
    _save_run(tmp_path / "span_corruption", t5)
    edit5 = _edit5()
    report = load_initial_weights(tmp_path / "span_corruption", edit5)

    backbone = set(keyed_variables(edit5.backbone.trainable_variables))
    assert {"shared/embeddings", "encoder/block_0/self_attention/q/kernel",
            "decoder/block_0/cross_attention/k/kernel", "lm_head/kernel"} <= backbone
    assert sorted(report.loaded) == sorted(backbone)
    heads = set(keyed_variables(edit5.trainable_variables)) - backbone
    assert sorted(report.missing) == sorted(heads) and any(k.startswith("tagger/") for k in heads)
    assert report.mismatched == []
    assert report.unused and all(k.startswith("decoder/block_1/") for k in report.unused)
    for mine, theirs in ((edit5.backbone.shared.embeddings, t5.shared.embeddings),
                         (edit5.backbone.lm_head.kernel, t5.lm_head.kernel),
                         (edit5.backbone.encoder.variables[0], t5.encoder.variables[0])):
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())

    _save_run(tmp_path / "edit_noise", edit5)
    finetune = _edit5(name="edit5_finetune")
    report = load_initial_weights(tmp_path / "edit_noise", finetune)
    assert len(report.loaded) == len(finetune.trainable_variables)
    assert report.missing == report.mismatched == report.unused == []
    pretrained = keyed_variables(edit5.trainable_variables)
    for key, variable in keyed_variables(finetune.trainable_variables).items():
        np.testing.assert_array_equal(variable.numpy(), pretrained[key].numpy(), err_msg=key)
