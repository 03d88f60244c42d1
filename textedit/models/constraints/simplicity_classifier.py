"""`SimplicityClassifier`: a small sentence classifier (simple vs complex) that also reads soft
sequences, and `ClassifierConstraint`, which turns it into a MuCoCO constraint.

    classifier = SimplicityClassifier(vocab_size=16128)
    logits = classifier(tokens)                        # int [b, t] -> float32 [b], > 0: simple
    logits = classifier.soft_logits(probs, mask)       # probs [b, t, vocab], mask [b, t]

Trained through the trainer on a simplification task's pairs: the source is "complex", its
reference "simple" (textedit/objectives/simplicity_classifier.py; gin/experiments/
simplicity_classifier_asset.gin).
"""

from __future__ import annotations

import keras
from keras import ops

from textedit.models.constraints.soft_sequence import (
    Constraint,
    SoftSequence,
    masked_mean,
    soft_embed,
)


@keras.saving.register_keras_serializable(package="textedit")
class SimplicityClassifier(keras.Model):
    """embedding [vocab, d] -> width-3 convolution (GELU) -> masked mean over positions ->
    dense (GELU) -> one logit, log P(simple) - log P(complex). Weights are created in the
    constructor. Pad id 0 marks padding."""

    def __init__(self, vocab_size: int = 16128, d_model: int = 64, kernel_width: int = 3,
                 **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.d_model, self.kernel_width = vocab_size, d_model, kernel_width
        policy = self.dtype_policy
        self.embedding = keras.layers.Embedding(vocab_size, d_model, name="embedding",
                                                dtype=policy)
        self.conv = keras.layers.Conv1D(d_model, kernel_width, padding="same",
                                        activation="gelu", name="conv", dtype=policy)
        self.hidden = keras.layers.Dense(d_model, activation="gelu", name="hidden", dtype=policy)
        self.output_layer = keras.layers.Dense(1, name="output", dtype=policy)
        self.build()

    def build(self, input_shape=None):
        # Built here (inside the model's name scope) so that variable paths carry the model's
        # name, which the checkpoint keys drop (textedit/runs/variable_keys.py).
        d_model = self.d_model
        self.embedding.build((None, None))
        self.conv.build((None, None, d_model))
        self.hidden.build((None, d_model))
        self.output_layer.build((None, d_model))

    def embedded_logits(self, embeddings, mask, training=False):
        """embeddings [b, t, d_model], mask float [b, t] (1 on tokens) -> logits float32 [b]."""
        mask = ops.cast(mask, embeddings.dtype)
        features = self.conv(embeddings * mask[:, :, None], training=training)
        pooled = masked_mean(features, mask)
        return ops.cast(self.output_layer(self.hidden(pooled))[:, 0], "float32")

    def call(self, tokens, training=False):
        """tokens int [b, t] (0 = padding) -> logits float32 [b]."""
        mask = ops.not_equal(tokens, 0)
        return self.embedded_logits(self.embedding(tokens), mask, training)

    def soft_logits(self, probs, mask):
        """probs float [b, t, vocab'] (vocab' <= vocab_size), mask [b, t] -> logits [b]; equal to
        `call` on the argmax tokens when probs is one-hot."""
        return self.embedded_logits(soft_embed(probs, self.embedding.embeddings), mask)

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable, "vocab_size": self.vocab_size,
                "d_model": self.d_model, "kernel_width": self.kernel_width}


class ClassifierConstraint(Constraint):
    """f = -log P(simple | output) = softplus(-logit); epsilon = -log(p) asks for P(simple) >= p
    (default p = 0.5: the classifier calls the output simple)."""

    name = "simple"

    def __init__(self, classifier: SimplicityClassifier, epsilon: float = 0.6931471805599453):
        self.classifier = classifier
        self.epsilon = float(epsilon)

    def __call__(self, soft: SoftSequence):
        return ops.softplus(-self.classifier.soft_logits(soft.probs, soft.mask))
