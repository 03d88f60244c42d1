"""ocr_correct's examples and image features, on a handful of sentences (no corpus reading)."""

import numpy as np
import seqio
import tensorflow as tf

from textedit.data.dataset_catalog import in_validation
from textedit.data.ocr import render_line_float
from textedit.data.ocr.line_image_features import ImageEncDecFeatureConverter, add_line_image
from textedit.data.ocr.ocr_examples import ocr_examples, ocr_sentences
from textedit.data.ocr.reading_alphabet import (
    NUM_READING_CLASSES,
    OTHER_ID,
    char_ids,
    reading_targets,
    reading_text,
)

SENTENCES = [f"Sentence number {i} is a short line of text." for i in range(60)]


def test_split_is_by_sentence_disjoint_and_drops_duplicates_and_long_lines():
    sentences = SENTENCES + SENTENCES[:5] + ["Far too long for one line " * 10, "Two words"]
    train = ocr_sentences(sentences, "train")
    validation = ocr_sentences(sentences, "validation")
    assert not set(train) & set(validation)
    assert sorted(train + validation) == sorted(SENTENCES)  # duplicates, long, short dropped
    assert all(in_validation(s) for s in validation) and validation  # the catalog's hash rule
    examples = ocr_examples(sentences, "train")
    assert [e.references for e in examples] == [(s,) for s in train]
    assert examples == ocr_examples(sentences, "train")  # the noise is deterministic
    assert any(e.source != e.references[0] for e in examples)


def _task_like_dataset():
    """Two tokenised examples as a task yields them, before the feature converter."""
    texts = ["The first line.", "Another one here."]
    return tf.data.Dataset.from_tensor_slices({
        "inputs": tf.ragged.constant([[5, 6, 1], [7, 8, 9, 1]]),
        "targets": tf.ragged.constant([[5, 1], [7, 9, 1]]),
        "targets_pretokenized": texts,
    }).map(lambda ex: {k: v.to_tensor() if isinstance(v, tf.RaggedTensor) else v
                       for k, v in ex.items()}), texts


def test_image_preprocessor_and_converter_carry_the_rendered_target():
    dataset, texts = _task_like_dataset()
    with_images = add_line_image(dataset)
    converted = ImageEncDecFeatureConverter()(with_images, {"inputs": 6, "targets": 4})
    rows = list(converted.as_numpy_iterator())
    assert [r["encoder_input_tokens"].tolist() for r in rows] == [[5, 6, 1, 0, 0, 0],
                                                                  [7, 8, 9, 1, 0, 0]]
    for row, text in zip(rows, texts, strict=True):
        assert row["encoder_image"].shape == (32, 512)
        np.testing.assert_array_equal(row["encoder_image"], render_line_float(text))
    # The text-only converter drops the image: a model without a tower trains on the same task.
    plain = seqio.EncDecFeatureConverter(pack=False)(with_images, {"inputs": 6, "targets": 4})
    assert "encoder_image" not in plain.element_spec
    # With reading_length, the characters of each target for the tower's CTC reading loss.
    reading = ImageEncDecFeatureConverter(reading_length=20)(with_images,
                                                            {"inputs": 6, "targets": 4})
    rows = list(reading.as_numpy_iterator())
    for row, text in zip(rows, texts, strict=True):
        assert row["reading_targets"].tolist() == char_ids(text) + [0] * (20 - len(text))
    assert "reading_targets" not in converted.element_spec


def test_reading_alphabet_maps_printable_ascii_and_cuts_to_length():
    assert char_ids(" ~Hi!") == [1, 95, 41, 74, 2]
    assert char_ids("é") == [OTHER_ID] and NUM_READING_CLASSES == OTHER_ID + 1 == 97
    assert reading_text(char_ids("The cat, 1 é.")) == "The cat, 1 ?."
    batch = reading_targets(tf.constant(["ab", "abcdef", "é"]), 4).numpy()
    assert batch.tolist() == [[66, 67, 0, 0], [66, 67, 68, 69], [OTHER_ID, 0, 0, 0]]
    assert reading_targets(tf.constant("abc"), 5).numpy().tolist() == [66, 67, 68, 0, 0]


LONG = ("The committee met again in the spring to consider the long list of proposals that "
        "had been sent in by members from every part of the country during the winter months.")


def test_long_sentences_wrap_into_lines_that_fit_in_order():
    from textedit.data.ocr.line_rendering import text_fits_line
    from textedit.data.ocr.ocr_examples import wrap_to_lines

    assert not text_fits_line(LONG)
    lines = wrap_to_lines(LONG)
    assert " ".join(lines) == LONG and len(lines) >= 2
    assert all(text_fits_line(line) for line in lines)
    # Greedy: each line but the last would not fit with the next word added.
    for line, following in zip(lines[:-1], lines[1:], strict=True):
        assert not text_fits_line(line + " " + following.split()[0])
    assert wrap_to_lines("Short one.") == ["Short one."]


def test_wrap_long_adds_the_cut_lines_of_this_split_only():
    longs = [f"{LONG} Item {i}." for i in range(40)]
    sentences = SENTENCES + longs
    for split in ("train", "validation"):
        plain = ocr_sentences(sentences, split)
        wrapped = ocr_sentences(sentences, split, wrap_long=True)
        assert set(plain) <= set(wrapped)
        assert len(wrapped) > len(plain)
        assert all(in_validation(line) == (split == "validation") for line in wrapped)
        assert len(set(wrapped)) == len(wrapped)  # repeated cut lines are kept once
    train = ocr_sentences(sentences, "train", wrap_long=True)
    validation = ocr_sentences(sentences, "validation", wrap_long=True)
    assert not set(train) & set(validation)
    examples = ocr_examples(sentences, "train", wrap_long=True)
    assert [e.references[0] for e in examples] == train


def test_read_examples_take_the_text_away_and_keep_the_reference():
    examples = ocr_examples([LONG[:60], "The cat sat on the mat today."], "train") + \
        ocr_examples([LONG[:60], "The cat sat on the mat today."], "validation")
    assert examples
    from tasks.ocr_correct import read_examples

    read = read_examples(examples)
    assert [e.source for e in read] == [""] * len(examples)
    assert [e.references for e in read] == [e.references for e in examples]


def test_ocr_read_task_on_the_real_validation_split(tiny_vocab):
    import tasks  # noqa: F401  (registers)
    from tasks.ocr_correct import NAME, READ_NAME

    def first(name):
        dataset = seqio.get_mixture_or_task(name).get_dataset(None, split="validation",
                                                             shuffle=False)
        return list(dataset.take(3).as_numpy_iterator())

    correct, read = first(NAME), first(READ_NAME)
    for c, r in zip(correct, read, strict=True):
        assert r["inputs"].tolist() == [1] and r["inputs_pretokenized"] == b""
        assert c["inputs_pretokenized"] != b"" and len(c["inputs"]) > 1
        assert r["targets"].tolist() == c["targets"].tolist()
        np.testing.assert_array_equal(r["image"], c["image"])


def test_text_dropout_empties_some_inputs_and_keeps_targets_and_images(tiny_vocab):
    """ocr_correct_text_dropout50: each example keeps ocr_correct's text or gets EOS alone
    (about half of them, drawn from the seeded preprocessor), with the same target and image."""
    import tasks  # noqa: F401  (registers)
    from tasks.ocr_correct import NAME

    def first(name, seed):
        dataset = seqio.get_mixture_or_task(name).get_dataset(None, split="validation",
                                                             shuffle=False, seed=seed)
        return list(dataset.take(40).as_numpy_iterator())

    correct, dropped = first(NAME, 0), first("ocr_correct_text_dropout50", 0)
    empty = 0
    for c, d in zip(correct, dropped, strict=True):
        assert d["targets"].tolist() == c["targets"].tolist()
        np.testing.assert_array_equal(d["image"], c["image"])
        if d["inputs"].tolist() == [1]:
            assert d["inputs_pretokenized"] == b""
            empty += 1
        else:
            assert d["inputs"].tolist() == c["inputs"].tolist()
            assert d["inputs_pretokenized"] == c["inputs_pretokenized"]
    assert 8 <= empty <= 32  # Binomial(40, 0.5): outside this band with probability < 1e-4
    again = first("ocr_correct_text_dropout50", 0)
    assert [d["inputs"].tolist() for d in again] == [d["inputs"].tolist() for d in dropped]
