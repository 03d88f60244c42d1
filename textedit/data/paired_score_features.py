"""`PairedScoreFeatureConverter`: a reward model's paired batch from a (chosen, rejected) task.

    task features   "chosen", "rejected": int [n] token ids of prompt + response, EOS appended
    model features  "chosen_encoder_input_tokens", "rejected_encoder_input_tokens": int [L]

Each side is trimmed to its task length (SeqIO keeps the first L tokens; the task text keeps
only the prompt's tail, see tasks/preference.py, so the responses survive the cut) and padded
with 0, the pad id the scalar model masks. No packing: one pair per row.
"""

from __future__ import annotations

from collections.abc import Mapping

import seqio
import tensorflow as tf
from seqio import utils as seqio_utils

FeatureSpec = seqio.FeatureConverter.FeatureSpec
SIDES = ("chosen", "rejected")


class PairedScoreFeatureConverter(seqio.FeatureConverter):
    """(chosen, rejected) token sequences -> `<side>_encoder_input_tokens` [b, L]."""

    TASK_FEATURES = {side: FeatureSpec(dtype=tf.int32) for side in SIDES}
    MODEL_FEATURES = {f"{side}_encoder_input_tokens": FeatureSpec(dtype=tf.int32)
                      for side in SIDES}
    PACKING_FEATURE_DTYPES = {}

    def __init__(self, pack: bool = False, **kwargs):
        if pack:
            raise ValueError("PairedScoreFeatureConverter does not pack: a row is one pair")
        super().__init__(pack=False, **kwargs)

    def _convert_features(self, ds: tf.data.Dataset,
                          task_feature_lengths: Mapping[str, int]) -> tf.data.Dataset:
        ds = seqio_utils.trim_and_pad_dataset(ds, {s: task_feature_lengths[s] for s in SIDES})
        return ds.map(lambda f: {f"{s}_encoder_input_tokens": f[s] for s in SIDES},
                      num_parallel_calls=tf.data.AUTOTUNE)

    def get_model_feature_lengths(self, task_feature_lengths: Mapping[str, int]
                                  ) -> Mapping[str, int]:
        return {f"{s}_encoder_input_tokens": task_feature_lengths[s] for s in SIDES}
