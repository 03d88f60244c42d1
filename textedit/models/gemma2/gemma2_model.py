"""`Gemma2DecoderOnly`: a Gemma 2 decoder-only language model with teacher forcing and cached steps.

    model = Gemma2DecoderOnly(Gemma2Config.named("mini", vocab_size=16128))
    logits = model({"decoder_input_tokens": tokens})          # [b, t] -> float32 [b, t, vocab]

Decoding goes through the same loops as T5 (`textedit.decoding`), with the prompt in the role of
the encoder output: `encode` turns the plain task's `encoder_input_tokens` (source + EOS, 0-padded)
into the prompt the decoder-only formatting trains on, `init_cache` runs it once (prefill) and
keeps its keys and values, and each `decode_step` attends to them and to the generated tokens:

    prompt, mask = model.encode(source_tokens)                # [b, s]: 0, source without its EOS
    cache = model.init_cache(b, max_length, prompt, mask)     # prefill + empty step caches
    logits, cache = model.decode_step(token, cache, index)    # token [b, 1] -> [b, vocab]

The first step's token is `config.decoder_start_id` (EOS, 1), the source's last token: the
decoder-only formatting (`seqio.PrefixLMFeatureConverter`) trains on `0, source, EOS, target`
shifted right, so the completion's first token is predicted at the source's EOS. Rows keep their
own positions (RoPE at prompt length + step), so prompts of any length share one batch.

The cache (shapes static, allocated at full size):

    prefix_key, prefix_value   list over layers of [b, kv_heads, P, head_dim]: the prompt's
    prefix_length              int32 [b], the prompt tokens of each row (the rest is padding)
    self_key, self_value       list over layers of [b, kv_heads, R, head_dim]: generated tokens;
                               a global layer has R = max_length slots (step i writes slot i), a
                               local layer a ring of R = min(sliding_window, max_length) slots
                               (step i writes slot i mod R: a window never needs more)

Logits are float32: the last hidden state times the embedding transposed (tied), soft-capped.
HF weight names: `gemma2_hf_names.hf_gemma2_variables`.
"""

from __future__ import annotations

import keras
from keras import ops

from textedit.models.gemma2 import attention_ops
from textedit.models.gemma2.gemma2_block import Gemma2Block
from textedit.models.gemma2.gemma2_config import Gemma2Config
from textedit.models.gemma2.gemma_rms_norm import GemmaRMSNorm
from textedit.models.t5.dropout import Dropout
from textedit.models.t5.t5_encoder_decoder import T5EncoderDecoder


@keras.saving.register_keras_serializable(package="textedit")
class Gemma2DecoderOnly(keras.Model):
    """Gemma 2 decoder; every weight is created in the constructor.

    Sub-layers (HF names in brackets): `embed_tokens` [model.embed_tokens], `layers_{i}`
    [model.layers.{i}], `norm` [model.norm]; the output layer is the embedding (tied).
    """

    def __init__(self, config: Gemma2Config, **kwargs):
        super().__init__(**kwargs)
        self.config = config
        policy = self.dtype_policy
        # stddev d**-0.5: the sqrt(d)-scaled input embedding starts near unit scale, and so do
        # the tied logits of a normalised final state.
        self.embed_tokens = keras.layers.Embedding(
            config.vocab_size, config.d_model, name="embed_tokens", dtype=policy,
            embeddings_initializer=keras.initializers.RandomNormal(stddev=config.d_model**-0.5))
        self.blocks = [Gemma2Block(config, name=f"layers_{i}", dtype=policy)
                       for i in range(config.num_layers)]
        self.norm = GemmaRMSNorm(config.rms_norm_eps, name="norm", dtype=policy)
        self.dropout = Dropout(config.dropout_rate, dtype=policy)
        self.build()

    def build(self, input_shape=None):
        self.embed_tokens.build((None, None))
        for block in self.blocks:
            block.build((None, None, self.config.d_model))
        self.norm.build((None, None, self.config.d_model))

    def embed(self, tokens):
        """int [b, t] -> [b, t, d_model], scaled by sqrt(d_model) (in the compute dtype, as HF)."""
        scale = ops.cast(self.config.d_model**0.5, self.compute_dtype)
        return self.embed_tokens(tokens) * scale

    def _angles(self, positions):
        """int positions [...] -> (cos, sin) [..., head_dim]."""
        return attention_ops.rotary_angles(positions, self.config.head_dim, self.config.rope_theta)

    def hidden_states(self, tokens, training=False):
        """Teacher forcing: tokens int [b, t] -> (final normed states [b, t, d_model], per-layer
        (keys, values) [b, kv_heads, t, head_dim] after RoPE)."""
        positions = ops.arange(ops.shape(tokens)[1], dtype="int32")
        cos, sin = self._angles(positions)
        cos, sin = cos[None, None], sin[None, None]  # [1, 1, t, head_dim]
        masks = {False: attention_ops.attention_mask(positions, positions)[None, None, None],
                 True: attention_ops.attention_mask(positions, positions,
                                                    self.config.sliding_window)[None, None, None]}
        x = self.dropout(self.embed(tokens), training=training)
        key_values = []
        for i, block in enumerate(self.blocks):
            x, keys, values = block(x, cos, sin, masks[self.config.is_local(i)],
                                    training=training)
            key_values.append((keys, values))
        return self.norm(x), key_values

    def project_to_vocab(self, hidden):
        """Final states [..., d_model] -> soft-capped float32 logits [..., vocab_size]."""
        embeddings = ops.cast(self.embed_tokens.embeddings, hidden.dtype)
        logits = ops.cast(ops.matmul(hidden, ops.transpose(embeddings)), "float32")
        return attention_ops.soft_cap(logits, self.config.final_logit_softcap)

    def call(self, inputs, training=False):
        """inputs {"decoder_input_tokens": int [b, t]} (or the tensor itself) -> logits float32
        [b, t, vocab_size]; position i predicts token i + 1 (causal)."""
        tokens = inputs["decoder_input_tokens"] if isinstance(inputs, dict) else inputs
        hidden, _ = self.hidden_states(tokens, training=training)
        return self.project_to_vocab(hidden)

    def encode(self, encoder_tokens, training=False):
        """The prompt of the decoder-only formatting from a plain task's source.

        Args:
          encoder_tokens: int [b, s], source + EOS, right-padded with 0.

        Returns:
          (prompt int [b, s]: 0 then the source without its final token, 0 after; mask bool
          [b, s]: True on the prompt's tokens). The final token (EOS) is fed by the first
          decoding step (`config.decoder_start_id`).
        """
        del training  # the prompt is run in init_cache
        tokens = ops.cast(encoder_tokens, "int32")
        lengths = ops.sum(ops.cast(ops.not_equal(tokens, self.config.pad_id), "int32"), axis=1)
        shifted = ops.concatenate([ops.zeros_like(tokens[:, :1]), tokens[:, :-1]], axis=1)
        mask = ops.arange(ops.shape(tokens)[1], dtype="int32")[None, :] < lengths[:, None]
        return ops.where(mask, shifted, 0), mask

    def init_cache(self, batch_size: int, max_length: int, prompt, prompt_mask) -> dict:
        """Runs the prompt [b, P] once (prefill) and allocates the step caches for `max_length`
        steps (layout: module docstring). prompt_mask bool [b, P] marks each row's prompt."""
        _, key_values = self.hidden_states(prompt)
        cache = {"prefix_key": [k for k, _ in key_values],
                 "prefix_value": [v for _, v in key_values],
                 "prefix_length": ops.sum(ops.cast(prompt_mask, "int32"), axis=1),
                 "self_key": [], "self_value": []}
        c = self.config
        for i in range(c.num_layers):
            shape = (batch_size, c.num_kv_heads, self.cache_slots(i, max_length), c.head_dim)
            cache["self_key"].append(ops.zeros(shape, self.compute_dtype))
            cache["self_value"].append(ops.zeros(shape, self.compute_dtype))
        return cache

    def cache_slots(self, layer: int, max_length: int) -> int:
        """Slots of layer `layer`'s step cache: a local layer needs at most its window."""
        if self.config.is_local(layer):
            return min(self.config.sliding_window, max_length)
        return max_length

    def decode_step(self, token, cache: dict, index):
        """token int [b, 1] at step `index` (scalar int tensor; row r's position is its prompt
        length + index) -> (logits float32 [b, vocab_size] for the next token, updated cache)."""
        c = self.config
        index = ops.cast(index, "int32")
        positions = cache["prefix_length"] + index  # [b]
        cos, sin = self._angles(positions)
        cos, sin = cos[:, None, None, :], sin[:, None, None, :]  # [b, 1, 1, head_dim]
        prompt_length = cache["prefix_key"][0].shape[2]
        prompt_positions = ops.arange(prompt_length, dtype="int32")
        in_prompt = prompt_positions[None, :] < cache["prefix_length"][:, None]  # [b, P]
        in_window = (positions[:, None] - prompt_positions[None, :]) < c.sliding_window
        prefix_masks = {False: in_prompt, True: ops.logical_and(in_prompt, in_window)}
        x = self.embed(token)
        new_cache = {key: list(value) if isinstance(value, list) else value
                     for key, value in cache.items()}
        for i, block in enumerate(self.blocks):
            slots = cache["self_key"][i].shape[2]
            slot_ids = ops.arange(slots, dtype="int32")
            # Slot s holds the latest step j <= index with j = s (mod slots); empty if j < 0.
            step_in_slot = index - ops.mod(index - slot_ids, slots)
            cache_mask = (step_in_slot >= 0)[None, None, None, None, :]
            x, new_cache["self_key"][i], new_cache["self_value"][i] = block.cached_step(
                x, cos, sin, cache["prefix_key"][i], cache["prefix_value"][i],
                prefix_masks[c.is_local(i)][:, None, None, None, :], cache["self_key"][i],
                cache["self_value"][i], ops.mod(index, slots), cache_mask)
        return self.project_to_vocab(self.norm(x)[:, 0, :]), new_cache

    # Beam search's reordering, T5's: rows of the step caches (self_key, self_value) are taken
    # at `indices`; the prompt entries are equal across the beams of one example and stay.
    reorder_cache = T5EncoderDecoder.reorder_cache

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable,
                "dtype": keras.dtype_policies.serialize(self.dtype_policy),
                "config": self.config.to_dict()}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        gemma_config = Gemma2Config(**config.pop("config"))
        if "dtype" in config and isinstance(config["dtype"], dict):
            config["dtype"] = keras.dtype_policies.deserialize(config["dtype"])
        return cls(gemma_config, **config)
