"""Loading HF T5 checkpoints (`load_hf_t5`): tiny random transformers models, saved here in the
safetensors and PyTorch formats, give the same logits and greedy outputs as transformers itself.

Nothing is downloaded: transformers builds the models from configs (random init) into tmp dirs.
The tests that compare with transformers skip only where torch or transformers is absent, and
fail instead in CI (tests/reference_packages.py).
"""

import copy
import json

import numpy as np
import pytest
from reference_packages import require_reference

from textedit.decoding import greedy_decode
from textedit.models import (
    T5Config,
    T5EncoderDecoder,
    hf_t5_variables,
    load_hf_t5,
    load_hf_t5_weights,
    read_hf_t5_checkpoint,
)

VOCAB = 64
MAX_NEW_TOKENS = 12
# (name, feed_forward_proj, untied lm_head): T5 v1.1 with its own lm_head, T5 v1.0 tied and
# scaled, and v1.1 as transformers >= 5 builds it by default (lm_head tied to shared, unscaled).
VARIANTS = [("v1_1", "gated-gelu", True), ("v1_0", "relu", False),
            ("v1_1_tied", "gated-gelu", False)]


def _inputs(seed: int, lengths: list[int], width: int) -> np.ndarray:
    """int64 [len(lengths), width]: random ids, EOS at the end of each row, then padding."""
    tokens = np.random.default_rng(seed).integers(2, VOCAB, size=(len(lengths), width))
    for row, length in enumerate(lengths):
        tokens[row, length - 1] = 1
        tokens[row, length:] = 0
    return tokens


def _hf_model(torch, transformers, feed_forward_proj: str, untied: bool, seed: int):
    torch.manual_seed(seed)
    config = transformers.T5Config(
        vocab_size=VOCAB, d_model=32, d_kv=8, d_ff=48, num_layers=2, num_decoder_layers=2,
        num_heads=4, relative_attention_num_buckets=8, relative_attention_max_distance=20,
        feed_forward_proj=feed_forward_proj, tie_word_embeddings=feed_forward_proj == "relu",
        dropout_rate=0.0, decoder_start_token_id=0, eos_token_id=1, pad_token_id=0)
    model = transformers.T5ForConditionalGeneration(config).eval()
    with torch.no_grad():  # random init of HF is small; larger weights give decisive argmaxes
        for parameter in model.parameters():
            parameter.normal_(0.0, 0.5)
    if untied:  # transformers >= 5 ties lm_head at construction; a v1.1 checkpoint has its own
        model.lm_head.weight = torch.nn.Parameter(torch.randn(VOCAB, 32) * 0.5)
    return model


@pytest.fixture(scope="module")
def hf():
    return require_reference("torch"), require_reference("transformers")


@pytest.fixture(scope="module")
def saved(hf, tmp_path_factory):
    """{(variant, format): (hf model, checkpoint directory)} for format in safetensors / bin."""
    torch, transformers = hf
    out = {}
    for seed, (name, feed_forward_proj, untied) in enumerate(VARIANTS):
        model = _hf_model(torch, transformers, feed_forward_proj, untied, seed)
        directory = tmp_path_factory.mktemp(f"{name}_safetensors")
        model.save_pretrained(directory)
        assert (directory / "model.safetensors").exists()
        out[name, "safetensors"] = (model, directory)
        # The PyTorch format (transformers 5 writes safetensors only): config.json plus
        # torch.save of the full state dict, aliases (embed_tokens, a tied lm_head) included.
        bin_directory = tmp_path_factory.mktemp(f"{name}_bin")
        (bin_directory / "config.json").write_text((directory / "config.json").read_text())
        torch.save(model.state_dict(), bin_directory / "pytorch_model.bin")
        out[name, "bin"] = (model, bin_directory)
    return out


@pytest.mark.parametrize("fmt", ["safetensors", "bin"])
@pytest.mark.parametrize("variant", [v[0] for v in VARIANTS])
def test_logits_equal_transformers(hf, saved, variant, fmt):
    torch, _ = hf
    reference, directory = saved[variant, fmt]
    model = load_hf_t5(directory)
    untied = dict((v[0], v[2]) for v in VARIANTS)[variant]
    assert model.config.tie_word_embeddings == (variant == "v1_0")
    if untied:  # its own lm_head, not shared
        assert not np.allclose(model.lm_head.kernel.numpy(), model.shared.embeddings.numpy().T)
    for seed, (lengths, width, target_length) in enumerate(
            [([9, 4, 1], 9, 7), ([25, 13], 30, 24), ([5], 5, 1)]):
        source = _inputs(seed, lengths, width)
        target = np.random.default_rng(100 + seed).integers(2, VOCAB, (len(lengths),
                                                                       target_length))
        target[:, 0] = 0
        with torch.no_grad():
            expected = reference(input_ids=torch.tensor(source),
                                 attention_mask=torch.tensor(source != 0),
                                 decoder_input_ids=torch.tensor(target)).logits.numpy()
        logits = np.asarray(model({"encoder_input_tokens": source,
                                   "decoder_input_tokens": target}))
        assert np.max(np.abs(logits - expected)) < 1e-4, (lengths, target_length)


@pytest.mark.parametrize("variant", [v[0] for v in VARIANTS[:2]])
def test_greedy_outputs_equal_transformers_generate(hf, saved, variant):
    torch, _ = hf
    reference, directory = saved[variant, "safetensors"]
    model = load_hf_t5(directory)
    source = _inputs(7, [11, 6, 3, 8], 11)
    with torch.no_grad():
        expected = reference.generate(
            input_ids=torch.tensor(source), attention_mask=torch.tensor(source != 0),
            do_sample=False, num_beams=1, max_new_tokens=MAX_NEW_TOKENS, min_new_tokens=0,
            decoder_start_token_id=0, eos_token_id=1, pad_token_id=0).numpy()
    assert (expected[:, 0] == 0).all()  # the start token
    expected = expected[:, 1:]
    expected = np.pad(expected, ((0, 0), (0, MAX_NEW_TOKENS - expected.shape[1])))
    ours = greedy_decode(model, source, MAX_NEW_TOKENS).numpy()
    np.testing.assert_array_equal(ours, expected)
    assert (expected[:, 2] > 1).any(), "the test is vacuous: every row ended at once"


def test_the_report_names_missing_and_unexpected_keys(saved):
    _, directory = saved["v1_1", "safetensors"]
    config, state = read_hf_t5_checkpoint(directory)
    state = dict(state)
    del state["decoder.block.1.layer.2.DenseReluDense.wi_1.weight"]
    del state["lm_head.weight"]
    state["decoder.block.9.layer.0.SelfAttention.q.weight"] = np.zeros((32, 32), np.float32)
    state["encoder.embed_tokens.weight"] = state["shared.weight"]
    report = load_hf_t5_weights(T5EncoderDecoder(config), state)
    assert report.missing == ["decoder.block.1.layer.2.DenseReluDense.wi_1.weight"]
    assert report.unexpected == ["decoder.block.9.layer.0.SelfAttention.q.weight"]
    assert report.aliases == ["encoder.embed_tokens.weight"]
    assert any("lm_head.weight is not in the checkpoint" in note for note in report.notes)
    assert not report.complete
    assert "decoder.block.1.layer.2.DenseReluDense.wi_1.weight" in report.summary()
    assert len(report.loaded) == len(hf_t5_variables(T5EncoderDecoder(config))) - 1


def test_bfloat16_safetensors_are_widened(hf, saved, tmp_path):
    torch, _ = hf
    reference, _ = saved["v1_0", "safetensors"]
    copy.deepcopy(reference).to(torch.bfloat16).save_pretrained(tmp_path)
    model = load_hf_t5(tmp_path)
    expected = reference.shared.weight.detach().to(torch.bfloat16).float().numpy()
    np.testing.assert_array_equal(model.shared.embeddings.numpy(), expected)


# Torch-free: a checkpoint written from our own model with safetensors' numpy API.


def _write_checkpoint(directory, model: T5EncoderDecoder, hf_config: dict) -> dict:
    from safetensors.numpy import save_file

    state = {key: (variable.numpy().T if transpose else variable.numpy()).copy()
             for key, (variable, transpose) in hf_t5_variables(model).items()}
    save_file(state, str(directory / "model.safetensors"))
    (directory / "config.json").write_text(json.dumps(hf_config))
    return state


V1_1_CONFIG = {"model_type": "t5", "vocab_size": VOCAB, "d_model": 32, "d_kv": 8, "d_ff": 64,
               "num_layers": 2, "num_decoder_layers": 1, "num_heads": 4,
               "feed_forward_proj": "gated-gelu", "tie_word_embeddings": False}


def test_round_trip_without_torch(tmp_path):
    require_reference("safetensors")
    source = T5EncoderDecoder(T5Config.named("tiny", vocab_size=VOCAB, num_decoder_layers=1))
    state = _write_checkpoint(tmp_path, source, V1_1_CONFIG)
    model = load_hf_t5(tmp_path)
    assert model.config == T5Config.from_hf_config(V1_1_CONFIG)
    for key, (variable, transpose) in hf_t5_variables(model).items():
        np.testing.assert_array_equal(variable.numpy().T if transpose else variable.numpy(),
                                      state[key])


def test_a_shape_mismatch_names_the_key_and_both_shapes(tmp_path):
    require_reference("safetensors")
    source = T5EncoderDecoder(T5Config.named("tiny", vocab_size=VOCAB, num_decoder_layers=1))
    _write_checkpoint(tmp_path, source, {**V1_1_CONFIG, "d_ff": 48})
    with pytest.raises(ValueError, match=r"encoder\.block\.0\.layer\.1\.DenseReluDense\.wi_0"
                                         r"\.weight: checkpoint shape \(64, 32\), model expects "
                                         r"\(48, 32\)"):
        load_hf_t5(tmp_path)


def test_strict_loading_refuses_missing_weights(tmp_path):
    require_reference("safetensors")
    source = T5EncoderDecoder(T5Config.named("tiny", vocab_size=VOCAB, num_decoder_layers=1))
    _write_checkpoint(tmp_path, source, {**V1_1_CONFIG, "num_decoder_layers": 2})
    with pytest.raises(ValueError, match=r"missing: decoder\.block\.1\.layer\.0"):
        load_hf_t5(tmp_path)
    model = load_hf_t5(tmp_path, strict=False)
    assert model.config.num_decoder_layers == 2


def test_only_local_directories_are_read(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a local directory.*never downloads"):
        load_hf_t5("google/t5-v1_1-small")
    with pytest.raises(FileNotFoundError, match="config.json"):
        load_hf_t5(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps(V1_1_CONFIG))
    with pytest.raises(FileNotFoundError, match="no weights file.*pytorch_model.bin"):
        load_hf_t5(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({**V1_1_CONFIG, "model_type": "bart"}))
    with pytest.raises(ValueError, match="model_type 'bart'"):
        load_hf_t5(tmp_path)


def test_config_json_without_defaults_takes_transformers_defaults():
    # t5-small's config.json: no feed_forward_proj, no relative_attention_max_distance.
    config = T5Config.from_hf_config({
        "d_ff": 2048, "d_kv": 64, "d_model": 512, "decoder_start_token_id": 0,
        "eos_token_id": 1, "num_heads": 8, "num_layers": 6, "pad_token_id": 0,
        "vocab_size": 32128, "n_positions": 512, "model_type": "t5"})
    assert config.feed_forward_proj == "relu" and config.tie_word_embeddings
    assert config.relative_attention_max_distance == 128
    assert (config.num_encoder_layers, config.num_decoder_layers) == (6, 6)
