"""`TrajectoryFeatureConverter`: the single-trajectory batch of DRO-V and KTO from a task with
"inputs", "targets" and a scalar "reward" (tasks/preference.py, task hh_trajectories).

    task features   "inputs": int [n], "targets": int [m] (EOS appended), "reward": float []
    model features  "encoder_input_tokens" [S], "decoder_input_tokens" [T],
                    "decoder_target_tokens" [T], "decoder_loss_weights" [T] (int32, as
                    seqio.EncDecFeatureConverter(pack=False) gives them), "reward" float32 []

Decoder inputs are the targets shifted right with 0 (T5's start id) in front; the loss weights
are 1 on non-pad targets. The reward passes through as float32 (the trainer's batch keeps each
feature's dtype, and the objectives read it as a float). Task lengths name "inputs" and "targets"
only: the reward is a scalar and has no length. No packing: a row is one trajectory, whose
sequence log-probability the objectives need whole.
"""

from __future__ import annotations

from collections.abc import Mapping

import seqio
import tensorflow as tf
from seqio import utils as seqio_utils
from seqio.feature_converters import non_padding_position

FeatureSpec = seqio.FeatureConverter.FeatureSpec
DECODER_FEATURES = ("decoder_input_tokens", "decoder_target_tokens", "decoder_loss_weights")
REWARD = "reward"


def decoder_features(targets: tf.Tensor, bos_id: int = 0) -> dict[str, tf.Tensor]:
    """Teacher-forcing features of padded targets int [T], as EncDecFeatureConverter makes them."""
    return {"decoder_input_tokens": seqio_utils.make_autoregressive_inputs(targets,
                                                                            bos_id=bos_id),
            "decoder_target_tokens": targets,
            "decoder_loss_weights": non_padding_position(targets)}


class TrajectoryFeatureConverter(seqio.FeatureConverter):
    """(inputs, targets, reward) -> seq2seq features + `reward` float32 [b] (module docstring)."""

    TASK_FEATURES = {name: FeatureSpec(dtype=tf.int32) for name in ("inputs", "targets")}
    MODEL_FEATURES = {"encoder_input_tokens": FeatureSpec(dtype=tf.int32),
                      **{name: FeatureSpec(dtype=tf.int32) for name in DECODER_FEATURES},
                      REWARD: FeatureSpec(dtype=tf.float32, rank=0)}
    PACKING_FEATURE_DTYPES = {}

    def __init__(self, pack: bool = False, **kwargs):
        if pack:
            raise ValueError("TrajectoryFeatureConverter does not pack: a row is one trajectory")
        super().__init__(pack=False, **kwargs)

    def _convert_features(self, ds: tf.data.Dataset,
                          task_feature_lengths: Mapping[str, int]) -> tf.data.Dataset:
        spec = ds.element_spec.get(REWARD)
        if spec is None or spec.shape.rank != 0:
            raise ValueError(f"TrajectoryFeatureConverter needs a scalar feature {REWARD!r} "
                             f"per example; the task gives {ds.element_spec}")
        ds = seqio_utils.trim_and_pad_dataset(
            ds, {name: task_feature_lengths[name] for name in self.TASK_FEATURES})

        def convert(features):
            return {"encoder_input_tokens": features["inputs"],
                    **decoder_features(features["targets"], self.bos_id),
                    REWARD: tf.cast(features[REWARD], tf.float32)}

        return ds.map(convert, num_parallel_calls=tf.data.AUTOTUNE)

    def get_model_feature_lengths(self, task_feature_lengths: Mapping[str, int]
                                  ) -> Mapping[str, int]:
        targets = task_feature_lengths["targets"]
        # The reward's "length" is never checked (rank 0); seqio wants every feature named.
        return {"encoder_input_tokens": task_feature_lengths["inputs"],
                **{name: targets for name in DECODER_FEATURES}, REWARD: 1}
