"""OCR post-correction examples from clean sentences: (noisy OCR-like text -> the sentence).

    examples = ocr_examples(sentences, "validation")   # [MultiReferenceExample(noisy, (clean,))]
    examples = ocr_examples(sentences, "train", wrap_long=True)  # + lines cut from long ones

Only sentences that fit on one rendered line are kept (the image must show the whole target),
duplicates are dropped, and the split is by the clean sentence with the catalog's hash rule
(`dataset_catalog.in_validation`, about 20% in validation): a sentence, with its one noisy text
and its one image, is in exactly one split whichever corpus file it came from. The image is not
stored here; it is rendered from the target in the input pipeline (`line_image_features`).

With `wrap_long`, a sentence too wide for one line is cut at spaces into consecutive lines that
each fit, as a page wraps it (`wrap_to_lines`); lines of fewer than MIN_WORDS words are dropped.
Only about a fifth of the clean-text sentences fit one line, so this gives the training split
several times more distinct lines; the split is still decided by the whole sentence, so no
sentence has lines in both splits.
"""

from __future__ import annotations

from collections.abc import Iterable

from textedit.data.dataset_catalog import in_validation
from textedit.data.examples import MultiReferenceExample
from textedit.data.ocr.line_rendering import (
    LINE_HEIGHT,
    LINE_WIDTH,
    MARGIN,
    text_fits_line,
    word_width,
)
from textedit.data.ocr.ocr_noise import OcrNoiseRates, ocr_noise

MIN_WORDS = 3  # shorter "sentences" are mostly headings and list fragments


def wrap_to_lines(sentence: str, height: int = LINE_HEIGHT,
                  width: int = LINE_WIDTH) -> list[str]:
    """`sentence` cut at spaces into consecutive lines that each fit one rendered line (greedy:
    as many words as fit); a single word wider than a line becomes a line of its own (it is
    then dropped by the callers' fit check).

    Each line is first estimated from cached word widths (a corpus of long sentences would
    otherwise be measured word by word, about a minute for clean_text), then settled by exact
    measurement of the joined line, so kerning across spaces cannot make a line overflow.
    """
    words = sentence.split()
    widths = [word_width(w, height) for w in words]
    space = word_width(" ", height)
    lines, start = [], 0
    while start < len(words):
        end, total = start + 1, widths[start]
        while end < len(words) and total + space + widths[end] + MARGIN <= width:
            total += space + widths[end]
            end += 1
        while end - start > 1 and not text_fits_line(" ".join(words[start:end]), height, width):
            end -= 1
        while end < len(words) and text_fits_line(" ".join(words[start:end + 1]), height,
                                                  width):
            end += 1
        lines.append(" ".join(words[start:end]))
        start = end
    return lines


def estimated_width(text: str, height: int = LINE_HEIGHT) -> float:
    """The width of `text` from cached word widths (kerning across spaces ignored)."""
    words = text.split(" ")
    return sum(word_width(w, height) for w in words) + (len(words) - 1) * word_width(" ", height)


def fits_line(text: str, height: int = LINE_HEIGHT, width: int = LINE_WIDTH) -> bool:
    """`text_fits_line`, measured exactly only near the edge: a sentence estimated 5% wider than
    the line (most of a corpus) is rejected from its cached word widths alone."""
    if estimated_width(text, height) > 1.05 * (width - MARGIN):
        return False
    return text_fits_line(text, height, width)


def ocr_sentences(sentences: Iterable[str], split: str, height: int = LINE_HEIGHT,
                  width: int = LINE_WIDTH, wrap_long: bool = False) -> list[str]:
    """The distinct lines of `split` ("train" or "validation"), in order: the sentences that fit
    one line and, with `wrap_long`, the lines cut from those that do not (module docstring)."""
    wanted = split == "validation"
    seen, kept = set(), {}
    for sentence in sentences:
        if sentence in seen or in_validation(sentence) != wanted:
            continue
        seen.add(sentence)
        if fits_line(sentence, height, width):
            lines = [sentence]
        elif wrap_long:
            # A cut line must also hash to this split: then no text is in both splits, even a
            # line that happens to equal a whole sentence of the other one. Cut lines of several
            # words fit by construction; a lone word may be too wide.
            lines = [line for line in wrap_to_lines(sentence, height, width)
                     if in_validation(line) == wanted
                     and (" " in line or text_fits_line(line, height, width))]
        else:
            lines = []
        for line in lines:
            if len(line.split()) >= MIN_WORDS:
                kept.setdefault(line, None)
    return list(kept)


def ocr_examples(sentences: Iterable[str], split: str, rates: OcrNoiseRates | None = None,
                 wrap_long: bool = False) -> list[MultiReferenceExample]:
    """One example per kept line (`ocr_sentences`): source = `ocr_noise(line, rates)` (None =
    the default OcrNoiseRates), reference = the line."""
    rates = rates or OcrNoiseRates()
    return [MultiReferenceExample(ocr_noise(s, rates), (s,))
            for s in ocr_sentences(sentences, split, wrap_long=wrap_long)]
