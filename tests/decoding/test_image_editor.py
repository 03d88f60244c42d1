"""`Editor` over a seq2seq run with an image tower: outputs equal greedy decoding of the model with
the task's "encoder_image" (render_line_float), whether the images come as uint8 arrays or PNG
files; and the errors for missing, extra or malformed images."""

import numpy as np
import pytest
from image_tower_runs import (
    DECODE_LENGTH,
    IMAGE_SHAPE,
    INPUT_LENGTH,
    TEXTS,
    make_seq2seq_run,
    tiny_t5_config,
    write_line_png,
)

from textedit.data.ocr import render_line, render_line_float
from textedit.data.vocab.vocabulary import normalize_text
from textedit.inference.editor import Editor


@pytest.fixture(scope="module")
def tower_run(tiny_vocab, tmp_path_factory):
    import os

    run_dir = tmp_path_factory.mktemp("seq2seq_image_run")
    return run_dir, make_seq2seq_run(run_dir, os.environ["TEXTEDIT_VOCAB_DIR"])


def test_editor_with_images_equals_greedy_decoding_with_the_task_image(tower_run, tmp_path):
    from textedit.decoding.greedy_with_image import greedy_decode_with_image

    run_dir, model = tower_run
    editor = Editor.load(run_dir, batch_size=len(TEXTS))
    assert type(editor).__name__ == "Seq2SeqEditor" and editor.image_shape == IMAGE_SHAPE
    assert editor.buckets == (INPUT_LENGTH,)
    # One image as a PNG file, the others as uint8 arrays: both read as the task's pixels.
    png = tmp_path / "line0.png"
    write_line_png(png, TEXTS[0])
    images = [png] + [render_line(text, *IMAGE_SHAPE) for text in TEXTS[1:]]
    results = editor.edit(TEXTS, images=images, explain=True)
    assert [r.status for r in results] == ["edited"] * 3 and editor.stats.edited == 3

    # Direct: the same rows (pieces, EOS, padding), "encoder_image" as ocr_correct makes it.
    vocabulary = editor.vocabulary
    tokens = np.zeros((len(TEXTS), INPUT_LENGTH), np.int32)
    for row, text in enumerate(TEXTS):
        ids = list(vocabulary.encode(text)) + [1]
        tokens[row, :len(ids)] = ids
    pixels = np.stack([render_line_float(text, *IMAGE_SHAPE) for text in TEXTS])
    decoded = np.asarray(greedy_decode_with_image(model, tokens, pixels, DECODE_LENGTH))
    expected = [normalize_text(vocabulary.decode(row.tolist())) for row in decoded]
    assert [r.output for r in results] == expected
    assert results[0].explanation() == f"output  {expected[0]}"

    # Empty and too-long texts still need their image but are not decoded.
    long_text = " ".join(["word"] * 40)
    outputs = editor.edit(["", long_text, TEXTS[2]], images=images)
    assert outputs == ["", long_text, expected[2]]
    assert (editor.stats.empty, editor.stats.too_long, editor.stats.edited) == (1, 1, 1)


def test_image_errors(tower_run, tiny_edit5_run, tmp_path):
    run_dir, _ = tower_run
    editor = Editor.load(run_dir, batch_size=2)
    with pytest.raises(ValueError, match="seq2seq model: insert_bias and delete_threshold"):
        Editor.load(run_dir, insert_bias=1.5)
    good = render_line("Ok .", *IMAGE_SHAPE)
    with pytest.raises(ValueError, match="has an image tower: pass one line image per text"):
        editor.edit(["Ok ."])
    with pytest.raises(ValueError, match="2 texts but 1 images"):
        editor.edit(["Ok .", "No ."], images=[good])
    with pytest.raises(ValueError, match=r"images\[0\]: image array: expected 16 x 64 pixels"):
        editor.edit(["Ok ."], images=[render_line("Ok .")])  # 32 x 512
    with pytest.raises(TypeError, match=r"images\[0\]: image array: expected uint8"):
        editor.edit(["Ok ."], images=[good.astype(np.float32) / 255])
    with pytest.raises(FileNotFoundError, match=r"images\[1\]: image .*nope.png: no such file"):
        editor.edit(["Ok .", "No ."], images=[good, tmp_path / "nope.png"])
    (tmp_path / "bad.png").write_text("not an image")
    with pytest.raises(ValueError, match="not an image Pillow can read"):
        editor.edit(["Ok ."], images=[str(tmp_path / "bad.png")])

    # Runs without a tower refuse images: a text-only seq2seq model and EdiT5.
    from textedit.inference.seq2seq_editor import Seq2SeqEditor
    from textedit.models import T5EncoderDecoder

    text_only = Seq2SeqEditor.from_model(T5EncoderDecoder(tiny_t5_config()), editor.vocabulary)
    with pytest.raises(ValueError, match="this run has no image tower"):
        text_only.edit(["Ok ."], images=[good])
    edit5_editor = Editor.load(tiny_edit5_run[0])
    with pytest.raises(ValueError, match="this run has no image tower"):
        edit5_editor.edit(["Ok ."], images=[good])
