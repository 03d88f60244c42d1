"""EditFeatureConverter: static shapes, padding conventions, decoder shift, no silent truncation."""

import numpy as np
import pytest
import seqio
import tensorflow as tf

import tasks  # noqa: F401  (registers the edit5_ tasks)
from textedit.data.edit5.edit_feature_converter import EditFeatureConverter
from textedit.data.edit5.edit_features import plan_from_features
from textedit.data.edit5.edit_preprocessors import SKIPPED
from textedit.data.vocab.vocabulary import EOS_ID
from textedit.edits import realise

# The docstring's example: "A long user query" -> "The user query is very long".
EXAMPLE = {
    "inputs": [10, 11, 12, 13, 1],
    "tags": [0, 1, 1, 1, 1],
    "pointers": [0, 4, 3, 1, 2],
    "decoder_targets": [3, 20, 5, 21, 22, 1],
}
LENGTHS = {"inputs": 8, "decoder_targets": 8}


def _dataset(*examples):
    return tf.data.Dataset.from_generator(
        lambda: iter(examples),
        output_signature={k: tf.TensorSpec([None], tf.int32) for k in examples[0]})


def test_docstring_example():
    (converted,) = EditFeatureConverter()(_dataset(EXAMPLE), LENGTHS).as_numpy_iterator()
    expected = {
        "encoder_input_tokens": [10, 11, 12, 13, 1, 0, 0, 0],
        "encoder_mask": [1, 1, 1, 1, 1, 0, 0, 0],
        "tags": [0, 1, 1, 1, 1, 0, 0, 0],
        "pointers": [0, 4, 3, 1, 2, 5, 6, 7],
        "decoder_target_tokens": [3, 20, 5, 21, 22, 1, 0, 0],
        "decoder_input_tokens": [0, 3, 20, 5, 21, 22, 1, 0],
        "decoder_loss_weights": [1, 1, 1, 1, 1, 1, 0, 0],
    }
    assert {k: v.tolist() for k, v in converted.items()} == expected
    assert all(v.dtype == np.int32 for v in converted.values())


def test_static_shapes_for_batching():
    dataset = EditFeatureConverter()(_dataset(EXAMPLE), LENGTHS).batch(2)
    for name, spec in dataset.element_spec.items():
        assert spec.shape.as_list() == [None, 8], name


def test_too_long_is_an_error_not_a_truncation():
    converter = EditFeatureConverter(apply_length_check=False)  # even without SeqIO's check
    too_long = converter(_dataset(EXAMPLE), {"inputs": 4, "decoder_targets": 8})
    with pytest.raises(tf.errors.InvalidArgumentError, match="inputs longer than 4"):
        list(too_long.as_numpy_iterator())
    long_decoder = converter(_dataset(EXAMPLE), {"inputs": 8, "decoder_targets": 5})
    with pytest.raises(tf.errors.InvalidArgumentError, match="decoder_targets longer than 5"):
        list(long_decoder.as_numpy_iterator())


def test_packing_and_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="does not pack"):
        EditFeatureConverter(pack=True)
    with pytest.raises(ValueError, match="tags must have the length of inputs"):
        EditFeatureConverter()(_dataset(EXAMPLE), {**LENGTHS, "tags": 6})


def test_a_real_task_through_seqio_get_dataset(tiny_vocab):
    """edit5_gec_jfleg at short lengths: long examples are counted, the rest realise exactly."""
    SKIPPED.reset()
    lengths = {"inputs": 24, "decoder_targets": 12, "targets": 128}
    converter = EditFeatureConverter(  # plain targets ride along to check the realisation
        passthrough_features={"targets": seqio.FeatureConverter.FeatureSpec(dtype=tf.int32)})
    dataset = seqio.get_dataset("edit5_gec_jfleg", lengths, converter, dataset_split="validation")
    examples = list(dataset.as_numpy_iterator())
    skipped = sum(SKIPPED.as_dict().values())
    assert examples and skipped and len(examples) + skipped == 754
    for features in examples:
        mask = features["encoder_mask"]
        n = int(mask.sum())
        assert features["encoder_input_tokens"][n - 1] == EOS_ID
        assert (features["encoder_input_tokens"] != 0).tolist() == mask.astype(bool).tolist()
        assert sorted(features["pointers"]) == list(range(24))  # a permutation of all positions
        assert (features["pointers"][n:] == np.arange(n, 24)).all()  # padding: self-loops
        assert not features["tags"][n:].any()
        targets = features["decoder_target_tokens"]
        assert (features["decoder_input_tokens"][1:] == targets[:-1]).all()
        assert features["decoder_loss_weights"].tolist() == (targets != 0).tolist()
        plan = plan_from_features(
            features["tags"], features["pointers"], targets, num_inputs=n,
            first_position_id=tiny_vocab.position_id(0),
            num_position_tokens=tiny_vocab.num_position_tokens, eos_id=EOS_ID)
        source = features["encoder_input_tokens"][: n - 1].tolist()
        target = features["targets"][features["targets"] != 0].tolist()
        assert realise(source, plan) + [EOS_ID] == target
