"""`T5ScalarModel`: a T5 encoder with a scalar head, the reward model and DRO-V's value network.

    model = T5ScalarModel(T5Config.named("tiny", vocab_size=256))
    scores = model({"encoder_input_tokens": x})          # x int [b, s] (0 = pad) -> float32 [b]

Why an encoder over the concatenated prompt and response rather than encoder-decoder scoring:
a reward is one number about the whole (x, y), and bidirectional attention lets every response
token see the prompt and the rest of the response; the encoder is also half the cost of the
encoder-decoder, and its weights warm-start from a T5 run's `encoder/` (INIT_CHECKPOINT matches by
key). The head reads the masked mean of the final states (T5 has no [CLS] token), so padding never
moves a score. As a value network V(x) the same model reads the prompt alone.
"""

from __future__ import annotations

import keras
from keras import ops

from textedit.models.t5.t5_config import T5Config
from textedit.models.t5.t5_encoder import T5Encoder


@keras.saving.register_keras_serializable(package="textedit")
class T5ScalarModel(keras.Model):
    """Embedding `shared`, encoder `encoder` (T5 names) and a Dense(1) head `score_head`."""

    def __init__(self, config: T5Config, **kwargs):
        super().__init__(**kwargs)
        self.config = config
        policy = self.dtype_policy
        self.shared = keras.layers.Embedding(
            config.vocab_size, config.d_model, name="shared", dtype=policy,
            embeddings_initializer=keras.initializers.RandomNormal(stddev=1.0))
        self.encoder = T5Encoder(config, name="encoder", dtype=policy)
        # A zero-initialised head starts every score at 0: σ(0) = ½ on every pair, the
        # calibrated prior, and V(x) = 0, the normalised rewards' mean.
        self.score_head = keras.layers.Dense(1, name="score_head", dtype=policy,
                                             kernel_initializer="zeros")
        self.build()

    def build(self, input_shape=None):
        self.shared.build((None, None))
        self.encoder.build((None, None, self.config.d_model))
        self.score_head.build((None, self.config.d_model))

    def call(self, inputs, training=False):
        """inputs {"encoder_input_tokens": int [b, s]} -> float32 [b]."""
        tokens = inputs["encoder_input_tokens"]
        mask = ops.not_equal(tokens, self.config.pad_id)
        hidden = self.encoder(self.shared(tokens), mask, training=training)  # [b, s, d]
        weights = ops.cast(mask, hidden.dtype)[..., None]
        pooled = ops.sum(hidden * weights, axis=1) / ops.maximum(ops.sum(weights, axis=1), 1.0)
        return ops.cast(ops.squeeze(self.score_head(pooled), -1), "float32")

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable,
                "dtype": keras.dtype_policies.serialize(self.dtype_policy),
                "config": self.config.to_dict()}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        t5_config = T5Config(**config.pop("config"))
        if "dtype" in config and isinstance(config["dtype"], dict):
            config["dtype"] = keras.dtype_policies.deserialize(config["dtype"])
        return cls(t5_config, **config)
