"""`textedit export` of a seq2seq run with an image tower: the SavedModel's serving_default (text
and uint8 image in) and an Editor over its decode_ids signature give the in-process Editor's
outputs on the same texts and images; empty and too-long texts follow the Editor's rules."""

import json
import os

import numpy as np
import pytest
from image_tower_runs import DECODE_LENGTH, IMAGE_SHAPE, INPUT_LENGTH, TEXTS, make_seq2seq_run

from textedit.data.ocr import render_line
from textedit.inference.editor import Editor


@pytest.mark.slow
def test_export_with_an_image_signature_round_trips(tiny_vocab, tmp_path, capsys):
    import tensorflow as tf

    from textedit.cli.main import main as cli
    from textedit.inference.edit_export import EXPORT_METADATA, load_edit_export

    run_dir, export_dir = tmp_path / "run", tmp_path / "export"
    make_seq2seq_run(run_dir, os.environ["TEXTEDIT_VOCAB_DIR"], seed=1)
    assert cli(["export", "--model", str(run_dir), "--output", str(export_dir)]) == 0
    assert "serving_default: text string [batch], image uint8 [batch, 16, 64]" in \
        capsys.readouterr().out
    written = json.loads((export_dir / EXPORT_METADATA).read_text())
    assert written["model"] == "seq2seq" and written["image_shape"] == list(IMAGE_SHAPE)
    assert (written["max_input_length"], written["max_decode_length"]) == (INPUT_LENGTH,
                                                                           DECODE_LENGTH)

    long_text = " ".join(["word"] * 40)
    texts = [*TEXTS, "", long_text]
    images = [render_line(text, *IMAGE_SHAPE) for text in texts]
    # In process, one bucket of the export's input length and one batch: the export's shapes.
    in_process = Editor.load(run_dir, batch_size=len(texts)).edit(texts, images=images)
    assert in_process[3:] == ["", long_text] and any(in_process[:3])

    loaded, _ = load_edit_export(export_dir)
    served = loaded.signatures["serving_default"](text=tf.constant(texts),
                                                  image=tf.constant(np.stack(images)))
    assert [s.decode("utf-8") for s in served["outputs"].numpy()] == in_process

    exported = Editor.load(export_dir, batch_size=len(texts))
    assert exported.image_shape == IMAGE_SHAPE and exported.source.startswith("SavedModel")
    with pytest.raises(ValueError, match="seq2seq model: insert_bias and delete_threshold"):
        Editor.load(export_dir, delete_threshold=0.9)
    assert exported.edit(texts, images=images) == in_process
    with pytest.raises(ValueError, match="has an image tower"):
        exported.edit(texts)
