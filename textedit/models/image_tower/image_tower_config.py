"""`ImageTowerConfig`: the sizes of the small ViT that reads a line image for the T5 encoder."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class ImageTowerConfig:
    """A ViT over grayscale images [image_height, image_width], cut into patches.

    The default patch is a full-height strip 8 px wide: a 32 x 512 line image gives 64 patches,
    each about one character wide, so the tower's vectors run left to right along the text.

    Attributes:
      image_height, image_width: the input size (textedit.data.ocr's LINE_HEIGHT, LINE_WIDTH).
      patch_height, patch_width: must divide the image size.
      width: the tower's own hidden size (projected to the T5 d_model at its output).
      num_layers, num_heads, mlp_dim: pre-norm Transformer layers of the tower.
    """

    image_height: int = 32
    image_width: int = 512
    patch_height: int = 32
    patch_width: int = 8
    width: int = 64
    num_layers: int = 2
    num_heads: int = 4
    mlp_dim: int = 128

    def __post_init__(self):
        if self.image_height % self.patch_height or self.image_width % self.patch_width:
            raise ValueError(f"patches {self.patch_height} x {self.patch_width} do not tile "
                             f"images {self.image_height} x {self.image_width}")
        if self.width % self.num_heads:
            raise ValueError(f"width {self.width} is not divisible by {self.num_heads} heads")

    @property
    def num_patches(self) -> int:
        """P, the number of vectors the tower produces per image."""
        return (self.image_height // self.patch_height) * (self.image_width // self.patch_width)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)
