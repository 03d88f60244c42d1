"""`EditFeatureConverter`: EdiT5 task features -> padded model features (seqio.FeatureConverter)."""

from __future__ import annotations

from collections.abc import Mapping

import seqio
import tensorflow as tf
from seqio import utils as seqio_utils
from seqio.feature_converters import non_padding_position

FeatureSpec = seqio.FeatureConverter.FeatureSpec


class EditFeatureConverter(seqio.FeatureConverter):
    """Feature converter for EdiT5 (encoder + tagger + pointer + insertion decoder).

    The input dataset has the features of an edit task (textedit/data/edit5/edit_preprocessors.py):
    `inputs`, `tags`, `pointers` (all [n + 1], position n = EOS = START slot) and
    `decoder_targets` [d + 1]. `task_feature_lengths` names only {"inputs": L,
    "decoder_targets": T}: tags and pointers always have the length of inputs.

    Example ("A long user query" -> "The user query is very long"; ids A=10 long=11 user=12
    query=13 The=20 is=21 very=22, <pos_0>=3, <pos_2>=5, EOS=1):

      ds = [{"inputs": [10, 11, 12, 13, 1],
               "tags": [ 0,  1,  1,  1, 1],
           "pointers": [ 0,  4,  3,  1, 2],
    "decoder_targets": [3, 20, 5, 21, 22, 1]}]

      task_feature_lengths = {"inputs": 8, "decoder_targets": 8}

      converted_ds = [{
       "encoder_input_tokens": [10, 11, 12, 13, 1, 0, 0, 0],
               "encoder_mask": [ 1,  1,  1,  1, 1, 0, 0, 0],
                       "tags": [ 0,  1,  1,  1, 1, 0, 0, 0],
                   "pointers": [ 0,  4,  3,  1, 2, 5, 6, 7],
      "decoder_target_tokens": [3, 20, 5, 21, 22, 1, 0, 0],
       "decoder_input_tokens": [0, 3, 20, 5, 21, 22, 1, 0],
       "decoder_loss_weights": [1,  1, 1,  1,  1, 1, 0, 0],
      }]

    Padding conventions: padded positions get tag 0 (DELETE) and point to themselves, so each
    padded row of the pointer matrix is a fixed point, as a deleted token's is, and the whole
    `pointers` stays a permutation of 0 .. L-1 (ready for Sinkhorn over [L, L]); `encoder_mask` is
    the only thing that tells padding from deleted tokens. The decoder input is the target
    shifted right with `bos_id` (0, as in T5) in front.

    Lengths: an example longer than L (inputs) or T (decoder_targets) is an error here, never
    truncated: a truncated source leaves pointers past its end and a truncated decoder target
    loses insertions, i.e. an invalid plan. The edit tasks filter such examples, counted, before
    they reach the converter (`filter_edit_lengths`), so with `seqio.get_dataset` this error
    means the pipeline skipped that step.

    Packing is not supported (`pack=True` raises): pointers index positions of one example, and
    the pointer head normalises one [L, L] matrix per example; packing would need offset pointers
    and block-diagonal pointer masks, a cost the EdiT5 model does not pay for short GEC inputs.

    Teacher features (`teacher_features=True`; off by default): for distillation from a seq2seq
    teacher (textedit/objectives/edit5_distill.py) the task must also carry `targets` [m + 1]
    and `decoder_target_positions` [d + 1] (`convert_to_edit_features(target_positions=True)`,
    the `edit5_<task>_with_teacher` tasks), and `task_feature_lengths` must name "targets": Tt.
    Added model features, for the example above (targets The user query is very long </s> =
    [20, 12, 13, 21, 22, 11, 1], Tt = 8):

      "teacher_decoder_target_tokens": [20, 12, 13, 21, 22, 11, 1, 0],   targets, padded
       "teacher_decoder_input_tokens": [0, 20, 12, 13, 21, 22, 11, 1],   shifted right behind 0
           "decoder_target_positions": [-1, 0, -1, 3, 4, -1, -1, -1],    [T], padded with -1

    The teacher reads `encoder_input_tokens` (the same `inputs` a seq2seq task's
    EncDecFeatureConverter gives it) and `teacher_decoder_input_tokens`, exactly as it was
    trained. `decoder_target_positions[i] = j >= 0` says the i-th insertion target is the j-th
    target piece, so the teacher's distribution at j is the one to match; -1 on `<pos_k>`, EOS
    and padding. A target longer than Tt is an error here too (the teacher tasks filter it).
    """

    TASK_FEATURES = {
        "inputs": FeatureSpec(dtype=tf.int32),
        "tags": FeatureSpec(dtype=tf.int32),
        "pointers": FeatureSpec(dtype=tf.int32),
        "decoder_targets": FeatureSpec(dtype=tf.int32),
    }
    MODEL_FEATURES = {
        "encoder_input_tokens": FeatureSpec(dtype=tf.int32),
        "encoder_mask": FeatureSpec(dtype=tf.int32),
        "tags": FeatureSpec(dtype=tf.int32),
        "pointers": FeatureSpec(dtype=tf.int32),
        "decoder_target_tokens": FeatureSpec(dtype=tf.int32),
        "decoder_input_tokens": FeatureSpec(dtype=tf.int32),
        "decoder_loss_weights": FeatureSpec(dtype=tf.int32),
    }
    TEACHER_TASK_FEATURES = {
        "targets": FeatureSpec(dtype=tf.int32),
        "decoder_target_positions": FeatureSpec(dtype=tf.int32),
    }
    TEACHER_MODEL_FEATURES = {
        "teacher_decoder_target_tokens": FeatureSpec(dtype=tf.int32),
        "teacher_decoder_input_tokens": FeatureSpec(dtype=tf.int32),
        "decoder_target_positions": FeatureSpec(dtype=tf.int32),
    }
    PACKING_FEATURE_DTYPES = {}
    _ENCODER_SIDE = ("encoder_input_tokens", "encoder_mask", "tags", "pointers")
    _DECODER_SIDE = ("decoder_target_tokens", "decoder_input_tokens", "decoder_loss_weights")
    _TEACHER_SIDE = ("teacher_decoder_target_tokens", "teacher_decoder_input_tokens")

    def __init__(self, pack: bool = False, teacher_features: bool = False, **kwargs):
        if pack:
            raise ValueError(
                "EditFeatureConverter does not pack: pointers index positions within one example "
                "and the pointer head normalises one [length, length] matrix per example")
        self.teacher_features = teacher_features
        if teacher_features:  # instance attributes: SeqIO validates against self.*_FEATURES
            self.TASK_FEATURES = {**type(self).TASK_FEATURES, **self.TEACHER_TASK_FEATURES}
            self.MODEL_FEATURES = {**type(self).MODEL_FEATURES, **self.TEACHER_MODEL_FEATURES}
        super().__init__(pack=False, **kwargs)

    def __call__(
        self, ds: tf.data.Dataset, task_feature_lengths: Mapping[str, int]
    ) -> tf.data.Dataset:
        """Converts `ds`; `task_feature_lengths` = {"inputs": L, "decoder_targets": T}.

        Overridden only to add the implied lengths of tags and pointers (both L) before SeqIO's
        own validation, which wants a length for every task feature.
        """
        return super().__call__(ds, self._with_implied_lengths(task_feature_lengths))

    def _with_implied_lengths(self, lengths: Mapping[str, int]) -> dict[str, int]:
        lengths = dict(lengths)
        for name in ("tags", "pointers"):
            if lengths.setdefault(name, lengths["inputs"]) != lengths["inputs"]:
                raise ValueError(f"{name} must have the length of inputs: {lengths}")
        if self.teacher_features:
            if "targets" not in lengths:
                raise ValueError("EditFeatureConverter(teacher_features=True) needs the "
                                 f"teacher's target length: add \"targets\" to {lengths}")
            implied = lengths["decoder_targets"]
            if lengths.setdefault("decoder_target_positions", implied) != implied:
                raise ValueError(f"decoder_target_positions must have the length of "
                                 f"decoder_targets: {lengths}")
        return lengths

    def _convert_features(
        self, ds: tf.data.Dataset, task_feature_lengths: Mapping[str, int]
    ) -> tf.data.Dataset:
        """Checks lengths, pads to `task_feature_lengths` and builds the model features."""
        input_length = task_feature_lengths["inputs"]
        decoder_length = task_feature_lengths["decoder_targets"]

        def convert(features: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
            inputs, decoder_targets = features["inputs"], features["decoder_targets"]
            n = tf.size(inputs)
            checks = [
                tf.debugging.assert_less_equal(
                    n, input_length, message=f"inputs longer than {input_length}; filter them "
                    "(textedit.data.edit5.edit_preprocessors.filter_edit_lengths), never truncate"),
                tf.debugging.assert_less_equal(
                    tf.size(decoder_targets), decoder_length,
                    message=f"decoder_targets longer than {decoder_length}; filter them "
                    "(textedit.data.edit5.edit_preprocessors.filter_edit_lengths), never truncate"),
                tf.debugging.assert_equal(tf.size(features["tags"]), n,
                                          message="tags and inputs differ in length"),
                tf.debugging.assert_equal(tf.size(features["pointers"]), n,
                                          message="pointers and inputs differ in length"),
            ]
            with tf.control_dependencies(checks):  # padding runs only after the checks pass
                inputs, decoder_targets, tags, pointers = (
                    tf.identity(x) for x in (inputs, decoder_targets, features["tags"],
                                             features["pointers"]))
            targets = _pad(decoder_targets, decoder_length)
            # Padded positions point to themselves (a fixed point, like a deleted token).
            pointers = tf.concat([pointers, tf.range(tf.size(inputs), input_length)], axis=0)
            pointers.set_shape([input_length])
            converted = {
                "encoder_input_tokens": _pad(inputs, input_length),
                "encoder_mask": _pad(tf.ones_like(inputs), input_length),
                "tags": _pad(tags, input_length),
                "pointers": pointers,
                "decoder_target_tokens": targets,
                "decoder_input_tokens": seqio_utils.make_autoregressive_inputs(
                    targets, bos_id=self.bos_id),
                "decoder_loss_weights": non_padding_position(targets),
            }
            if self.teacher_features:
                converted.update(_teacher_features(features, decoder_length,
                                                   task_feature_lengths["targets"], self.bos_id))
            converted.update({k: features[k] for k in self._passthrough_features})
            converted.update(self._extra_model_features(features))
            return converted

        if self._passthrough_features:  # not plan-bearing: trimmed and padded as SeqIO does
            ds = seqio_utils.trim_and_pad_dataset(
                ds, {k: task_feature_lengths[k] for k in self._passthrough_features})
        return ds.map(convert, num_parallel_calls=tf.data.AUTOTUNE)

    def _extra_model_features(self, features: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """Model features a subclass passes on unchanged besides the plan-bearing ones (e.g. a
        line image, textedit.data.ocr.line_image_features); none here."""
        return {}

    def get_model_feature_lengths(
        self, task_feature_lengths: Mapping[str, int]
    ) -> Mapping[str, int]:
        """Encoder-side features have the inputs length L, decoder-side ones T."""
        lengths = {name: task_feature_lengths["inputs"] for name in self._ENCODER_SIDE}
        lengths.update(
            {name: task_feature_lengths["decoder_targets"] for name in self._DECODER_SIDE})
        if self.teacher_features:
            lengths.update({name: task_feature_lengths["targets"] for name in self._TEACHER_SIDE})
            lengths["decoder_target_positions"] = task_feature_lengths["decoder_targets"]
        lengths.update({k: task_feature_lengths[k] for k in self._passthrough_features})
        return lengths


def _teacher_features(features: Mapping[str, tf.Tensor], decoder_length: int,
                      target_length: int, bos_id: int) -> dict[str, tf.Tensor]:
    """The teacher-side model features (class docstring): targets [Tt] and its shifted decoder
    input, and decoder_target_positions [T] padded with -1 (padding has no target piece)."""
    targets, positions = features["targets"], features["decoder_target_positions"]
    checks = [
        tf.debugging.assert_less_equal(
            tf.size(targets), target_length, message=f"targets longer than {target_length}; "
            "filter them (filter_edit_lengths(check_targets=True)), never truncate"),
        tf.debugging.assert_equal(
            tf.size(positions), tf.size(features["decoder_targets"]),
            message="decoder_target_positions and decoder_targets differ in length"),
        # A target trimmed by SeqIO (no filter) would leave positions past its end.
        tf.debugging.assert_less(
            tf.reduce_max(tf.concat([positions, [-1]], 0)), tf.size(targets),
            message="decoder_target_positions point past the end of targets (trimmed?)"),
    ]
    with tf.control_dependencies(checks):
        targets, positions = tf.identity(targets), tf.identity(positions)
    padded_targets = _pad(targets, target_length)
    padded_positions = tf.pad(positions, [[0, decoder_length - tf.size(positions)]],
                              constant_values=-1)
    padded_positions.set_shape([decoder_length])
    return {
        "teacher_decoder_target_tokens": padded_targets,
        "teacher_decoder_input_tokens": seqio_utils.make_autoregressive_inputs(
            padded_targets, bos_id=bos_id),
        "decoder_target_positions": padded_positions,
    }


def _pad(x: tf.Tensor, length: int) -> tf.Tensor:
    """Pads a [n] tensor with zeros to [length] (n <= length is checked by the caller)."""
    padded = tf.pad(x, [[0, length - tf.size(x)]])
    padded.set_shape([length])
    return padded
