"""T5Config: named sizes, overrides, validation, HF config.json, parameter counts."""

import pytest

from textedit.models import T5Config, T5EncoderDecoder


def test_named_sizes_have_the_documented_shapes():
    tiny, small, base = (T5Config.named(s) for s in ("tiny", "small", "base"))
    assert (tiny.d_model, tiny.num_heads, tiny.d_kv, tiny.d_ff) == (32, 4, 8, 64)
    assert (small.d_model, small.num_heads, small.d_kv, small.d_ff) == (256, 4, 64, 768)
    # T5-base v1.1 shapes.
    assert (base.d_model, base.num_heads, base.d_kv, base.d_ff) == (768, 12, 64, 2048)
    assert (base.num_encoder_layers, base.num_decoder_layers) == (12, 12)
    for config in (tiny, small, base):
        assert config.feed_forward_proj == "gated-gelu" and not config.tie_word_embeddings
        assert config.relative_attention_num_buckets == 32
        assert config.relative_attention_max_distance == 128
        assert config.layer_norm_epsilon == 1e-6


def test_overrides_and_a_decoder_depth_independent_of_the_encoder():
    config = T5Config.named("small", vocab_size=1000, num_decoder_layers=1)
    assert (config.vocab_size, config.num_encoder_layers, config.num_decoder_layers) == (1000, 6, 1)


@pytest.mark.parametrize("bad", [{"feed_forward_proj": "gated-silu"}, {"num_heads": 0},
                                 {"dropout_rate": 1.0}])
def test_invalid_fields_are_rejected(bad):
    with pytest.raises(ValueError):
        T5Config.named("tiny", **bad)


def test_unknown_size_names_the_known_ones():
    with pytest.raises(ValueError, match="tiny"):
        T5Config.named("huge")


def test_small_has_about_twenty_million_parameters():
    model = T5EncoderDecoder(T5Config.named("small", vocab_size=16128))
    assert 19e6 < model.count_params() < 21e6  # 20,062,464


def test_from_hf_config_v1_0_and_v1_1():
    v10 = T5Config.from_hf_config({  # t5-small's config.json (abridged)
        "d_ff": 2048, "d_kv": 64, "d_model": 512, "decoder_start_token_id": 0,
        "dropout_rate": 0.1, "eos_token_id": 1, "feed_forward_proj": "relu",
        "layer_norm_epsilon": 1e-06, "num_heads": 8, "num_layers": 6, "pad_token_id": 0,
        "relative_attention_num_buckets": 32, "vocab_size": 32128, "model_type": "t5"})
    assert v10.tie_word_embeddings and v10.feed_forward_proj == "relu"
    assert (v10.num_encoder_layers, v10.num_decoder_layers, v10.d_model) == (6, 6, 512)
    v11 = T5Config.from_hf_config({  # google/t5-v1_1-small (abridged)
        "d_ff": 1024, "d_kv": 64, "d_model": 512, "feed_forward_proj": "gated-gelu",
        "num_decoder_layers": 8, "num_heads": 6, "num_layers": 8, "tie_word_embeddings": False,
        "vocab_size": 32128})
    assert not v11.tie_word_embeddings and v11.is_gated and v11.num_decoder_layers == 8
    # Recent transformers write tie_word_embeddings=True and keep the answer here:
    assert not T5Config.from_hf_config({"tie_word_embeddings": True,
                                        "scale_decoder_outputs": False}).tie_word_embeddings
