"""T5 layers: RMSNorm, relative position buckets (golden values), masking and causality."""

import keras
import numpy as np
import pytest
from keras import ops

from textedit.models import RMSNorm, T5Attention, T5FeedForward, relative_position_bucket


def test_rms_norm_scales_by_the_root_mean_square_without_centring():
    x = np.array([[3.0, 4.0, 0.0, 5.0]], np.float32)
    layer = RMSNorm(epsilon=1e-6)
    layer.build(x.shape)
    layer.scale.assign([1.0, 2.0, 1.0, 1.0])
    rms = np.sqrt(np.mean(x**2) + 1e-6)
    np.testing.assert_allclose(layer(x), x / rms * [1.0, 2.0, 1.0, 1.0], rtol=1e-6)


def test_rms_norm_in_bfloat16_keeps_float32_accuracy_of_the_variance():
    x = np.linspace(-300, 300, 64, dtype=np.float32)[None]
    layer = RMSNorm(dtype="mixed_bfloat16")
    out = layer(x)
    assert keras.backend.standardize_dtype(out.dtype) == "bfloat16"
    np.testing.assert_allclose(ops.cast(out, "float32"), x / np.sqrt(np.mean(x**2)), atol=2e-2)


# Hand-computed from the Mesh TensorFlow formula (num_buckets 32, max_distance 128).
BIDIRECTIONAL = {0: 0, -1: 1, -7: 7, -8: 8, -20: 10, -127: 15, -128: 15, -5000: 15,
                 1: 17, 7: 23, 20: 26, 5000: 31}
UNIDIRECTIONAL = {0: 0, 5: 0, 5000: 0, -1: 1, -15: 15, -16: 16, -40: 23, -127: 31, -5000: 31}


@pytest.mark.parametrize("bidirectional, golden", [(True, BIDIRECTIONAL),
                                                   (False, UNIDIRECTIONAL)])
def test_relative_position_bucket_golden_values(bidirectional, golden):
    buckets = relative_position_bucket(np.array(list(golden)), bidirectional, 32, 128)
    assert dict(zip(golden, np.asarray(buckets).tolist(), strict=True)) == golden


def test_attention_ignores_masked_keys():
    rng = np.random.default_rng(0)
    layer = T5Attention(num_heads=2, d_kv=4)
    query, memory = rng.normal(size=(1, 3, 8)), rng.normal(size=(1, 5, 8))
    changed = memory.copy()
    changed[:, 3:] = rng.normal(size=(1, 2, 8))
    mask = np.array([True, True, True, False, False])[None, None, None, :]
    first = layer(query, memory, attention_mask=mask)
    np.testing.assert_allclose(first, layer(query, changed, attention_mask=mask), atol=1e-6)
    assert not np.allclose(first, layer(query, changed))


@pytest.mark.parametrize("proj, names", [("gated-gelu", {"wi_0", "wi_1", "wo"}),
                                         ("relu", {"wi", "wo"})])
def test_feed_forward_variants_have_hf_sublayer_names(proj, names):
    layer = T5FeedForward(16, proj)
    layer.build((None, None, 8))
    assert {v.path.split("/")[-2] for v in layer.weights} == names
    assert layer(np.ones((1, 2, 8), np.float32)).shape == (1, 2, 8)


def test_encoder_output_on_real_tokens_does_not_depend_on_padding(tiny_model, random_tokens):
    tokens = random_tokens(1, (1, 5), [5])
    padded = np.concatenate([tokens, np.zeros((1, 4), np.int32)], axis=1)
    hidden, mask = tiny_model.encode(tokens)
    hidden_padded, mask_padded = tiny_model.encode(padded)
    np.testing.assert_allclose(hidden, hidden_padded[:, :5], atol=1e-5)
    assert np.asarray(mask_padded).tolist() == [[True] * 5 + [False] * 4]


def test_decoder_is_causal(make_tiny_model, random_tokens):
    model = make_tiny_model(3)
    inputs = {"encoder_input_tokens": random_tokens(2, (2, 6), [6, 3]),
              "decoder_input_tokens": random_tokens(3, (2, 5))}
    logits = model(inputs)
    inputs["decoder_input_tokens"][:, 3] = 7
    changed = model(inputs)
    np.testing.assert_allclose(logits[:, :3], changed[:, :3], atol=1e-5)
    assert not np.allclose(logits[:, 3:], changed[:, 3:])
