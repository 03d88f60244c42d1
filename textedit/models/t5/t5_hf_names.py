"""Where each Hugging Face `T5ForConditionalGeneration` weight lives in a `T5EncoderDecoder`.

`hf_t5_variables(model)` maps every HF state-dict key the model needs to the Keras variable that
holds it and whether the array must be transposed (torch `nn.Linear.weight` is [out, in], a Keras
`Dense` kernel [in, out]). A checkpoint importer is a loop over this map:

    for key, (variable, transpose) in hf_t5_variables(model).items():
        array = state_dict[key].numpy()
        variable.assign(array.T if transpose else array)

Keys HF stores but the model does not need: `encoder.embed_tokens.weight` and
`decoder.embed_tokens.weight` (aliases of `shared.weight`), `lm_head.weight` of a tied (v1.0)
checkpoint (an alias too), and `decoder.block.0.layer.1.EncDecAttention.relative_attention_bias`
(unused by HF itself).
"""

from __future__ import annotations

from textedit.models.t5.t5_encoder_decoder import T5EncoderDecoder


def _attention(prefix: str, layer, out: dict) -> None:
    for name in ("q", "k", "v", "o"):
        out[f"{prefix}.{name}.weight"] = (getattr(layer, name).kernel, True)


def _feed_forward(prefix: str, layer, out: dict) -> None:
    names = ("wi_0", "wi_1", "wo") if layer.feed_forward_proj.startswith("gated-") else ("wi", "wo")
    for name in names:
        out[f"{prefix}.DenseReluDense.{name}.weight"] = (getattr(layer, name).kernel, True)


def hf_t5_variables(model: T5EncoderDecoder) -> dict[str, tuple]:
    """HF state-dict key -> (Keras variable, transpose: bool), in HF's order."""
    out: dict[str, tuple] = {"shared.weight": (model.shared.embeddings, False)}
    for stack_name in ("encoder", "decoder"):
        stack = getattr(model, stack_name)
        for i, block in enumerate(stack.blocks):
            prefix = f"{stack_name}.block.{i}.layer"
            _attention(f"{prefix}.0.SelfAttention", block.self_attention, out)
            if i == 0:
                out[f"{prefix}.0.SelfAttention.relative_attention_bias.weight"] = (
                    stack.relative_attention_bias.embeddings, False)
            out[f"{prefix}.0.layer_norm.weight"] = (block.self_attention_norm.scale, False)
            ff = 1
            if block.is_decoder:
                _attention(f"{prefix}.1.EncDecAttention", block.cross_attention, out)
                out[f"{prefix}.1.layer_norm.weight"] = (block.cross_attention_norm.scale, False)
                ff = 2
            _feed_forward(f"{prefix}.{ff}", block.feed_forward, out)
            out[f"{prefix}.{ff}.layer_norm.weight"] = (block.feed_forward_norm.scale, False)
        out[f"{stack_name}.final_layer_norm.weight"] = (stack.final_layer_norm.scale, False)
    if model.lm_head is not None:
        out["lm_head.weight"] = (model.lm_head.kernel, True)
    return out


def hf_t5_config(config) -> dict:
    """The keyword arguments of a `transformers.T5Config` with the shapes of our `T5Config`
    (the inverse of `T5Config.from_hf_config`): `T5ForConditionalGeneration(T5Config(**these))`
    takes the weights `hf_t5_variables` names."""
    c = config
    return dict(
        vocab_size=c.vocab_size, d_model=c.d_model, d_kv=c.d_kv, d_ff=c.d_ff,
        num_layers=c.num_encoder_layers, num_decoder_layers=c.num_decoder_layers,
        num_heads=c.num_heads, relative_attention_num_buckets=c.relative_attention_num_buckets,
        relative_attention_max_distance=c.relative_attention_max_distance,
        dropout_rate=c.dropout_rate, layer_norm_epsilon=c.layer_norm_epsilon,
        feed_forward_proj=c.feed_forward_proj, tie_word_embeddings=c.tie_word_embeddings,
        decoder_start_token_id=c.decoder_start_id, eos_token_id=c.eos_id, pad_token_id=c.pad_id)
