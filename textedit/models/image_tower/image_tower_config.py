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
      conv_channels: () embeds each patch's pixels with one linear layer (the plain ViT). A
        convolutional stem instead, e.g. (16, 32): one 3 x 3 convolution of stride 2 (GELU) per
        entry, then each patch's cell of the feature map is flattened and embedded; the patch
        sizes must be divisible by 2 ** len(conv_channels). Convolutions see the same stroke
        wherever it falls in a patch, which a linear embedding of pixels has to learn position
        by position (Xiao et al., 2021, "Early convolutions help transformers see better").
      reading_classes: 0 = no reading head (the tower is scored against the token embedding if
        a reading loss is used). > 0: a Dense head from each image vector to this many classes
        (e.g. textedit.data.ocr.reading_alphabet's 97 characters, blank included), what the
        character CTC loss trains. A line needs a vector per character (and one between equal
        neighbours): 128 patches (patch_width 4) for lines of up to about 70 characters.
    """

    image_height: int = 32
    image_width: int = 512
    patch_height: int = 32
    patch_width: int = 8
    width: int = 64
    num_layers: int = 2
    num_heads: int = 4
    mlp_dim: int = 128
    conv_channels: tuple[int, ...] = ()
    reading_classes: int = 0

    def __post_init__(self):
        object.__setattr__(self, "conv_channels", tuple(int(c) for c in self.conv_channels))
        scale = 2 ** len(self.conv_channels)
        if self.patch_height % scale or self.patch_width % scale:
            raise ValueError(f"patches {self.patch_height} x {self.patch_width} are not divisible "
                             f"by {scale}, the stride of {len(self.conv_channels)} convolutions")
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
        """The fields; `conv_channels` and `reading_classes` only when set, so the text of
        towers without them (run files written before they existed) stays as it was."""
        values = dataclasses.asdict(self)
        if not self.conv_channels:
            del values["conv_channels"]
        else:
            values["conv_channels"] = list(self.conv_channels)
        if not self.reading_classes:
            del values["reading_classes"]
        return values
