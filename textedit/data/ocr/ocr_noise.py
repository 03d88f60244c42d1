"""OCR-like noise on clean text: character confusions, merged and split words, dropped characters.

    noisy = ocr_noise("The modern office is closed.")   # e.g. "Tbe rnodern officeis c1osed."
    noisy = ocr_noise(sentence, OcrNoiseRates(confusion=0.1))

Deterministic per sentence: the random generator is seeded with the SHA-1 of the sentence and
the rates, so a sentence gets the same noisy text in every process, epoch and split (Python's
`hash` is salted per process and could not be used).

Each rate is a per-opportunity probability, applied left to right in one pass:
- confusion: per character that has a look-alike (CONFUSIONS: "m" -> "rn", "l" -> "1", "O" -> "0",
  "e" -> "c", "rn" -> "m", ...); multi-character sources are tried first.
- drop: per remaining letter or digit, the character is left out.
- merge: per space, the space is left out (two words run together).
- split: per word of four or more characters, a space is put inside it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random

# Glyph pairs that OCR engines mistake for each other (both directions where both are common).
CONFUSIONS: dict[str, tuple[str, ...]] = {
    "rn": ("m",), "m": ("rn",), "cl": ("d",), "d": ("cl",), "vv": ("w",), "w": ("vv",),
    "ri": ("n",), "li": ("h",),
    "l": ("1", "I", "|"), "1": ("l", "I"), "I": ("l", "1"), "i": ("l", "1"),
    "O": ("0",), "0": ("O",), "o": ("0", "c"), "e": ("c",), "c": ("e",),
    "S": ("5",), "5": ("S",), "B": ("8",), "8": ("B",), "Z": ("2",), "g": ("q", "9"),
    "h": ("b",), "b": ("h",), "u": ("v",), "v": ("u",), "n": ("h",), "t": ("f",), "f": ("t",),
    ",": (".",), ".": (",",),
}
_LONGEST = max(len(k) for k in CONFUSIONS)
MIN_SPLIT_LENGTH = 4


@dataclasses.dataclass(frozen=True)
class OcrNoiseRates:
    """Per-opportunity probabilities (module docstring); all 0 = the text unchanged."""

    confusion: float = 0.05
    drop: float = 0.01
    merge: float = 0.03
    split: float = 0.02


def sentence_rng(sentence: str, rates: OcrNoiseRates) -> random.Random:
    """A generator seeded by the SHA-1 of the sentence and the rates (stable across processes)."""
    key = f"{sentence}\x00{dataclasses.astuple(rates)}".encode()
    return random.Random(int.from_bytes(hashlib.sha1(key).digest()[:8], "big"))


def _confuse_and_drop(text: str, rates: OcrNoiseRates, rng: random.Random) -> str:
    out, i = [], 0
    while i < len(text):
        for length in range(_LONGEST, 0, -1):
            piece = text[i:i + length]
            if len(piece) == length and piece in CONFUSIONS and rng.random() < rates.confusion:
                out.append(rng.choice(CONFUSIONS[piece]))
                i += length
                break
        else:
            if not (text[i].isalnum() and rng.random() < rates.drop):
                out.append(text[i])
            i += 1
    return "".join(out)


def _split_word(word: str, rates: OcrNoiseRates, rng: random.Random) -> str:
    if len(word) >= MIN_SPLIT_LENGTH and rng.random() < rates.split:
        cut = rng.randrange(1, len(word))
        return f"{word[:cut]} {word[cut:]}"
    return word


def ocr_noise(sentence: str, rates: OcrNoiseRates = OcrNoiseRates()) -> str:
    """`sentence` with OCR-like errors at `rates`; the same sentence always gives the same text."""
    rng = sentence_rng(sentence, rates)
    words = [_split_word(w, rates, rng) for w in sentence.split(" ")]
    # Merges are drawn on the original spaces only, so a split is never undone by a merge.
    text = words[0]
    for word in words[1:]:
        text += word if rng.random() < rates.merge else " " + word
    return _confuse_and_drop(text, rates, rng)
