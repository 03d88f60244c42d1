"""`T5WithImageTower`: T5EncoderDecoder whose encoder can also read an image (optional tower).

    model = T5WithImageTower(T5Config.named("tiny", vocab_size=V), ImageTowerConfig())
    logits = model({"encoder_input_tokens": x, "decoder_input_tokens": y,
                    "encoder_image": images})                    # images float [b, H, W]
    hidden, mask = model.encode(x, image=images)                 # [b, P + 2 + s, d], [b, P + 2 + s]
    logits, reading = model.call_with_reading(inputs)            # + reading logits [b, P, V]

With `image_tower=None` nothing is added: the same weights under the same checkpoint keys as
T5EncoderDecoder, the same outputs, and "encoder_image" is not read. With a tower, the encoder
input is `image_splice.splice_image`'s layout ([<image>] P vectors [</image>] tokens) and the
decoder cross-attends to image and text alike; decoding takes the spliced encoder states through
the unchanged `init_cache` / `decode_step`.
"""

from __future__ import annotations

import keras
from keras import ops

from textedit.models.image_tower.image_splice import splice_image
from textedit.models.image_tower.image_tower_config import ImageTowerConfig
from textedit.models.image_tower.vit_image_tower import ViTImageTower
from textedit.models.t5.t5_config import T5Config
from textedit.models.t5.t5_encoder_decoder import T5EncoderDecoder

IMAGE_FEATURE = "encoder_image"


@keras.saving.register_keras_serializable(package="textedit")
class T5WithImageTower(T5EncoderDecoder):
    """T5EncoderDecoder plus, when `image_tower` is given, the sub-layer `image_tower` and the
    weights `image_begin` / `image_end` (the markers, [d_model]), and `reading_head` when the
    tower config has reading_classes."""

    def __init__(self, config: T5Config, image_tower: ImageTowerConfig | None = None, **kwargs):
        # T5EncoderDecoder's constructor calls build(), after which Keras refuses new state, so
        # build() must already know the tower; set before Layer.__init__ (untracked, plain data).
        object.__setattr__(self, "image_tower_config", image_tower)
        super().__init__(config, **kwargs)

    def build(self, input_shape=None):
        super().build(input_shape)
        self.image_tower = None
        self.reading_head = None
        if self.image_tower_config is None:
            return
        d_model = self.config.d_model
        self.image_tower = ViTImageTower(self.image_tower_config, d_model, name="image_tower",
                                         dtype=self.dtype_policy)
        # Markers start like token embeddings (shared: stddev 1) so they are on the same scale.
        marker_init = keras.initializers.RandomNormal(stddev=1.0)
        self.image_begin = self.add_weight(shape=(d_model,), name="image_begin",
                                           initializer=marker_init)
        self.image_end = self.add_weight(shape=(d_model,), name="image_end",
                                         initializer=marker_init)
        if self.image_tower_config.reading_classes:
            self.reading_head = keras.layers.Dense(self.image_tower_config.reading_classes,
                                                   name="reading_head", dtype=self.dtype_policy)
            self.reading_head.build((None, None, d_model))

    def encode(self, encoder_tokens, training=False, image=None):
        """encoder_tokens int [b, s] (0 = padding), image float [b, H, W] or None
        -> (hidden [b, L, d_model], mask bool [b, L]); L = s without a tower, P + 2 + s with one.

        A model with a tower refuses to encode without an image (a decoder that forgot to pass
        it would otherwise run on text alone without notice)."""
        if self.image_tower is None:
            return super().encode(encoder_tokens, training)
        if image is None:
            raise ValueError("this model has an image tower: encode(tokens, image=...) needs "
                             f"the image [b, {self.image_tower_config.image_height}, "
                             f"{self.image_tower_config.image_width}]")
        embeddings, mask, _ = self.spliced_input(encoder_tokens, image, training)
        return self.encoder(embeddings, mask, training=training), mask

    def spliced_input(self, encoder_tokens, image, training=False, image_vectors=None):
        """(embeddings [b, P + 2 + s, d_model], mask, is_text) fed to the encoder (image_splice);
        `image_vectors` [b, P, d_model], when given, are the tower's output for `image`."""
        token_mask = encoder_tokens != self.config.pad_id
        if image_vectors is None:
            image_vectors = self.image_tower(image, training=training)
        return splice_image(self.embed_encoder_tokens(encoder_tokens), token_mask, image_vectors,
                            self.image_begin, self.image_end)

    def reading_logits(self, image_vectors):
        """The tower's vectors [b, P, d_model] scored for the CTC reading loss
        (objectives/reading_ctc.py): with a reading head (ImageTowerConfig.reading_classes),
        its logits float32 [b, P, reading_classes]; without, against the shared token
        embedding, float32 [b, P, vocab_size]. Tied to the embedding, a vector that reads piece
        k is pushed towards the very embedding the encoder sees for k in the noisy text; scaled
        by d_model**-0.5 as the tied output layer is, so the logits start near 0."""
        if self.reading_head is not None:
            return ops.cast(self.reading_head(image_vectors), "float32")
        scale = ops.cast(self.config.d_model**-0.5, image_vectors.dtype)
        embeddings = ops.cast(self.shared.embeddings, image_vectors.dtype)
        return ops.cast(ops.matmul(image_vectors * scale, ops.transpose(embeddings)), "float32")

    def call_with_reading(self, inputs, training=False):
        """`call`'s inputs (image required) -> (logits float32 [b, t, vocab_size], reading
        logits float32 [b, P, vocab_size]); the tower runs once for both."""
        if self.image_tower is None:
            raise ValueError("call_with_reading needs a model with an image tower")
        tokens = inputs["encoder_input_tokens"]
        vectors = self.image_tower(inputs[IMAGE_FEATURE], training=training)
        embeddings, mask, _ = self.spliced_input(tokens, None, training, image_vectors=vectors)
        hidden = self.encoder(embeddings, mask, training=training)
        logits = self.decode(inputs["decoder_input_tokens"], hidden, mask, training)
        return logits, self.reading_logits(vectors)

    def call(self, inputs, training=False):
        """inputs {"encoder_input_tokens": [b, s], "decoder_input_tokens": [b, t], and with a
        tower "encoder_image": [b, H, W]} -> logits float32 [b, t, vocab_size]."""
        image = inputs.get(IMAGE_FEATURE) if self.image_tower is not None else None
        encoder_hidden, encoder_mask = self.encode(inputs["encoder_input_tokens"], training,
                                                   image=image)
        return self.decode(inputs["decoder_input_tokens"], encoder_hidden, encoder_mask, training)

    def get_config(self):
        config = super().get_config()
        config["image_tower"] = (None if self.image_tower_config is None
                                 else self.image_tower_config.to_dict())
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        tower = config.pop("image_tower", None)
        # T5EncoderDecoder.from_config passes the remaining keys on to cls(t5_config, ...).
        return super().from_config({**config,
                                    "image_tower": ImageTowerConfig(**tower) if tower else None})
