"""A sentence as a small grayscale line image, rendered deterministically and offline.

    image = render_line("The cat sat.")          # uint8 [32, 512], ink 255 on background 0
    pixels = render_line_float("The cat sat.")   # float32 [32, 512] in [0, 1]

The font is DejaVu Sans as shipped inside matplotlib (mpl-data/fonts/ttf/DejaVuSans.ttf), so
every machine with the project's environment draws the same pixels without a system font or a
download. Ink is bright on a zero background so that the padding columns right of the text are
plain zeros, the same value an image tower sees for "nothing here". Text wider than the image is
cropped on the right (the tail of a long line is lost, as with a fixed-size scanner window).
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

LINE_HEIGHT = 32
LINE_WIDTH = 512
FONT_FILE = "DejaVuSans.ttf"


@functools.cache
def font_path() -> Path:
    """matplotlib's copy of DejaVu Sans (found inside the package, never a system font)."""
    import matplotlib

    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / FONT_FILE
    if not path.is_file():
        raise FileNotFoundError(f"matplotlib ships no {FONT_FILE} at {path}")
    return path


@functools.cache
def _font(size: int):
    from PIL import ImageFont

    # The basic layout engine does not depend on whether Pillow was built with libraqm.
    return ImageFont.truetype(str(font_path()), size, layout_engine=ImageFont.Layout.BASIC)


def _font_size(height: int) -> int:
    return max(6, int(round(height * 0.7)))


MARGIN = 4  # pixels: the text starts 2 px from the left edge and keeps 2 px free on the right


def text_fits_line(text: str, height: int = LINE_HEIGHT, width: int = LINE_WIDTH) -> bool:
    """Whether `render_line` draws all of `text` (nothing cropped at the right edge)."""
    return text_width(text, height) + MARGIN <= width


def text_width(text: str, height: int = LINE_HEIGHT) -> float:
    """The advance width of `text` in pixels, in the font `render_line` uses at `height`."""
    return _font(_font_size(height)).getlength(text)


@functools.lru_cache(maxsize=1 << 17)
def word_width(word: str, height: int = LINE_HEIGHT) -> float:
    """`text_width` of one word, cached: wrapping a corpus measures the same words again and
    again."""
    return text_width(word, height)


def render_line(text: str, height: int = LINE_HEIGHT, width: int = LINE_WIDTH) -> np.ndarray:
    """Draws `text` on one line: uint8 [height, width], ink 255, background 0.

    The font size is about 70% of the height, so descenders and capitals both fit; the text
    starts 2 px from the left edge and is cropped at `width`.
    """
    from PIL import Image, ImageDraw

    font = _font(_font_size(height))
    # Draw on a canvas as wide as the text needs, then crop or pad to `width`.
    drawn_width = int(np.ceil(font.getlength(text))) + MARGIN
    canvas = Image.new("L", (max(width, drawn_width), height), 0)
    ImageDraw.Draw(canvas).text((2, height // 2), text, fill=255, font=font, anchor="lm")
    return np.asarray(canvas, dtype=np.uint8)[:, :width].copy()


def render_line_float(text: str, height: int = LINE_HEIGHT, width: int = LINE_WIDTH) -> np.ndarray:
    """`render_line` scaled to float32 [height, width] in [0, 1]: what an image tower reads."""
    return render_line(text, height, width).astype(np.float32) / 255.0
