"""Gemma 2 pieces on small inputs: soft-capping, the local mask, grouped-query head sharing, RoPE;
the cached decoding step (prompt prefill, ring caches of local layers) against teacher forcing;
configs and serialisation."""

import dataclasses
import math

import keras
import numpy as np
import pytest
from keras import ops

from textedit.models import Gemma2Config, Gemma2DecoderOnly
from textedit.models.gemma2 import attention_ops
from textedit.models.gemma2.gemma2_config import GLOBAL, LOCAL


def test_soft_cap_is_cap_tanh_and_keeps_small_values():
    x = np.array([-1000.0, -5.0, -0.01, 0.0, 0.01, 5.0, 1000.0], np.float32)
    capped = np.asarray(attention_ops.soft_cap(x, 5.0))
    np.testing.assert_allclose(capped, 5.0 * np.tanh(x / 5.0), rtol=1e-6)
    assert capped[0] == pytest.approx(-5.0) and capped[-1] == pytest.approx(5.0)
    assert capped[4] == pytest.approx(0.01, rel=1e-4)  # slope 1 at 0
    assert capped[5] == pytest.approx(5.0 * math.tanh(1.0), rel=1e-6)
    np.testing.assert_array_equal(np.asarray(attention_ops.soft_cap(x, None)), x)


def test_local_mask_is_causal_within_the_window():
    positions = np.arange(5, dtype=np.int32)
    local = np.asarray(attention_ops.attention_mask(positions, positions, window=2))
    expected = np.array([[1, 0, 0, 0, 0],
                         [1, 1, 0, 0, 0],
                         [0, 1, 1, 0, 0],
                         [0, 0, 1, 1, 0],
                         [0, 0, 0, 1, 1]], bool)
    np.testing.assert_array_equal(local, expected)
    causal = np.asarray(attention_ops.attention_mask(positions, positions))
    np.testing.assert_array_equal(causal, np.tril(np.ones((5, 5), bool)))


def test_grouped_query_heads_share_their_group_key_value_head():
    rng = np.random.default_rng(0)
    heads, kv_heads, width = 6, 2, 4
    queries = rng.normal(size=(2, heads, 3, width)).astype(np.float32)
    keys = rng.normal(size=(2, kv_heads, 5, width)).astype(np.float32)
    values = rng.normal(size=(2, kv_heads, 5, width)).astype(np.float32)
    mask = np.ones((1, 1, 1, 3, 5), bool)
    got = np.asarray(attention_ops.grouped_attention(queries, keys, values, mask, 0.5, None))
    # Multi-head attention with kv head j repeated for query heads 3j, 3j+1, 3j+2 (HF repeat_kv).
    full_keys, full_values = np.repeat(keys, 3, axis=1), np.repeat(values, 3, axis=1)
    logits = np.einsum("bhqd,bhkd->bhqk", queries, full_keys) * 0.5
    weights = np.exp(logits - logits.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    expected = np.einsum("bhqk,bhkd->bqhd", weights, full_values).reshape(2, 3, heads * width)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    # Zeroing kv head 1 silences query heads 3, 4, 5 only.
    values[:, 1] = 0.0
    silenced = np.asarray(attention_ops.grouped_attention(queries, keys, values, mask, 0.5, None))
    silenced = silenced.reshape(2, 3, heads, width)
    assert np.all(silenced[:, :, 3:] == 0) and np.all(np.abs(silenced[:, :, :3]) > 0)


def test_rope_rotates_pairs_and_depends_only_on_relative_position():
    rng = np.random.default_rng(1)
    q, k = rng.normal(size=(2, 1, 1, 1, 8)).astype(np.float32)

    def rotated_dot(q_position, k_position):
        cq, sq = attention_ops.rotary_angles(np.array([q_position]), 8, 10000.0)
        ck, sk = attention_ops.rotary_angles(np.array([k_position]), 8, 10000.0)
        return float(ops.sum(attention_ops.rotate(q, cq, sq) * attention_ops.rotate(k, ck, sk)))

    assert rotated_dot(7, 3) == pytest.approx(rotated_dot(14, 10), rel=1e-4)
    assert rotated_dot(7, 3) != pytest.approx(rotated_dot(7, 4), rel=1e-3)
    cos, sin = attention_ops.rotary_angles(np.array([0]), 8, 10000.0)  # position 0: identity
    np.testing.assert_allclose(np.asarray(attention_ops.rotate(q, cos, sin)), q, rtol=1e-6)


def _tiny_model(seed=0, **overrides):
    keras.utils.set_random_seed(seed)
    config = Gemma2Config.named("tiny", vocab_size=40, num_layers=3, attn_logit_softcap=3.0,
                                final_logit_softcap=5.0, **overrides)
    return Gemma2DecoderOnly(config)


def test_cached_steps_equal_teacher_forcing_past_the_window():
    """Prompts of different lengths in one batch; 8 steps through ring caches of 4 slots."""
    model = _tiny_model()
    assert model.config.layer_types == (LOCAL, GLOBAL, LOCAL)
    rng = np.random.default_rng(2)
    source = rng.integers(2, 40, size=(2, 6)).astype(np.int32)
    source[0, 5], source[1, 2], source[1, 3:] = 1, 1, 0  # lengths 6 and 3, EOS last
    completion = rng.integers(2, 40, size=(2, 8)).astype(np.int32)
    prompt, mask = model.encode(source)
    cache = model.init_cache(2, 8, prompt, mask)
    assert [k.shape[2] for k in cache["self_key"]] == [4, 8, 4]  # local layers: a window's slots
    token = np.full((2, 1), model.config.decoder_start_id, np.int32)
    for step in range(8):
        logits, cache = model.decode_step(token, cache, np.int32(step))
        for row, length in enumerate((6, 3)):
            # Teacher forcing on [0, source[:length - 1], EOS, completion[:step]].
            sequence = np.concatenate([[0], source[row, :length], completion[row, :step]])
            full = np.asarray(model(sequence[None].astype(np.int32)))[0, -1]
            np.testing.assert_allclose(np.asarray(logits)[row], full, atol=1e-4, rtol=0,
                                       err_msg=f"row {row} step {step}")
        token = completion[:, step:step + 1]


def test_config_round_trips_through_keras_serialisation():
    model = _tiny_model(layer_types=[GLOBAL, LOCAL, LOCAL])
    rebuilt = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(model))
    assert isinstance(rebuilt, Gemma2DecoderOnly)
    assert rebuilt.config == model.config
    assert rebuilt.config.layer_types == (GLOBAL, LOCAL, LOCAL)


def test_named_sizes_teacher_is_four_times_the_student():
    def parameters(size):
        config = Gemma2Config.named(size)
        attention = config.d_model * config.head_dim * 2 * (config.num_heads + config.num_kv_heads)
        block = attention + 3 * config.d_model * config.d_ff + 4 * config.d_model
        return config.vocab_size * config.d_model + config.num_layers * block + config.d_model

    mini = Gemma2DecoderOnly(Gemma2Config.named("mini"))
    assert mini.count_params() == parameters("mini")
    assert parameters("small") >= 4 * parameters("mini")


@pytest.mark.parametrize("bad, message", [
    (dict(num_heads=3, num_kv_heads=2), "multiple of num_kv_heads"),
    (dict(layer_types=["local"] * 2), "layer_types"),
    (dict(head_dim=7), "even"),
])
def test_bad_configs_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(Gemma2Config.named("tiny"), **bad)
