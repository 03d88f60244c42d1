"""`ViTImageTower`: a small Vision Transformer, images [b, H, W] -> vectors [b, P, d_model].

    tower = ViTImageTower(ImageTowerConfig(), output_dim=256)
    vectors = tower(images)     # float [b, 32, 512] -> [b, 64, 256]

Patches are flattened and embedded by one Dense layer (or, with `conv_channels`, the image first
goes through a stem of stride-2 convolutions and each patch's cell of the feature map is
flattened and embedded), a learned position embedding is added,
then `num_layers` pre-norm Transformer layers (self-attention over all patches, GELU MLP) and a
final LayerNorm run at the tower's `width`; a Dense projection maps to `output_dim`, the T5
d_model, so the vectors can sit in the encoder input beside token embeddings.
"""

from __future__ import annotations

import keras
from keras import ops

from textedit.models.image_tower.image_tower_config import ImageTowerConfig


class ViTEncoderLayer(keras.layers.Layer):
    """Pre-norm Transformer layer: x + attention(norm(x)), then x + mlp(norm(x)); [b, P, width]."""

    def __init__(self, config: ImageTowerConfig, **kwargs):
        super().__init__(**kwargs)
        self.config = config

    def build(self, input_shape=None):
        c, policy = self.config, self.dtype_policy
        self.attention_norm = keras.layers.LayerNormalization(name="attention_norm", dtype=policy)
        self.attention = keras.layers.MultiHeadAttention(
            c.num_heads, c.width // c.num_heads, name="attention", dtype=policy)
        self.mlp_norm = keras.layers.LayerNormalization(name="mlp_norm", dtype=policy)
        self.mlp_in = keras.layers.Dense(c.mlp_dim, activation="gelu", name="mlp_in", dtype=policy)
        self.mlp_out = keras.layers.Dense(c.width, name="mlp_out", dtype=policy)
        shape = (None, None, c.width)
        self.attention_norm.build(shape)
        self.attention.build(shape, shape)
        self.mlp_norm.build(shape)
        self.mlp_in.build(shape)
        self.mlp_out.build((None, None, c.mlp_dim))

    def call(self, x):
        normed = self.attention_norm(x)
        x = x + self.attention(normed, normed)
        return x + self.mlp_out(self.mlp_in(self.mlp_norm(x)))


class ViTImageTower(keras.layers.Layer):
    """Sub-layers: `conv_{i}` (with conv_channels), `patch_embedding`, `position_embedding`
    [P, width], `layer_{i}`, `final_norm`, `projection` (to output_dim). Every weight is created
    in the constructor.

    Call: images float [b, image_height, image_width] (pixels in [0, 1]) -> [b, P, output_dim].
    """

    def __init__(self, config: ImageTowerConfig, output_dim: int, **kwargs):
        super().__init__(**kwargs)
        self.config = config
        self.output_dim = output_dim
        self.build()

    def build(self, input_shape=None):
        c, policy = self.config, self.dtype_policy
        self.stem = []
        channels_in = 1
        for i, channels in enumerate(c.conv_channels):
            conv = keras.layers.Conv2D(channels, 3, strides=2, padding="same",
                                       activation="gelu", name=f"conv_{i}", dtype=policy)
            conv.build((None, None, None, channels_in))
            self.stem.append(conv)
            channels_in = channels
        scale = 2 ** len(c.conv_channels)
        patch_size = (c.patch_height // scale) * (c.patch_width // scale) * channels_in
        self.patch_embedding = keras.layers.Dense(c.width, name="patch_embedding", dtype=policy)
        self.patch_embedding.build((None, None, patch_size))
        self.position_embedding = self.add_weight(
            shape=(c.num_patches, c.width), name="position_embedding",
            initializer=keras.initializers.RandomNormal(stddev=0.02))
        self.encoder_layers = []
        for i in range(c.num_layers):
            layer = ViTEncoderLayer(c, name=f"layer_{i}", dtype=policy)
            layer.build()
            self.encoder_layers.append(layer)
        self.final_norm = keras.layers.LayerNormalization(name="final_norm", dtype=policy)
        self.final_norm.build((None, None, c.width))
        self.projection = keras.layers.Dense(self.output_dim, name="projection", dtype=policy)
        self.projection.build((None, None, c.width))
        self.built = True

    def patches(self, images):
        """images [b, H, W] (or feature maps [b, H', W', C]) -> [b, P, ph * pw * C], patches
        in row-major order (for full-height patches: left to right along the line); the patch
        size scales with the map (H' / H of the image's)."""
        c = self.config
        if len(images.shape) == 3:
            images = images[..., None]
        height, width, channels = images.shape[1], images.shape[2], images.shape[3]
        rows, cols = c.image_height // c.patch_height, c.image_width // c.patch_width
        patch_height, patch_width = height // rows, width // cols
        x = ops.reshape(images, (-1, rows, patch_height, cols, patch_width, channels))
        x = ops.transpose(x, (0, 1, 3, 2, 4, 5))
        return ops.reshape(x, (-1, rows * cols, patch_height * patch_width * channels))

    def call(self, images):
        x = ops.cast(images, self.compute_dtype)
        if self.stem:
            x = x[..., None]  # [b, H, W, 1]
            for conv in self.stem:
                x = conv(x)  # [b, H / 2^i, W / 2^i, channels_i]
        x = self.patch_embedding(self.patches(x))
        x = x + ops.cast(self.position_embedding, x.dtype)[None]
        for layer in self.encoder_layers:
            x = layer(x)
        return self.projection(self.final_norm(x))
