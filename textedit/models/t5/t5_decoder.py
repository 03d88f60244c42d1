"""`T5Decoder`: the decoder stack of T5, for teacher forcing and for cached step-by-step decoding.

The cache is a dict of tensors, allocated once at full length so that every decoding step has the
same static shapes (XLA):

    self_key, self_value     list over layers of [b, num_heads, max_length, d_kv], zeros at first;
                             step `index` writes position `index` (ops.slice_update)
    cross_key, cross_value   list over layers of [b, num_heads, s, d_kv], computed once from the
                             encoder output
    encoder_mask             bool [b, s]
"""

from __future__ import annotations

from keras import ops

from textedit.models.t5.t5_stack import T5Stack


class T5Decoder(T5Stack):
    """dropout(embeddings) -> blocks (causal self-attention with a unidirectional relative
    position bias, cross-attention over the encoder output) -> final RMSNorm -> dropout
    (HF `T5Stack` with is_decoder=True).

    Sub-layers and their HF names: `relative_attention_bias` (HF
    `decoder.block.0.layer.0.SelfAttention.relative_attention_bias`), `block_{i}`
    (`decoder.block.{i}`), `final_layer_norm` (`decoder.final_layer_norm`).

    Call: embeddings [b, t, d_model], encoder_hidden [b, s, d_model], encoder_mask bool [b, s]
    -> [b, t, d_model]. The self-attention mask is causal only (HF's default without a
    decoder_attention_mask): padding at the end of the targets cannot affect earlier positions.
    """

    IS_DECODER = True

    def call(self, embeddings, encoder_hidden, encoder_mask, training=False):
        positions = ops.arange(ops.shape(embeddings)[1], dtype="int32")
        embeddings = self.with_positions(embeddings, positions)
        x = self.dropout(embeddings, training=training)
        bias = self.relative_attention_bias(positions, positions)  # [1, heads, t, t]
        causal = (positions[None, :] <= positions[:, None])[None, None]  # [1, 1, t, t]
        cross_mask = encoder_mask[:, None, None, :]
        for block in self.blocks:
            x = block(x, bias, causal, encoder_hidden, cross_mask, training=training)
        return self.dropout(self.final_layer_norm(x), training=training)

    def init_cache(self, batch_size: int, max_length: int, encoder_hidden, encoder_mask) -> dict:
        """The cache for decoding up to `max_length` steps (layout in the module docstring).

        Args:
          batch_size: rows (static), equal to encoder_hidden's first dimension.
          max_length: decoding steps the self-attention caches hold (static).
          encoder_hidden: [b, s, d_model]; encoder_mask: bool [b, s].
        """
        c = self.config
        shape = (batch_size, c.num_heads, max_length, c.d_kv)
        cache = {"self_key": [], "self_value": [], "cross_key": [], "cross_value": [],
                 "encoder_mask": ops.cast(encoder_mask, "bool")}
        for block in self.blocks:
            keys, values = block.cross_attention.project_key_value(encoder_hidden)
            cache["cross_key"].append(keys)
            cache["cross_value"].append(values)
            cache["self_key"].append(ops.zeros(shape, self.compute_dtype))
            cache["self_value"].append(ops.zeros(shape, self.compute_dtype))
        return cache

    def step(self, embedding, cache: dict, index, training=False):
        """One decoding step: embedding [b, 1, d_model] at position `index` (scalar int tensor)
        -> (hidden [b, 1, d_model], updated cache)."""
        max_length = ops.shape(cache["self_key"][0])[2]
        index = ops.cast(index, "int32")
        x = self.dropout(self.with_positions(embedding, ops.reshape(index, (1,))),
                         training=training)
        key_positions = ops.arange(max_length, dtype="int32")
        bias = self.relative_attention_bias(ops.reshape(index, (1,)), key_positions)
        mask = (key_positions <= index)[None, None, None, :]  # [1, 1, 1, max_length]
        cross_mask = cache["encoder_mask"][:, None, None, :]
        new_cache = {key: list(value) if isinstance(value, list) else value
                     for key, value in cache.items()}
        for i, block in enumerate(self.blocks):
            x, new_cache["self_key"][i], new_cache["self_value"][i] = block.cached_step(
                x, cache["self_key"][i], cache["self_value"][i], cache["cross_key"][i],
                cache["cross_value"][i], index, bias, mask, cross_mask, training=training)
        return self.dropout(self.final_layer_norm(x), training=training), new_cache
