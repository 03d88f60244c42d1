"""OCR data: line rendering and OCR-like noise are deterministic, and the noise has its rates."""

import subprocess
import sys

import numpy as np
import pytest

from textedit.data.data_dir import find_data_dir
from textedit.data.ocr import LINE_HEIGHT, LINE_WIDTH, OcrNoiseRates, ocr_noise, render_line
from textedit.data.ocr.line_rendering import render_line_float
from textedit.data.readers import read_plain_corpus


@pytest.fixture(scope="module")
def sentences():
    """About 500 sentences of State of the Union addresses (clean_text's material)."""
    data_dir = find_data_dir()
    if data_dir is None:
        pytest.skip("no data directory")
    files = sorted((data_dir / "corpora" / "state_union").glob("*.txt"))[:3]
    found = [s for f in files for s in read_plain_corpus(f) if len(s.split()) >= 4]
    assert len(found) >= 300
    return found[:500]


def test_rendering_is_deterministic_sized_and_differs_between_sentences():
    a = render_line("The modern office is closed.")
    assert a.shape == (LINE_HEIGHT, LINE_WIDTH) and a.dtype == np.uint8
    np.testing.assert_array_equal(a, render_line("The modern office is closed."))
    assert not np.array_equal(a, render_line("The rnodern office is closed."))
    # Ink is bright on 0, so the columns right of a short text are all zero.
    assert a.max() == 255 and not a[:, -100:].any()
    floats = render_line_float("The modern office is closed.")
    assert floats.dtype == np.float32 and floats.max() == 1.0


def test_long_text_is_cropped_and_other_sizes_render():
    long = render_line("word " * 200)
    assert long.shape == (LINE_HEIGHT, LINE_WIDTH) and long[:, -20:].any()
    assert render_line("Hi.", height=16, width=64).shape == (16, 64)


def test_rendering_matches_in_a_fresh_process():
    """Same pixels in another process: no process-local state (fonts, hashing) leaks in."""
    code = ("from textedit.data.ocr import render_line; import hashlib; "
            "print(hashlib.sha1(render_line('Offline and deterministic, 1 l I 0 O.').tobytes())"
            ".hexdigest())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    import hashlib
    here = hashlib.sha1(render_line("Offline and deterministic, 1 l I 0 O.").tobytes()).hexdigest()
    assert out.stdout.strip() == here


def test_noise_is_deterministic_per_sentence(sentences):
    rates = OcrNoiseRates(confusion=0.1, drop=0.05, merge=0.1, split=0.1)
    first = [ocr_noise(s, rates) for s in sentences[:50]]
    assert first == [ocr_noise(s, rates) for s in sentences[:50]]
    assert sum(n != s for n, s in zip(first, sentences, strict=False)) >= 40
    assert ocr_noise(sentences[0], OcrNoiseRates(0, 0, 0, 0)) == sentences[0]


def test_merge_split_and_drop_rates_are_as_configured(sentences):
    spaces = sum(s.count(" ") for s in sentences)
    merged = sum(s.count(" ") - ocr_noise(s, OcrNoiseRates(0, 0, 0.1, 0)).count(" ")
                 for s in sentences)
    assert merged / spaces == pytest.approx(0.1, rel=0.15)
    long_words = sum(len(w) >= 4 for s in sentences for w in s.split(" "))
    split = sum(ocr_noise(s, OcrNoiseRates(0, 0, 0, 0.1)).count(" ") - s.count(" ")
                for s in sentences)
    assert split / long_words == pytest.approx(0.1, rel=0.15)
    alnum = sum(c.isalnum() for s in sentences for c in s)
    dropped = sum(len(s) - len(ocr_noise(s, OcrNoiseRates(0, 0.05, 0, 0))) for s in sentences)
    assert dropped / alnum == pytest.approx(0.05, rel=0.15)


def test_confusions_hit_about_the_configured_share_of_look_alike_characters(sentences):
    from textedit.data.ocr.ocr_noise import CONFUSIONS

    single = {k for k in CONFUSIONS if len(k) == 1}
    candidates = sum(c in single for s in sentences for c in s)
    # Count confusions of single characters as changed positions of equal-length outputs:
    # only sentences whose noisy text kept its length (no multi-character confusion fired).
    changed = kept = 0
    for s in sentences:
        noisy = ocr_noise(s, OcrNoiseRates(0.08, 0, 0, 0))
        if len(noisy) == len(s):
            changed += sum(a != b for a, b in zip(s, noisy, strict=True))
            kept += sum(c in single for c in s)
    assert kept > candidates / 3
    assert changed / kept == pytest.approx(0.08, rel=0.25)
