"""OCR post-correction data: clean sentences rendered to line images, and OCR-like text noise."""

from textedit.data.ocr.line_rendering import LINE_HEIGHT, LINE_WIDTH, render_line, render_line_float
from textedit.data.ocr.ocr_noise import OcrNoiseRates, ocr_noise

__all__ = ["LINE_HEIGHT", "LINE_WIDTH", "OcrNoiseRates", "ocr_noise", "render_line",
           "render_line_float"]
