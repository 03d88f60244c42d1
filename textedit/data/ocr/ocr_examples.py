"""OCR post-correction examples from clean sentences: (noisy OCR-like text -> the sentence).

    examples = ocr_examples(sentences, "validation")   # [MultiReferenceExample(noisy, (clean,))]

Only sentences that fit on one rendered line are kept (the image must show the whole target),
duplicates are dropped, and the split is by the clean sentence with the catalog's hash rule
(`dataset_catalog.in_validation`, about 20% in validation): a sentence, with its one noisy text
and its one image, is in exactly one split whichever corpus file it came from. The image is not
stored here; it is rendered from the target in the input pipeline (`line_image_features`).
"""

from __future__ import annotations

from collections.abc import Iterable

from textedit.data.dataset_catalog import in_validation
from textedit.data.examples import MultiReferenceExample
from textedit.data.ocr.line_rendering import LINE_HEIGHT, LINE_WIDTH, text_fits_line
from textedit.data.ocr.ocr_noise import OcrNoiseRates, ocr_noise

MIN_WORDS = 3  # shorter "sentences" are mostly headings and list fragments


def ocr_sentences(sentences: Iterable[str], split: str, height: int = LINE_HEIGHT,
                  width: int = LINE_WIDTH) -> list[str]:
    """The distinct sentences of `split` ("train" or "validation") that fit one line, in order."""
    wanted = split == "validation"
    seen, kept = set(), []
    for sentence in sentences:
        if sentence in seen:
            continue
        seen.add(sentence)
        if (len(sentence.split()) >= MIN_WORDS and in_validation(sentence) == wanted
                and text_fits_line(sentence, height, width)):
            kept.append(sentence)
    return kept


def ocr_examples(sentences: Iterable[str], split: str,
                 rates: OcrNoiseRates | None = None) -> list[MultiReferenceExample]:
    """One example per kept sentence: source = `ocr_noise(sentence, rates)` (None = the default
    OcrNoiseRates), reference = the sentence."""
    rates = rates or OcrNoiseRates()
    return [MultiReferenceExample(ocr_noise(s, rates), (s,))
            for s in ocr_sentences(sentences, split)]
