"""Stored top-k teacher log-probabilities: the coarsened KL (hand computation; equal to the full KL
when k is the vocabulary), and the write / read round trip of `write_teacher_top_k`."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from textedit.models import Gemma2Config, Gemma2DecoderOnly
from textedit.objectives.decoder_only import DECODER_ONLY_MODEL_FEATURES
from textedit.objectives.distill import distill_sums, kl_divergence, log_softmax
from textedit.objectives.top_k_teacher import stored_top_k_objective, top_k_kl, top_k_log_probs
from textedit.training.stored_teacher_data import (
    StoredTeacherData,
    read_teacher_top_k,
    write_teacher_top_k,
)


def test_top_k_kl_keeps_the_remaining_mass_as_one_outcome():
    teacher = np.log(np.array([[[0.5, 0.3, 0.15, 0.05]]]))
    student = np.log(np.array([[[0.25, 0.25, 0.25, 0.25]]])).astype(np.float32)
    ids, log_probs = top_k_log_probs(teacher.astype(np.float32), k=2)
    np.testing.assert_array_equal(np.asarray(ids), [[[0, 1]]])
    # Coarsened: teacher (0.5, 0.3, rest 0.2), student (0.25, 0.25, rest 0.5).
    expected = 0.5 * np.log(0.5 / 0.25) + 0.3 * np.log(0.3 / 0.25) + 0.2 * np.log(0.2 / 0.5)
    got = float(np.asarray(top_k_kl(student, ids, log_probs))[0, 0])
    assert got == pytest.approx(expected, rel=1e-5)


def test_top_k_kl_with_the_whole_vocabulary_is_the_full_kl():
    rng = np.random.default_rng(0)
    teacher = rng.normal(size=(2, 3, 9)).astype(np.float32) * 3
    student = rng.normal(size=(2, 3, 9)).astype(np.float32) * 3
    ids, log_probs = top_k_log_probs(teacher, k=9, temperature=2.0)
    full = kl_divergence(log_softmax(teacher, 2.0), log_softmax(student, 2.0))
    np.testing.assert_allclose(np.asarray(top_k_kl(student, ids, log_probs, 2.0)),
                               np.asarray(full), rtol=1e-4, atol=1e-6)
    # Fewer ids never see more divergence than the full distributions (coarsening).
    ids3, log_probs3 = top_k_log_probs(teacher, k=3, temperature=2.0)
    assert np.all(np.asarray(top_k_kl(student, ids3, log_probs3, 2.0)) <= np.asarray(full) + 1e-5)


def _features(rows=5, length=8, vocab=20):
    rng = np.random.default_rng(3)
    targets = rng.integers(2, vocab, size=(rows, length)).astype(np.int32)
    inputs = np.concatenate([np.zeros((rows, 1), np.int32), targets[:, :-1]], axis=1)
    weights = np.ones((rows, length), np.int32)
    weights[:, :3] = 0
    return {"decoder_input_tokens": inputs, "decoder_target_tokens": targets,
            "decoder_loss_weights": weights}


def test_write_then_read_round_trips(tmp_path):
    keras.utils.set_random_seed(0)
    teacher = Gemma2DecoderOnly(Gemma2Config.named("tiny", vocab_size=20))
    features = _features(rows=6)  # batches of 2: one compiled shape
    dataset = tf.data.Dataset.from_tensor_slices(features)
    source = {"task": "lm_clean_text", "split": "train", "task_feature_lengths": {"targets": 8}}
    manifest = write_teacher_top_k(teacher, dataset, tmp_path / "top4", k=4, temperature=1.5,
                                   teacher_features=DECODER_ONLY_MODEL_FEATURES, batch_size=2,
                                   source=source, examples_per_file=4, log=lambda _: None)
    assert manifest["examples"] == 6 and len(manifest["files"]) == 2
    assert json.loads((tmp_path / "top4" / "manifest.json").read_text()) == manifest
    assert manifest["features"]["teacher_top_k_ids"] == {"shape": [8, 4], "dtype": "int32"}
    assert 0 < manifest["mean_remaining_mass"] < 1 and manifest["bytes"] > 0

    logits = teacher({"decoder_input_tokens": features["decoder_input_tokens"]})
    ids, log_probs = (np.asarray(t) for t in top_k_log_probs(logits, 4, 1.5))
    read = list(read_teacher_top_k(tmp_path / "top4").as_numpy_iterator())
    assert len(read) == 6
    for row, example in enumerate(read):  # written order
        for name, value in features.items():
            np.testing.assert_array_equal(example[name], value[row])
        np.testing.assert_array_equal(example["teacher_top_k_ids"], ids[row])
        # Written in batches of 2, recomputed here as one batch of 6: kernels of other shapes sum
        # in another order, a few float32 ulps apart (1.4e-6 on a log-prob of -2.7 in one run).
        np.testing.assert_allclose(example["teacher_top_k_log_probs"], log_probs[row], atol=1e-5)

    data = StoredTeacherData(str(tmp_path / "top4"))
    assert (data.mixture_or_task_name, data.split) == ("lm_clean_text", "train")
    batches = list(data.dataset_fn()(0, None, 2).as_numpy_iterator())
    assert len(batches) == 3 and batches[0]["teacher_top_k_log_probs"].shape == (2, 8, 4)
    with pytest.raises(FileExistsError, match="written once"):
        write_teacher_top_k(teacher, dataset, tmp_path / "top4", k=4,
                            teacher_features=DECODER_ONLY_MODEL_FEATURES)


def test_stored_objective_with_every_id_equals_the_live_teacher(tmp_path):
    keras.utils.set_random_seed(1)
    teacher = Gemma2DecoderOnly(Gemma2Config.named("tiny", vocab_size=20, num_layers=1))
    student = Gemma2DecoderOnly(Gemma2Config.named("tiny", vocab_size=20, num_layers=1))
    features = _features(rows=4)
    write_teacher_top_k(teacher, tf.data.Dataset.from_tensor_slices(features), tmp_path, k=20,
                        temperature=2.0, teacher_features=DECODER_ONLY_MODEL_FEATURES,
                        log=lambda _: None)
    batch = next(read_teacher_top_k(tmp_path).batch(4).as_numpy_iterator())
    objective = stored_top_k_objective(kl_weight=0.7, temperature=2.0, z_loss=0.0,
                                       model_features=DECODER_ONLY_MODEL_FEATURES)
    out = objective.loss_fn(objective.forward(student, batch, False), batch)
    student_logits = student(features["decoder_input_tokens"])
    live = distill_sums(student_logits, teacher(features["decoder_input_tokens"]),
                        features["decoder_target_tokens"], features["decoder_loss_weights"],
                        kl_weight=0.7, temperature=2.0)
    assert float(out.loss_sum) == pytest.approx(float(live.loss), rel=1e-4)
    assert float(out.metrics["kl"]) == pytest.approx(float(live.kl), rel=1e-4)
