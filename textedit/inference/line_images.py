"""Line images for an image-tower run at inference: what a user gives -> what the tower reads.

    pixels = line_image_pixels("scans/line_7.png", (32, 512))      # float32 [32, 512] in [0, 1]
    pixels = line_image_pixels(render_line("The cat sat."), (32, 512))   # the same from uint8
    batch = line_image_batch(images, (32, 512))                      # float32 [n, 32, 512]

The conversion is the task's (`ocr_correct`: textedit.data.ocr.render_line_float): an 8-bit
grayscale image [height, width] divided by 255 into float32. A file is read with Pillow and
converted to 8-bit grayscale ("L"); an array must already be uint8 [height, width]. Nothing is
resized, inverted or cropped: a tower trained on rendered lines reads ink 255 on background 0 at
exactly its training size, and silently rescaling another size (or a dark-on-light scan) would
feed it pixels it never saw. A wrong size or dtype is an error that says what was expected.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

LineImage = str | os.PathLike | np.ndarray


def read_line_image_file(path: str | os.PathLike) -> np.ndarray:
    """The file's pixels as uint8 [height, width] (Pillow, converted to grayscale "L").
    FileNotFoundError / ValueError naming the file when it is missing or not an image."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"image {path}: no such file")
    try:
        with Image.open(path) as image:
            return np.asarray(image.convert("L"), dtype=np.uint8).copy()
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f"image {path}: not an image Pillow can read ({error})") from None


def line_image_pixels(image: LineImage, shape: tuple[int, int]) -> np.ndarray:
    """An image file path or a uint8 [height, width] array -> float32 `shape` in [0, 1], as the
    task scales it (module docstring). ValueError / TypeError saying what was expected."""
    if isinstance(image, (str, os.PathLike)):
        pixels, where = read_line_image_file(image), f"image {image}"
    elif isinstance(image, np.ndarray):
        pixels, where = image, "image array"
        if pixels.dtype != np.uint8:
            raise TypeError(f"{where}: expected uint8 pixels (0-255, as render_line draws "
                            f"them), got {pixels.dtype}")
    else:
        raise TypeError(f"expected an image file path or a uint8 numpy array, got "
                        f"{type(image).__name__}")
    if pixels.shape != tuple(shape):
        raise ValueError(f"{where}: expected {shape[0]} x {shape[1]} pixels (height x width, "
                         f"the tower's input size), got {' x '.join(map(str, pixels.shape))}")
    return pixels.astype(np.float32) / 255.0


def line_image_batch(images: Sequence[LineImage], shape: tuple[int, int]) -> np.ndarray:
    """`line_image_pixels` of each image -> float32 [n, height, width]; errors start with
    "images[i]:" for the image they concern."""
    batch = np.zeros((len(images), *shape), np.float32)
    for index, image in enumerate(images):
        try:
            batch[index] = line_image_pixels(image, shape)
        except (TypeError, ValueError, FileNotFoundError) as error:
            raise type(error)(f"images[{index}]: {error}") from None
    return batch


def check_line_images(count: int, images: Sequence | None, image_shape, no_tower: str) -> None:
    """ValueError unless `images` fits a run: one image per text when it has a tower
    (`image_shape` (H, W)), None when it has none (`no_tower` is then the message)."""
    if image_shape is None:
        if images is not None:
            raise ValueError(no_tower)
        return
    if images is None:
        raise ValueError("this run has an image tower: pass one line image per text "
                         f"(images=[uint8 {image_shape[0]} x {image_shape[1]} arrays or image "
                         "file paths])")
    if len(images) != count:
        raise ValueError(f"{count} texts but {len(images)} images: expected one image per text")
