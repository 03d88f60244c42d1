"""T5EncoderDecoder: shapes, cached steps vs teacher forcing, tied logits, names, config, dtypes."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from textedit.models import T5Config, T5EncoderDecoder, hf_t5_variables


def _inputs(random_tokens, batch=3, source=7, target=6):
    decoder_inputs = random_tokens(11, (batch, target))
    decoder_inputs[:, 0] = 0  # start id
    return {"encoder_input_tokens": random_tokens(10, (batch, source), [7, 4, 2][:batch]),
            "decoder_input_tokens": decoder_inputs}


def test_call_gives_float32_logits_over_the_vocabulary(tiny_model, random_tokens):
    logits = tiny_model(_inputs(random_tokens))
    assert tuple(logits.shape) == (3, 6, 64)
    assert keras.backend.standardize_dtype(logits.dtype) == "float32"


@pytest.mark.parametrize("overrides", [{"num_decoder_layers": 1},
                                       {"feed_forward_proj": "relu", "tie_word_embeddings": True},
                                       {"absolute_positions": True}])
def test_cached_steps_reproduce_teacher_forcing(make_tiny_model, random_tokens, overrides):
    model = make_tiny_model(5, **overrides)
    inputs = _inputs(random_tokens)
    expected = model(inputs)
    hidden, mask = model.encode(inputs["encoder_input_tokens"])
    cache = model.init_cache(3, 8, hidden, mask)  # longer than the 6 steps taken
    # [batch, heads, length, d_kv]
    assert [tuple(k.shape) for k in cache["self_key"]] == [(3, 4, 8, 8)] * len(model.decoder.blocks)
    assert tuple(cache["cross_key"][0].shape) == (3, 4, 7, 8)
    tokens = inputs["decoder_input_tokens"]
    for index in range(tokens.shape[1]):
        logits, cache = model.decode_step(tokens[:, index:index + 1], cache, index)
        np.testing.assert_allclose(logits, expected[:, index], atol=1e-4, rtol=1e-4)


def test_absolute_positions_add_no_weights_and_tell_positions_apart(make_tiny_model,
                                                                     random_tokens):
    """The option only adds fixed encodings: the same weights load into a model without it,
    which then differs in its outputs; with it, the encoder state of a repeated token depends
    on where the token is (T5's relative bias alone cannot tell, without neighbours)."""
    plain, positioned = make_tiny_model(5), make_tiny_model(5, absolute_positions=True)
    assert [v.path.split("/", 1)[1] for v in plain.weights] == [
        v.path.split("/", 1)[1] for v in positioned.weights]
    positioned.set_weights(plain.get_weights())
    inputs = _inputs(random_tokens)
    assert not np.allclose(plain(inputs), positioned(inputs), atol=1e-3)
    repeated = np.full((1, 6), 9, np.int32)
    for model, differ in ((plain, False), (positioned, True)):
        hidden = np.asarray(model.encode(repeated)[0])[0]
        assert np.allclose(hidden[0], hidden[3], atol=1e-5) is not differ


def test_reorder_cache_moves_self_attention_rows_only(tiny_model, random_tokens):
    hidden, mask = tiny_model.encode(random_tokens(1, (2, 5), [5, 3]))
    cache = tiny_model.init_cache(2, 4, hidden, mask)
    _, cache = tiny_model.decode_step(np.array([[0], [0]]), cache, 0)
    _, cache = tiny_model.decode_step(np.array([[5], [9]]), cache, 1)
    reordered = tiny_model.reorder_cache(cache, np.array([1, 1]))
    np.testing.assert_array_equal(reordered["self_key"][0][0], cache["self_key"][0][1])
    np.testing.assert_array_equal(reordered["cross_key"][0], cache["cross_key"][0])


def test_tied_embeddings_scale_the_decoder_output_and_share_the_table(make_tiny_model):
    tied = make_tiny_model(2, tie_word_embeddings=True)
    untied = make_tiny_model(2)
    assert tied.lm_head is None
    assert untied.count_params() - tied.count_params() == 64 * 32
    hidden = np.random.default_rng(0).normal(size=(2, 3, 32)).astype(np.float32)
    expected = (hidden * 32**-0.5) @ np.asarray(tied.shared.embeddings).T
    np.testing.assert_allclose(tied.project_to_vocab(hidden), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("overrides", [{}, {"feed_forward_proj": "relu",
                                            "tie_word_embeddings": True}])
def test_every_weight_has_one_hf_name(make_tiny_model, overrides):
    model = make_tiny_model(0, **overrides)
    names = hf_t5_variables(model)
    assert sorted(id(v) for v, _ in names.values()) == sorted(id(v) for v in model.weights)
    assert len({v.path for v in model.weights}) == len(model.weights)
    assert "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight" in names
    assert "encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight" not in names
    assert ("lm_head.weight" in names) is not bool(overrides)
    ff = "decoder.block.1.layer.2.DenseReluDense"
    assert (f"{ff}.wi_0.weight" in names) is not bool(overrides)
    assert (f"{ff}.wi.weight" in names) is bool(overrides)


def test_config_round_trip(make_tiny_model):
    model = make_tiny_model(0, num_decoder_layers=1, dropout_rate=0.2)
    clone = T5EncoderDecoder.from_config(model.get_config())
    assert clone.config == model.config and clone.count_params() == model.count_params()


def test_dropout_only_in_training(make_tiny_model, random_tokens):
    model = make_tiny_model(0, dropout_rate=0.3)
    inputs = _inputs(random_tokens)
    np.testing.assert_array_equal(model(inputs), model(inputs))
    assert not np.allclose(model(inputs), model(inputs, training=True))


def test_mixed_bfloat16_runs_with_float32_logits(random_tokens):
    keras.utils.set_random_seed(0)
    config = T5Config.named("tiny", vocab_size=64)
    model = T5EncoderDecoder(config, dtype="mixed_bfloat16")
    assert keras.backend.standardize_dtype(model.shared.embeddings.dtype) == "float32"
    inputs = _inputs(random_tokens)
    logits = model(inputs)
    assert keras.backend.standardize_dtype(logits.dtype) == "float32"
    hidden, mask = model.encode(inputs["encoder_input_tokens"])
    cache = model.init_cache(3, 4, hidden, mask)
    assert keras.backend.standardize_dtype(cache["self_key"][0].dtype) == "bfloat16"
    step_logits, _ = model.decode_step(inputs["decoder_input_tokens"][:, :1], cache, 0)
    assert bool(ops.all(ops.isfinite(step_logits)))
    np.testing.assert_allclose(step_logits, logits[:, 0], atol=0.1)


def test_keras_file_round_trip(make_tiny_model, random_tokens, tmp_path):
    model = make_tiny_model(4, tie_word_embeddings=True, feed_forward_proj="relu")
    model.save(tmp_path / "t5.keras")
    loaded = keras.saving.load_model(tmp_path / "t5.keras")
    assert loaded.config == model.config
    inputs = _inputs(random_tokens)
    np.testing.assert_array_equal(loaded(inputs), model(inputs))


def test_a_training_step_compiles_with_xla(make_tiny_model, random_tokens):
    model = make_tiny_model(0, num_encoder_layers=1, num_decoder_layers=1, dropout_rate=0.1)
    inputs = _inputs(random_tokens)
    targets = random_tokens(12, (3, 6))

    @tf.function(jit_compile=True)
    def loss_and_gradients(inputs, targets):
        with tf.GradientTape() as tape:
            logits = model(inputs, training=True)
            loss = ops.mean(keras.losses.sparse_categorical_crossentropy(
                targets, logits, from_logits=True))
        return loss, tape.gradient(loss, model.trainable_variables)

    loss, gradients = loss_and_gradients(inputs, targets)
    assert np.isfinite(float(loss))
    assert all(g is not None and bool(ops.all(ops.isfinite(g))) for g in gradients)


def test_segment_embeddings_follow_the_separators():
    config = T5Config.named("tiny", vocab_size=32, num_segments=2, first_separator_id=28,
                            num_separators=4)
    model = T5EncoderDecoder(config)
    plain = T5EncoderDecoder(T5Config.named("tiny", vocab_size=32))
    tokens = np.array([[5, 6, 29, 7, 8, 28, 9, 1, 0]], np.int32)  # x, sep, c_1, sep, c_2, EOS
    initial = model.segment_embedding.get_weights()[0]
    assert initial.shape == (2, config.d_model) and 0.5 < initial.std() < 2.0  # the shared scale
    segment = np.array([[0.0] * 4, [1.0] * 4]) * np.arange(1, 5)  # row s: s * (1, 2, 3, 4)
    model.segment_embedding.set_weights([np.tile(segment, (1, config.d_model // 4))])
    added = (model.embed_encoder_tokens(tokens) - model.shared(tokens)).numpy()[0, :, 0]
    # The source is segment 0; every candidate (and its separator) is segment 1 (capped).
    np.testing.assert_allclose(added, [0, 0, 1, 1, 1, 1, 1, 1, 1])
    assert len(model.weights) == len(plain.weights) + 1
    with pytest.raises(ValueError, match="num_separators"):
        T5Config.named("tiny", num_segments=2)


def test_a_run_with_segments_is_rebuilt_with_them(tmp_path):
    from textedit.runs.run_artifacts import build_model_from_run, write_model_config

    config = T5Config.named("tiny", vocab_size=32, num_segments=2, first_separator_id=28,
                            num_separators=4)
    write_model_config(tmp_path, T5EncoderDecoder(config))
    rebuilt = build_model_from_run(tmp_path)
    assert rebuilt.config == config and rebuilt.segment_embedding is not None
