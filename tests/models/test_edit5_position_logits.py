"""`position_logits` / `position_inputs`: `<pos_k>` scored against (and embedded with) the
re-ordered state of the k-th kept piece.

Checked against a numpy computation of the added scores and embeddings, between teacher forcing
and the cached decoding step, and for a model without the options (no extra weights).
"""

import keras
import numpy as np
import pytest
from edit5_cases import POSITIONS, VOCAB, features

from textedit.models import T5Config
from textedit.models.edit5.edit5_config import Edit5Config
from textedit.models.edit5.edit5_model import Edit5Model, start_positions
from textedit.models.edit5.pointer_head import chain_positions


def make_model(position_logits: bool, position_inputs: bool = False,
               position_successors: bool = False) -> Edit5Model:
    keras.utils.set_random_seed(5)
    t5 = T5Config.named("tiny", vocab_size=VOCAB, num_decoder_layers=1, dropout_rate=0.0)
    return Edit5Model(Edit5Config(t5=t5, num_position_tokens=POSITIONS, max_input_length=16,
                                  position_logits=position_logits,
                                  position_inputs=position_inputs,
                                  position_successors=position_successors))


def _stages(model, batch):
    tokens = batch["encoder_input_tokens"]
    hidden, mask = model.encode(tokens)
    tags = batch["tags"]
    kept = np.logical_and(tags == 1, np.asarray(mask))
    tag_states = model.condition_on_tags(hidden, tags)
    new_positions = chain_positions(batch["pointers"], start_positions(mask))
    reordered = model.reorder(tag_states, new_positions, kept, mask)
    return reordered, mask, np.asarray(new_positions), kept


def test_position_scores_are_the_dot_product_with_the_kth_kept_state():
    model, batch = make_model(True), features()
    reordered, mask, new_positions, kept = _stages(model, batch)
    keys = np.asarray(model.position_keys(reordered, new_positions, kept))
    projected = np.asarray(model.position_key(reordered))  # [b, L, d], per source position
    for row in range(2):
        for k in range(keys.shape[1]):
            sources = np.flatnonzero(kept[row] & (new_positions[row] == k))
            expected = projected[row, sources[0]] if len(sources) else np.zeros(keys.shape[2])
            np.testing.assert_allclose(keys[row, k], expected, atol=1e-5)
    with_keys = np.asarray(model.decode(batch["decoder_input_tokens"], reordered, mask,
                                        position_keys=keys))
    without = np.asarray(model.decode(batch["decoder_input_tokens"], reordered, mask))
    hidden_scores = with_keys - without
    first, length = model.config.first_position_id, keys.shape[1]
    assert np.abs(hidden_scores[..., :first]).max() == 0
    assert np.abs(hidden_scores[..., first + length:]).max() == 0
    assert np.abs(hidden_scores[..., first:first + length]).max() > 1e-4


def test_position_inputs_are_added_at_position_tokens_only():
    model, batch = make_model(False, position_inputs=True), features()
    reordered, mask, new_positions, kept = _stages(model, batch)
    rows = np.asarray(model.position_inputs(reordered, new_positions, kept))  # [b, L, d]
    tokens = np.asarray(batch["decoder_input_tokens"])
    added = (np.asarray(model.embed_insertions(tokens, rows))
             - np.asarray(model.backbone.shared(tokens)))
    first = model.config.first_position_id
    assert ((tokens >= first) & (tokens < first + rows.shape[1])).any()
    for row, step in np.ndindex(tokens.shape):
        k = tokens[row, step] - first
        expected = rows[row, k] if 0 <= k < rows.shape[1] else np.zeros(rows.shape[2])
        np.testing.assert_allclose(added[row, step], expected, atol=1e-5)


@pytest.mark.parametrize("options", [(True, False), (False, True), (True, True)])
def test_cached_steps_equal_teacher_forcing(options):
    model, batch = make_model(*options), features()
    reordered, mask, new_positions, kept = _stages(model, batch)
    context = model.insertion_context(reordered, new_positions, kept)
    assert set(context) == {name for name, on in zip(("position_keys", "position_inputs"),
                                                     options, strict=True) if on}
    decoder_inputs = batch["decoder_input_tokens"]
    forced = np.asarray(model.decode(decoder_inputs, reordered, mask, **context))
    cache = model.init_cache(2, decoder_inputs.shape[1], reordered, mask, **context)
    for index in range(4):
        logits, cache = model.decode_step(decoder_inputs[:, index:index + 1], cache, index)
        np.testing.assert_allclose(np.asarray(logits), forced[:, index], atol=1e-4)


def test_call_uses_position_logits_only_when_configured():
    plain, scored = make_model(False), make_model(True)
    assert plain.position_key is None
    def paths(model):  # without the model's own name, which differs between the two
        return {w.path.split("/", 1)[1] for w in model.weights}

    assert paths(scored) - paths(plain) == {"position_key/kernel"}
    outputs = scored(features(), training=False)
    assert outputs["insertion_logits"].shape == (2, 8, VOCAB)
    config = Edit5Model.from_config(scored.get_config()).config
    assert config.position_logits


@pytest.mark.parametrize("position_logits", [False, True])
def test_gradients_reach_the_position_key(position_logits):
    import tensorflow as tf

    model = make_model(position_logits, position_inputs=position_logits)
    with tf.GradientTape() as tape:
        logits = model(features(), training=True)["insertion_logits"]
        loss = tf.reduce_sum(logits[..., 3:3 + POSITIONS])
    grads = tape.gradient(loss, model.trainable_weights)
    names = [w.path for w, g in zip(model.trainable_weights, grads, strict=True)
             if g is not None and float(tf.reduce_max(tf.abs(g))) > 0]
    assert any(name.endswith("position_key/kernel") for name in names) == position_logits
    assert any(name.endswith("position_input/kernel") for name in names) == position_logits


def make_successor_model():
    return make_model(True, position_inputs=True, position_successors=True)


def test_successor_states_hold_the_next_source_piece_and_the_first_for_start():
    model, batch = make_successor_model(), features()
    reordered, mask, new_positions, kept = _stages(model, batch)
    states = np.asarray(reordered)
    successors = np.asarray(model.successor_states(reordered, new_positions, kept))
    # Row 0: "A long user query" EOS; START is position 4 (the EOS), the first piece is deleted.
    np.testing.assert_allclose(successors[0, 4], states[0, 0], atol=1e-6)   # START -> front
    for position in range(4):
        np.testing.assert_allclose(successors[0, position], states[0, position + 1], atol=1e-6)
    np.testing.assert_allclose(successors[0, -1], np.zeros(states.shape[2]), atol=1e-6)
    # Row 1 keeps nothing but START (position 2), whose gap begins at the deleted position 0.
    np.testing.assert_allclose(successors[1, 2], states[1, 0], atol=1e-6)


def test_position_keys_with_successors_add_the_projected_gap():
    model, batch = make_successor_model(), features()
    reordered, mask, new_positions, kept = _stages(model, batch)
    by_rank = np.asarray(model.rank_states(reordered, new_positions, kept))
    states = np.asarray(reordered)
    gap = np.asarray(model.position_successor(
        model.successor_states(reordered, new_positions, kept)))
    for row in range(2):
        for k in range(by_rank.shape[1]):
            sources = np.flatnonzero(kept[row] & (new_positions[row] == k))
            expected = (states[row, sources[0]] + gap[row, sources[0]] if len(sources)
                        else np.zeros(states.shape[2]))
            np.testing.assert_allclose(by_rank[row, k], expected, atol=1e-5)
    # `<pos_1>` of row 0 follows "user" (rank 1, position 2), whose gap holds "query".
    assert new_positions[0, 2] == 1
    np.testing.assert_allclose(by_rank[0, 1], states[0, 2] + gap[0, 2], atol=1e-5)


def test_successor_option_trains_its_projection_and_serialises():
    import tensorflow as tf

    model = make_successor_model()
    with tf.GradientTape() as tape:
        logits = model(features(), training=True)["insertion_logits"]
        loss = tf.reduce_sum(logits[..., 3:3 + POSITIONS])
    grads = dict(zip([w.path for w in model.trainable_weights],
                     tape.gradient(loss, model.trainable_weights), strict=True))
    (name,) = [name for name in grads if name.endswith("position_successor/kernel")]
    assert float(tf.reduce_max(tf.abs(grads[name]))) > 0
    assert Edit5Model.from_config(model.get_config()).config.position_successors
    # Off, the option leaves the serialised config (model.json) as it was before it existed.
    assert "position_successors" not in make_model(True).config.to_dict()
    with pytest.raises(ValueError, match="position_successors needs"):
        Edit5Config(t5=model.config.t5, num_position_tokens=POSITIONS,
                    position_successors=True)
