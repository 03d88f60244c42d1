"""Hugging Face equivalence of the Gemma 2 backbone: a tiny random `Gemma2ForCausalLM` built here,
saved with `save_pretrained` (config.json + model.safetensors) into a temporary directory and
loaded with `load_hf_gemma2`, gives the same logits within 1e-4. The sequence is longer than the
sliding window, the caps are small enough to bend the logits, the query scale differs from
head_dim**-0.5 and the norms' scales are non-zero, so every Gemma 2 feature is exercised.

Nothing is downloaded: HF builds the model from a config.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from textedit.models import Gemma2Config, load_hf_gemma2  # noqa: E402
from textedit.models.gemma2.gemma2_config import GLOBAL, LOCAL  # noqa: E402


def _hf_model(**overrides):
    torch.manual_seed(0)
    values = dict(vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=3,
                  num_attention_heads=4, num_key_value_heads=2, head_dim=8, sliding_window=4,
                  query_pre_attn_scalar=12, attn_logit_softcapping=2.0,
                  final_logit_softcapping=3.0, max_position_embeddings=64,
                  attn_implementation="eager")
    values.update(overrides)
    model = transformers.Gemma2ForCausalLM(transformers.Gemma2Config(**values)).eval()
    # HF's init (stddev 0.02, norm offsets 0) keeps every logit far below the caps: widen it.
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            scale = 0.3 if "norm" in name else 0.5 if "embed" in name else 2 / 32**0.5
            parameter.copy_(torch.randn_like(parameter) * scale)
    return model


@pytest.fixture(scope="module")
def hf_directory(tmp_path_factory):
    model = _hf_model()
    directory = tmp_path_factory.mktemp("gemma2-tiny")
    model.save_pretrained(directory, safe_serialization=True)
    return model, directory


def test_config_is_read_from_config_json(hf_directory):
    model, _ = hf_directory
    config = Gemma2Config.from_hf_config(model.config.to_dict())
    assert config.layer_types == (LOCAL, GLOBAL, LOCAL)
    assert (config.num_heads, config.num_kv_heads, config.head_dim) == (4, 2, 8)
    assert (config.attn_logit_softcap, config.final_logit_softcap) == (2.0, 3.0)
    assert (config.sliding_window, config.query_pre_attn_scalar) == (4, 12.0)
    assert config.rope_theta == 10000.0


def test_logits_equal_hf_past_the_sliding_window(hf_directory):
    hf, directory = hf_directory
    model = load_hf_gemma2(directory)  # strict: every weight loaded, nothing left over
    tokens = np.random.default_rng(0).integers(2, 64, size=(2, 13))  # 13 > window 4
    with torch.no_grad():
        expected = hf(input_ids=torch.tensor(tokens)).logits.numpy()
    logits = np.asarray(model({"decoder_input_tokens": tokens}))
    assert np.abs(expected).max() > 1.5  # the cap of 3.0 bends these logits
    np.testing.assert_allclose(logits, expected, atol=1e-4, rtol=0)


def test_without_caps_and_all_global_layers(tmp_path):
    hf = _hf_model(attn_logit_softcapping=None, final_logit_softcapping=None,
                   layer_types=["full_attention"] * 3)
    hf.save_pretrained(tmp_path, safe_serialization=True)
    model = load_hf_gemma2(tmp_path)
    assert model.config.attn_logit_softcap is None and model.config.final_logit_softcap is None
    tokens = np.random.default_rng(1).integers(2, 64, size=(1, 9))
    with torch.no_grad():
        expected = hf(input_ids=torch.tensor(tokens)).logits.numpy()
    np.testing.assert_allclose(np.asarray(model(tokens)), expected, atol=1e-4, rtol=0)


def test_shape_mismatch_names_the_key(hf_directory, tmp_path):
    hf, _ = hf_directory
    config = hf.config.to_dict()
    config["intermediate_size"] = 40  # the weights say 48
    hf.save_pretrained(tmp_path, safe_serialization=True)
    (tmp_path / "config.json").write_text(__import__("json").dumps(config))
    with pytest.raises(ValueError, match="mlp.gate_proj.weight"):
        load_hf_gemma2(tmp_path)


def test_not_a_directory_is_refused():
    with pytest.raises(FileNotFoundError, match="never downloads"):
        load_hf_gemma2("google/gemma-2-2b")
