"""`T5Encoder`: the encoder stack of T5 over already-embedded tokens."""

from __future__ import annotations

from keras import ops

from textedit.models.t5.t5_stack import T5Stack


class T5Encoder(T5Stack):
    """dropout(embeddings) -> blocks with a bidirectional relative position bias, masked on
    padding keys -> final RMSNorm -> dropout (HF `T5Stack` with is_decoder=False).

    Sub-layers and their HF names: `relative_attention_bias` (HF
    `encoder.block.0.layer.0.SelfAttention.relative_attention_bias`), `block_{i}`
    (`encoder.block.{i}`), `final_layer_norm` (`encoder.final_layer_norm`).

    Call: embeddings [b, s, d_model], token_mask bool [b, s] (True on real tokens)
    -> [b, s, d_model].
    """

    IS_DECODER = False

    def call(self, embeddings, token_mask, training=False):
        positions = ops.arange(ops.shape(embeddings)[1], dtype="int32")
        x = self.dropout(self.with_positions(embeddings, positions), training=training)
        bias = self.relative_attention_bias(positions, positions)  # [1, heads, s, s]
        attention_mask = token_mask[:, None, None, :]  # padding keys are never attended to
        for block in self.blocks:
            x = block(x, bias, attention_mask, training=training)
        return self.dropout(self.final_layer_norm(x), training=training)
