"""Tower-only reading (objectives/tower_reading.py), the frozen tower of image_seq2seq_objective,
objectives that train part of a model (Objective.trained_variables_fn), and the decode function
that scores what a tower reads alone."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from textedit.decoding.tower_reading import best_path, tower_read_decode_fn  # noqa: E402
from textedit.models import T5Config  # noqa: E402
from textedit.models.image_tower import ImageTowerConfig, T5WithImageTower  # noqa: E402
from textedit.objectives.reading_ctc import ctc_label_loss, ctc_reading_loss  # noqa: E402
from textedit.objectives.seq2seq_image import image_seq2seq_objective  # noqa: E402
from textedit.objectives.tower_reading import (  # noqa: E402
    tower_reading_objective,
    tower_variables,
)
from textedit.training.train_step import TrainStep  # noqa: E402

VOCAB = 64
CLASSES = 11
TOWER = ImageTowerConfig(image_height=8, image_width=32, patch_height=8, patch_width=4, width=16,
                         num_layers=1, num_heads=2, mlp_dim=32, reading_classes=CLASSES)


def _model(tower=TOWER):
    keras.utils.set_random_seed(0)
    return T5WithImageTower(T5Config.named("tiny", vocab_size=VOCAB), tower)


def _batch():
    rng = np.random.default_rng(0)
    targets = np.array([[5, 9, 9, 12, 1, 0], [7, 8, 1, 0, 0, 0]], np.int32)
    return {"encoder_input_tokens": rng.integers(2, VOCAB, size=(2, 6)).astype(np.int32),
            "decoder_input_tokens": np.concatenate([np.zeros((2, 1), np.int32),
                                                    targets[:, :-1]], axis=1),
            "decoder_target_tokens": targets,
            "decoder_loss_weights": (targets > 0).astype(np.float32),
            "encoder_image": rng.random((2, 8, 32)).astype(np.float32),
            # Row 0 spells 4 characters (a repeat among them), row 1 one.
            "reading_targets": np.array([[3, 4, 4, 7, 0], [10, 0, 0, 0, 0]], np.int32)}


def _snapshot(variables):
    return [np.array(v.numpy()) for v in variables]


def _changed(before, variables):
    return [not np.array_equal(b, v.numpy()) for b, v in zip(before, variables, strict=True)]


# characters: 4 + 1 target characters, scored by the reading head; pieces: the decoder targets
# 5 9 9 12 and 7 8 (EOS and padding are not read), scored against the token embedding.
@pytest.mark.parametrize("targets, feature, classes, labels", [
    ("characters", "reading_targets", CLASSES, 5), ("pieces", "decoder_target_tokens", VOCAB, 6)])
def test_loss_is_ctc_per_target_label(targets, feature, classes, labels):
    head = CLASSES if targets == "characters" else 0
    model = _model(ImageTowerConfig(**{**TOWER.to_dict(), "reading_classes": head}))
    batch = _batch()
    objective = tower_reading_objective(targets)
    assert objective.model_features == ("encoder_image",) and objective.loss_features == (feature,)
    reading_logits = objective.forward(model, batch, training=False)
    assert tuple(reading_logits.shape) == (2, TOWER.num_patches, classes)
    out = objective.loss_fn(reading_logits, batch)
    loss = ctc_label_loss if targets == "characters" else ctc_reading_loss
    expected, _ = loss(reading_logits, batch[feature])
    np.testing.assert_allclose(float(out.loss_sum), float(np.sum(expected)), rtol=1e-6)
    assert float(out.normalizer) == labels
    total, examples = out.metrics["reading_ctc"]
    assert float(examples) == 2.0 and float(out.metrics["reading_infeasible"][0]) == 0.0
    np.testing.assert_allclose(float(total), float(out.loss_sum), rtol=1e-6)


def test_infeasible_rows_leave_the_normaliser():
    model, batch = _model(), _batch()
    # 9 distinct characters cannot be spelt by P = 8 vectors: that row's loss and count are 0.
    batch["reading_targets"] = np.array([[1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 0, 0, 0, 0, 0, 0, 0, 0]],
                                        np.int32)
    objective = tower_reading_objective()
    out = objective.loss_fn(objective.forward(model, batch, training=False), batch)
    assert float(out.normalizer) == 1.0
    assert float(out.metrics["reading_infeasible"][0]) == 1.0


def test_a_step_trains_the_tower_and_head_only():
    model, batch = _model(), {k: tf.constant(v) for k, v in _batch().items()}
    objective = tower_reading_objective()
    trained = objective.trained_variables(model)
    assert {id(v) for v in trained} == {id(v) for v in tower_variables(model)}
    assert any("reading_head" in v.path for v in trained)
    assert not any("image_begin" in v.path or "shared" in v.path for v in trained)
    everything = model.trainable_variables
    before = _snapshot(everything)
    step = TrainStep(model, objective, keras.optimizers.Adam(1e-2), tf.distribute.get_strategy())
    first = float(step(batch)["loss"])
    for _ in range(4):
        last = float(step(batch)["loss"])
    assert last < first
    trained_ids = {id(v) for v in trained}
    for variable, changed in zip(everything, _changed(before, everything), strict=True):
        # Every tower weight moves (the objective reaches all of them); nothing else does.
        assert changed == (id(variable) in trained_ids), variable.path


def test_frozen_tower_leaves_tower_weights_and_trains_the_rest():
    model, batch = _model(), {k: tf.constant(v) for k, v in _batch().items()}
    objective = image_seq2seq_objective(train_tower=False)
    frozen = {id(v) for v in tower_variables(model)}
    trained = objective.trained_variables(model)
    assert frozen and not frozen & {id(v) for v in trained}
    assert len(trained) + len(frozen) == len(model.trainable_variables)
    everything = model.trainable_variables
    before = _snapshot(everything)
    step = TrainStep(model, objective, keras.optimizers.Adam(1e-2), tf.distribute.get_strategy())
    step(batch)
    changed = dict(zip((id(v) for v in everything), _changed(before, everything), strict=True))
    assert not any(changed[i] for i in frozen)
    assert changed[id(model.image_begin)] and changed[id(model.shared.embeddings)]
    # The reading loss only trains the tower: asking for it with a frozen tower is an error.
    with pytest.raises(ValueError, match="reading_weight must be 0"):
        image_seq2seq_objective(reading_weight=0.1, train_tower=False)


def test_objectives_train_everything_by_default_and_refuse_an_empty_part():
    model = _model(ImageTowerConfig(**{**TOWER.to_dict(), "reading_classes": 0}))
    plain = image_seq2seq_objective()
    assert [id(v) for v in plain.trained_variables(model)] == [
        id(v) for v in model.trainable_variables]
    # A reading head (from a reading run) gets no gradient without the reading loss: left out.
    with_head = _model()
    head = {id(v) for v in with_head.reading_head.trainable_variables}
    assert [id(v) for v in plain.trained_variables(with_head)] == [
        id(v) for v in with_head.trainable_variables if id(v) not in head]
    assert head <= {id(v) for v in image_seq2seq_objective(
        reading_weight=0.1, reading_targets="characters").trained_variables(with_head)}
    empty = tower_reading_objective()
    import dataclasses

    with pytest.raises(ValueError, match="trains no variables"):
        dataclasses.replace(empty, trained_variables_fn=lambda m: []).trained_variables(model)


def test_models_without_a_tower_or_head_are_refused():
    from textedit.models.t5.t5_encoder_decoder import T5EncoderDecoder

    keras.utils.set_random_seed(0)
    text_only = T5EncoderDecoder(T5Config.named("tiny", vocab_size=VOCAB))
    with pytest.raises(ValueError, match="needs a model with an image tower"):
        tower_reading_objective().trained_variables(text_only)
    no_head = _model(ImageTowerConfig(**{**TOWER.to_dict(), "reading_classes": 0}))
    with pytest.raises(ValueError, match="needs a reading head"):
        tower_reading_objective("characters").forward(no_head, _batch(), training=False)
    with pytest.raises(ValueError, match="'pieces' or 'characters'"):
        tower_reading_objective("words")


def test_decode_fn_writes_the_reading_as_tokens_then_eos():
    model, batch = _model(), _batch()
    vectors = model.image_tower(batch["encoder_image"])
    read = best_path(model.reading_logits(vectors))
    seen = []

    def encode(text):  # a stand-in vocabulary: one id per character
        seen.append(text)
        return [2 + (ord(ch) % 50) for ch in text]

    tokens = tower_read_decode_fn(max_decode_length=4, encode=encode)(model, batch)
    assert tokens.shape == (2, 4) and tokens.dtype == np.int32
    from textedit.data.ocr.reading_alphabet import reading_text

    assert seen == [reading_text(row) for row in read]
    for row, text in zip(tokens.tolist(), list(seen), strict=True):
        ids = encode(text)[:3] + [1]  # cut to leave room for EOS
        assert row[:len(ids)] == ids and all(t == 0 for t in row[len(ids):])
    with pytest.raises(ValueError, match="needs `encode`"):
        tower_read_decode_fn(4)(model, batch)
