"""`SemanticCloseness`: the output must mean what the source means, by the seq2seq model's own
encoder."""

from __future__ import annotations

from keras import ops

from textedit.models.constraints.soft_sequence import (
    Constraint,
    SoftSequence,
    masked_mean,
    soft_embed,
)


class SemanticCloseness(Constraint):
    """f = 1 - cos(mean-pooled encoder states of the source, of the output).

    The output is read through the model's shared embedding (`soft_embed`) and encoded by the
    same T5 encoder as the source; epsilon 0.2 asks for a cosine of at least 0.8.
    """

    name = "close"

    def __init__(self, model, epsilon: float = 0.2):
        """model: a `T5EncoderDecoder` (its `shared` embedding and `encoder`)."""
        self.model = model
        self.epsilon = float(epsilon)

    def pooled(self, embeddings, mask):
        """embeddings [b, t, d_model], mask [b, t] -> mean encoder state [b, d_model]."""
        hidden = self.model.encoder(embeddings, ops.cast(mask, "bool"), training=False)
        return masked_mean(ops.cast(hidden, "float32"), mask)

    def __call__(self, soft: SoftSequence):
        table = self.model.shared.embeddings
        source_mask = ops.not_equal(soft.source_tokens, 0)
        source = self.pooled(self.model.shared(soft.source_tokens), source_mask)
        output = self.pooled(soft_embed(soft.probs, table), soft.mask)
        cosine = ops.sum(source * output, axis=-1) / ops.maximum(
            ops.norm(source, axis=-1) * ops.norm(output, axis=-1), 1e-6)
        return 1.0 - cosine
