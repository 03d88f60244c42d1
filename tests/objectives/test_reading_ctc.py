"""The image tower's CTC reading loss: against a brute-force sum over alignments, feasibility,
and the objective that adds it to the correction loss."""

import itertools
import math
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from textedit.models import T5Config  # noqa: E402
from textedit.models.image_tower import ImageTowerConfig, T5WithImageTower  # noqa: E402
from textedit.objectives.reading_ctc import (  # noqa: E402
    ctc_feasible,
    ctc_label_loss,
    ctc_reading_loss,
    local_classes,
    reading_labels,
)
from textedit.objectives.seq2seq_image import image_seq2seq_objective  # noqa: E402


def _collapse(path):
    """CTC's many-to-one map: merge repeats, then drop blanks (id 0)."""
    merged = [k for i, k in enumerate(path) if i == 0 or k != path[i - 1]]
    return [k for k in merged if k != 0]


def _brute_force_nll(logits, label):
    """-log of the summed probability of every frame path that collapses to `label`."""
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    frames, vocab = logits.shape
    total = 0.0
    for path in itertools.product(range(vocab), repeat=frames):
        if _collapse(list(path)) == label:
            total += math.exp(sum(log_probs[t, k] for t, k in enumerate(path)))
    return -math.log(total)


def test_loss_is_the_sum_over_alignments_of_the_target_pieces():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(3, 5, 4)).astype(np.float32)
    # Targets as decoder targets: pieces (ids >= 2), EOS 1, padding 0; a repeated piece in row 1.
    targets = np.array([[2, 3, 1, 0], [3, 3, 1, 0], [2, 1, 0, 0]], np.int32)
    losses, feasible = ctc_reading_loss(logits, targets)
    assert np.all(np.asarray(feasible))
    expected = [_brute_force_nll(logits[0], [2, 3]), _brute_force_nll(logits[1], [3, 3]),
                _brute_force_nll(logits[2], [2])]
    np.testing.assert_allclose(np.asarray(losses), expected, rtol=1e-4)
    # 4 classes are fewer than a row's local ones (t + 2 = 6), so that loss ran on the full
    # classes; the restricted problem gives the same sums.
    labels, lengths = reading_labels(targets)
    local, local_labels = local_classes(tf.nn.log_softmax(logits), labels)
    restricted = tf.nn.ctc_loss(local_labels, local, lengths, tf.fill([3], 5),
                                logits_time_major=False, blank_index=0)
    np.testing.assert_allclose(np.asarray(restricted), expected, rtol=1e-4)


def test_local_classes_give_full_vocabulary_ctc_loss_and_gradient():
    rng = np.random.default_rng(1)
    logits = tf.constant(rng.normal(size=(3, 12, 50)).astype(np.float32))
    targets = np.array([[7, 7, 9, 7, 1, 0], [4, 1, 0, 0, 0, 0], [30, 31, 32, 33, 34, 1]],
                       np.int32)
    labels, lengths = reading_labels(targets)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(logits)
        ours = ctc_reading_loss(logits, targets)[0]
        full = tf.nn.ctc_loss(labels, logits, lengths, tf.fill([3], 12), logits_time_major=False,
                              blank_index=0)
    np.testing.assert_allclose(ours, full, rtol=1e-5)
    np.testing.assert_allclose(tape.gradient(ours, logits), tape.gradient(full, logits),
                               atol=1e-5)


def test_labels_drop_eos_and_padding_and_feasibility_counts_repeats():
    targets = np.array([[5, 5, 5, 1, 0, 0], [4, 6, 7, 8, 1, 0]], np.int32)
    labels, lengths = reading_labels(targets)
    assert np.asarray(lengths).tolist() == [3, 4]
    assert np.asarray(labels)[0].tolist() == [5, 5, 5, 0, 0, 0]
    # 5 5 5 needs a blank between each pair: 5 frames; 4 6 7 8 needs 4.
    assert np.asarray(ctc_feasible(labels, lengths, 4)).tolist() == [False, True]
    assert np.asarray(ctc_feasible(labels, lengths, 5)).tolist() == [True, True]
    losses, feasible = ctc_reading_loss(np.zeros((2, 4, 9), np.float32), targets)
    assert np.asarray(feasible).tolist() == [False, True]
    assert float(losses[0]) == 0.0 and float(losses[1]) > 0.0


VOCAB = 64
TOWER = ImageTowerConfig(image_height=8, image_width=32, patch_height=8, patch_width=4, width=16,
                         num_layers=1, num_heads=2, mlp_dim=32)


def _model_and_batch():
    keras.utils.set_random_seed(0)
    model = T5WithImageTower(T5Config.named("tiny", vocab_size=VOCAB), TOWER)
    rng = np.random.default_rng(0)
    targets = np.array([[5, 9, 9, 12, 1, 0], [7, 8, 1, 0, 0, 0]], np.int32)
    batch = {"encoder_input_tokens": rng.integers(2, VOCAB, size=(2, 6)).astype(np.int32),
             "decoder_input_tokens": np.concatenate([np.zeros((2, 1), np.int32),
                                                     targets[:, :-1]], axis=1),
             "decoder_target_tokens": targets,
             "decoder_loss_weights": (targets > 0).astype(np.float32),
             "encoder_image": rng.random((2, 8, 32)).astype(np.float32)}
    return model, batch


def test_reading_objective_adds_weighted_ctc_to_the_correction_loss():
    model, batch = _model_and_batch()
    plain = image_seq2seq_objective()
    assert plain.name == "seq2seq_image" and plain.forward_fn is None
    reading = image_seq2seq_objective(reading_weight=0.5)

    logits, reading_logits = reading.forward(model, batch, training=False)
    # One pass gives the model's ordinary logits, and the tower's P = 8 vectors scored.
    np.testing.assert_allclose(logits, model(batch, training=False), rtol=1e-5, atol=1e-5)
    assert tuple(reading_logits.shape) == (2, TOWER.num_patches, VOCAB)

    out = reading.loss_fn((logits, reading_logits), batch)
    base = plain.loss_fn(logits, batch)
    ctc, _ = ctc_reading_loss(reading_logits, batch["decoder_target_tokens"])
    np.testing.assert_allclose(float(out.loss_sum),
                               float(base.loss_sum) + 0.5 * float(np.sum(ctc)), rtol=1e-5)
    assert float(out.normalizer) == float(base.normalizer) == 8.0  # tokens with EOS
    assert float(out.metrics["reading_ctc"][0]) == pytest.approx(float(np.sum(ctc)), rel=1e-5)

    # The reading loss alone trains the tower and the shared embedding (tied scoring).
    with tf.GradientTape() as tape:
        _, scored = reading.forward(model, batch, training=True)
        loss = tf.reduce_sum(ctc_reading_loss(scored, batch["decoder_target_tokens"])[0])
    variables = model.image_tower.trainable_variables + [model.shared.embeddings]
    grads = tape.gradient(loss, variables)
    assert all(g is not None and float(tf.reduce_max(tf.abs(tf.convert_to_tensor(g)))) > 0
               for g in grads)


def test_negative_reading_weight_and_unknown_targets_are_refused():
    with pytest.raises(ValueError, match="reading_weight"):
        image_seq2seq_objective(reading_weight=-1.0)
    with pytest.raises(ValueError, match="reading_targets"):
        image_seq2seq_objective(reading_weight=1.0, reading_targets="words")


def test_character_reading_uses_the_reading_head_and_the_batch_characters():
    keras.utils.set_random_seed(0)
    tower = ImageTowerConfig(**{**TOWER.to_dict(), "reading_classes": 11})
    model = T5WithImageTower(T5Config.named("tiny", vocab_size=VOCAB), tower)
    _, batch = _model_and_batch()
    batch["reading_targets"] = np.array([[3, 4, 4, 0], [10, 0, 0, 0]], np.int32)
    objective = image_seq2seq_objective(reading_weight=2.0, reading_targets="characters")
    assert "reading_targets" in objective.loss_features
    logits, reading_logits = objective.forward(model, batch, training=False)
    assert tuple(reading_logits.shape) == (2, TOWER.num_patches, 11)
    out = objective.loss_fn((logits, reading_logits), batch)
    base = image_seq2seq_objective().loss_fn(logits, batch)
    expected = [_brute_force_nll(np.asarray(reading_logits[1, :4]), [10])]
    ctc, feasible = ctc_label_loss(reading_logits[:, :4], batch["reading_targets"])
    np.testing.assert_allclose(float(ctc[1]), expected[0], rtol=1e-4)
    full, _ = ctc_label_loss(reading_logits, batch["reading_targets"])
    np.testing.assert_allclose(float(out.loss_sum),
                               float(base.loss_sum) + 2.0 * float(np.sum(full)), rtol=1e-5)
    # Without a reading head the tower is scored against the token embedding instead.
    assert model.reading_head is not None
    assert T5WithImageTower(T5Config.named("tiny", vocab_size=VOCAB), TOWER).reading_head is None


def test_best_path_merges_repeats_and_drops_blanks():
    from textedit.decoding.tower_reading import best_path, tower_read

    def one_hot(path, vocab=6):
        return np.eye(vocab, dtype=np.float32)[path]

    logits = np.stack([one_hot([3, 3, 0, 3, 5, 0]), one_hot([0, 0, 0, 0, 0, 0])])
    assert best_path(logits) == [[3, 3, 5], []]
    model, batch = _model_and_batch()
    read = tower_read(model, batch["encoder_image"], batch_size=1)
    vectors = model.image_tower(batch["encoder_image"])
    assert read == best_path(model.reading_logits(vectors)) and len(read) == 2
    with pytest.raises(ValueError, match="image tower"):
        tower_read(object(), batch["encoder_image"])  # no tower
