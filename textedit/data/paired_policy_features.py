"""`PairedPolicyFeatureConverter`: the paired batch of DPO / IPO from a task with "inputs",
"chosen" and "rejected" (tasks/preference.py, task hh_policy_pairs).

    task features   "inputs": int [n] the prompt, "chosen", "rejected": int [m] the two
                    responses, EOS appended to each
    model features  "encoder_input_tokens" int [S], and per side "chosen_" / "rejected_" +
                    "decoder_input_tokens", "decoder_target_tokens", "decoder_loss_weights"
                    int32 [T] (targets shifted right with 0 in front; weights 1 on non-pad)

The prompt is encoded once per pair; textedit/objectives/dpo.py runs it against both responses.
Task lengths: {"inputs": S, "chosen": T, "rejected": T} (each side is cut to its own length).
No packing: one pair per row.
"""

from __future__ import annotations

from collections.abc import Mapping

import seqio
import tensorflow as tf
from seqio import utils as seqio_utils

from textedit.data.trajectory_features import DECODER_FEATURES, decoder_features

FeatureSpec = seqio.FeatureConverter.FeatureSpec
SIDES = ("chosen", "rejected")


class PairedPolicyFeatureConverter(seqio.FeatureConverter):
    """(inputs, chosen, rejected) -> `encoder_input_tokens` + `<side>_decoder_*` [b, ...]."""

    TASK_FEATURES = {name: FeatureSpec(dtype=tf.int32) for name in ("inputs",) + SIDES}
    MODEL_FEATURES = {"encoder_input_tokens": FeatureSpec(dtype=tf.int32),
                      **{f"{side}_{name}": FeatureSpec(dtype=tf.int32)
                         for side in SIDES for name in DECODER_FEATURES}}
    PACKING_FEATURE_DTYPES = {}

    def __init__(self, pack: bool = False, **kwargs):
        if pack:
            raise ValueError("PairedPolicyFeatureConverter does not pack: a row is one pair")
        super().__init__(pack=False, **kwargs)

    def _convert_features(self, ds: tf.data.Dataset,
                          task_feature_lengths: Mapping[str, int]) -> tf.data.Dataset:
        ds = seqio_utils.trim_and_pad_dataset(
            ds, {name: task_feature_lengths[name] for name in self.TASK_FEATURES})

        def convert(features):
            out = {"encoder_input_tokens": features["inputs"]}
            for side in SIDES:
                out.update({f"{side}_{name}": value for name, value
                            in decoder_features(features[side], self.bos_id).items()})
            return out

        return ds.map(convert, num_parallel_calls=tf.data.AUTOTUNE)

    def get_model_feature_lengths(self, task_feature_lengths: Mapping[str, int]
                                  ) -> Mapping[str, int]:
        return {"encoder_input_tokens": task_feature_lengths["inputs"],
                **{f"{side}_{name}": task_feature_lengths[side]
                   for side in SIDES for name in DECODER_FEATURES}}
