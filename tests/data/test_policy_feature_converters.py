"""TrajectoryFeatureConverter and PairedPolicyFeatureConverter on hand-built examples (as the
task leaves them: already cut to the task lengths): padding, decoder inputs shifted right with
0, loss weights on non-pad targets (as seqio.EncDecFeatureConverter(pack=False) gives them), the
float reward passing through."""

import numpy as np
import pytest
import seqio
import tensorflow as tf

from textedit.data.paired_policy_features import PairedPolicyFeatureConverter
from textedit.data.trajectory_features import TrajectoryFeatureConverter


def rows(dataset):
    return [{k: v.numpy() for k, v in row.items()} for row in dataset]


def test_trajectories_match_enc_dec_features_and_keep_the_float_reward():
    examples = {"inputs": [[7, 8, 5, 1], [9, 1]], "targets": [[3, 9, 1], [4, 6, 8, 1]],
                "reward": [1.0, -1.0]}
    lengths = {"inputs": 5, "targets": 4}
    dataset = tf.data.Dataset.from_generator(
        lambda: ({k: examples[k][i] for k in examples} for i in range(2)),
        output_signature={"inputs": tf.TensorSpec([None], tf.int32),
                          "targets": tf.TensorSpec([None], tf.int32),
                          "reward": tf.TensorSpec([], tf.float32)})
    out = rows(TrajectoryFeatureConverter()(dataset, lengths))
    assert out[0]["encoder_input_tokens"].tolist() == [7, 8, 5, 1, 0]
    assert out[0]["decoder_target_tokens"].tolist() == [3, 9, 1, 0]
    assert out[0]["decoder_input_tokens"].tolist() == [0, 3, 9, 1]
    assert out[0]["decoder_loss_weights"].tolist() == [1, 1, 1, 0]
    assert out[1]["decoder_target_tokens"].tolist() == [4, 6, 8, 1]  # full: no pad
    assert out[1]["decoder_input_tokens"].tolist() == [0, 4, 6, 8]
    assert out[1]["decoder_loss_weights"].tolist() == [1, 1, 1, 1]
    assert [r["reward"] for r in out] == [1.0, -1.0]
    assert out[1]["reward"].dtype == np.float32 and out[1]["reward"].shape == ()
    # The seq2seq features are exactly EncDecFeatureConverter's.
    plain = rows(seqio.EncDecFeatureConverter(pack=False)(
        dataset.map(lambda f: {"inputs": f["inputs"], "targets": f["targets"]}), lengths))
    for mine, theirs in zip(out, plain, strict=True):
        for name, value in theirs.items():
            assert mine[name].tolist() == value.tolist() and mine[name].dtype == value.dtype
    batched = next(iter(TrajectoryFeatureConverter()(dataset, lengths).batch(2)))
    assert batched["reward"].dtype == tf.float32 and batched["reward"].shape == (2,)


def test_trajectories_need_a_scalar_reward_and_refuse_packing():
    dataset = tf.data.Dataset.from_tensors({"inputs": [5, 1], "targets": [4, 1]})
    with pytest.raises(ValueError, match="reward"):
        TrajectoryFeatureConverter()(dataset, {"inputs": 4, "targets": 4})
    with pytest.raises(ValueError, match="does not pack"):
        TrajectoryFeatureConverter(pack=True)


def test_pairs_share_the_prompt_and_shift_each_response():
    dataset = tf.data.Dataset.from_tensors(
        {"inputs": [7, 8, 1], "chosen": [3, 9, 1], "rejected": [4, 6, 8, 1]})
    lengths = {"inputs": 4, "chosen": 4, "rejected": 4}
    (out,) = rows(PairedPolicyFeatureConverter()(dataset, lengths))
    assert sorted(out) == sorted(
        ["encoder_input_tokens"] + [f"{side}_decoder_{name}" for side in ("chosen", "rejected")
                                    for name in ("input_tokens", "target_tokens", "loss_weights")])
    assert out["encoder_input_tokens"].tolist() == [7, 8, 1, 0]
    assert out["chosen_decoder_target_tokens"].tolist() == [3, 9, 1, 0]
    assert out["chosen_decoder_input_tokens"].tolist() == [0, 3, 9, 1]
    assert out["chosen_decoder_loss_weights"].tolist() == [1, 1, 1, 0]
    assert out["rejected_decoder_target_tokens"].tolist() == [4, 6, 8, 1]
    assert out["rejected_decoder_input_tokens"].tolist() == [0, 4, 6, 8]
    assert out["rejected_decoder_loss_weights"].tolist() == [1, 1, 1, 1]
    with pytest.raises(ValueError, match="does not pack"):
        PairedPolicyFeatureConverter(pack=True)
