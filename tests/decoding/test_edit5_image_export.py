"""`textedit export` of an EdiT5 run with an image tower: both signatures take the line image
(serving_default uint8, edit_ids float32), edit_ids equals the Keras model's `edit_step` on the
same rows and images, and an Editor over the export (also `textedit edit --model EXPORT` on JSONL
with "image" files) gives the in-process Editor's outputs. Without images it refuses clearly.

One export per module (it traces and XLA-compiles the model): the tiny random EdiT5 of
conftest's `tiny_edit5_image_run` (16 x 64 line images)."""

import contextlib
import io
import json

import numpy as np
import pytest
from image_tower_runs import IMAGE_SHAPE, TEXTS, write_line_png

from textedit.data.ocr import render_line
from textedit.inference.editor import Editor

INPUT_LENGTH, INSERT_LENGTH = 16, 8
LONG_TEXT = " ".join(["word"] * 40)  # more than INPUT_LENGTH - 1 pieces: passed through
ALL_TEXTS = [*TEXTS, "", LONG_TEXT]


@pytest.fixture(scope="module")
def exported(tiny_edit5_image_run, tmp_path_factory):
    from textedit.cli.main import main as cli
    from textedit.inference.edit_export import load_edit_export

    export_dir = tmp_path_factory.mktemp("edit5_image_export") / "export"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert cli(["export", "--model", str(tiny_edit5_image_run), "--output", str(export_dir),
                    "--max_input_length", str(INPUT_LENGTH),
                    "--max_insert_length", str(INSERT_LENGTH)]) == 0
    loaded, written = load_edit_export(export_dir)
    return {"dir": export_dir, "loaded": loaded, "written": written,
            "printed": printed.getvalue()}


@pytest.fixture(scope="module")
def images():
    """uint8 [16, 64] line images of ALL_TEXTS, as the task draws them."""
    return [render_line(text, *IMAGE_SHAPE) for text in ALL_TEXTS]


@pytest.fixture(scope="module")
def in_process(tiny_edit5_image_run, images):
    """The run's Editor on ALL_TEXTS, in the export's shapes (one bucket of its input length, one
    batch)."""
    editor = Editor.load(tiny_edit5_image_run, max_input_length=INPUT_LENGTH,
                         max_insert_length=INSERT_LENGTH, batch_size=len(ALL_TEXTS))
    assert editor.image_shape == IMAGE_SHAPE and editor.buckets == (INPUT_LENGTH,)
    outputs = editor.edit(ALL_TEXTS, images=images)
    assert outputs[3:] == ["", LONG_TEXT] and all(outputs[:3])
    return outputs


def test_metadata_and_signatures_take_the_image(exported):
    written = exported["written"]
    assert written["model"] == "edit5" and written["image_shape"] == list(IMAGE_SHAPE)
    assert (written["max_input_length"], written["max_insert_length"]) == (INPUT_LENGTH,
                                                                           INSERT_LENGTH)
    assert written["signatures"]["serving_default"]["inputs"] == {
        "text": "string [batch]", "image": "uint8 [batch, 16, 64]"}
    assert written["signatures"]["edit_ids"]["inputs"] == {
        "encoder_input_tokens": f"int32 [batch, {INPUT_LENGTH}]",
        "encoder_image": "float32 [batch, 16, 64]"}
    printed = exported["printed"]
    assert "serving_default: text string [batch], image uint8 [batch, 16, 64]" in printed
    assert '"image_shape": [16, 64]' in printed
    signatures = exported["loaded"].signatures
    assert set(signatures) == {"serving_default", "edit_ids"}
    for name, inputs in (("serving_default", {"text", "image"}),
                         ("edit_ids", {"encoder_input_tokens", "encoder_image"})):
        assert set(signatures[name].structured_input_signature[1]) == inputs, name


def test_edit_ids_equals_edit_step(exported, tiny_edit5_image_run, images):
    import tensorflow as tf

    from textedit.data.vocab.vocabulary import word_start_table
    from textedit.decoding.edit_inference import edit_step, guard_arguments
    from textedit.runs.run_artifacts import load_run

    run = load_run(tiny_edit5_image_run)
    rows = np.zeros((len(TEXTS), INPUT_LENGTH), np.int32)
    for row, text in enumerate(TEXTS):
        ids = list(run.vocabulary.encode(text)) + [1]
        rows[row, :len(ids)] = ids
    pixels = np.stack(images[:len(TEXTS)]).astype(np.float32) / 255.0
    # The export bakes in the word guards (the default), so the Keras path runs with them too.
    want = edit_step(run.model, tf.constant(rows), INSERT_LENGTH, image=tf.constant(pixels),
                     **guard_arguments(rows, word_start_table(run.vocabulary)))
    edit_ids = exported["loaded"].signatures["edit_ids"]
    got = edit_ids(encoder_input_tokens=tf.constant(rows), encoder_image=tf.constant(pixels))
    for name, value in want._asdict().items():
        assert got[name].dtype == tf.int32
        np.testing.assert_array_equal(got[name].numpy(), value.numpy(), err_msg=name)
    # Another batch size through the same signature (the batch dimension is dynamic).
    one = edit_ids(encoder_input_tokens=tf.constant(rows[:1]),
                   encoder_image=tf.constant(pixels[:1]))
    for name, value in want._asdict().items():
        np.testing.assert_array_equal(one[name].numpy(), value.numpy()[:1], err_msg=name)
    # The image is read: other images change what the model predicts.
    blank = edit_ids(encoder_input_tokens=tf.constant(rows),
                     encoder_image=tf.constant(1.0 - pixels))
    assert any(not np.array_equal(blank[name].numpy(), got[name].numpy())
               for name in want._fields)


def test_editor_and_serving_default_give_the_runs_outputs(exported, images, in_process):
    import tensorflow as tf

    editor = Editor.load(exported["dir"], batch_size=len(ALL_TEXTS))
    assert editor.image_shape == IMAGE_SHAPE and editor.takes_images
    assert editor.source.startswith("SavedModel")
    assert editor.edit(ALL_TEXTS, images=images) == in_process
    served = exported["loaded"].signatures["serving_default"](
        text=tf.constant(ALL_TEXTS), image=tf.constant(np.stack(images)))
    assert [s.decode("utf-8") for s in served["outputs"].numpy()] == in_process


def test_edit_tool_reads_jsonl_images_for_the_export(exported, in_process, tmp_path, capsys):
    from textedit.cli.main import main as cli

    for number, text in enumerate(ALL_TEXTS):
        write_line_png(tmp_path / "lines" / f"{number}.png", text)
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("".join(json.dumps({"source": text, "image": f"lines/{number}.png"}) + "\n"
                             for number, text in enumerate(ALL_TEXTS)))
    assert cli(["edit", str(jsonl), "--model", str(exported["dir"]),
                "--batch_size", str(len(ALL_TEXTS))]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["output"] for r in records] == in_process

    (tmp_path / "no_image.jsonl").write_text('{"source": "Ok ."}\n')
    assert cli(["edit", str(tmp_path / "no_image.jsonl"), "--model", str(exported["dir"])]) == 2
    assert 'no_image.jsonl:1: the model has an image tower: expected an "image" key' in \
        capsys.readouterr().err


def test_export_refuses_texts_without_images(exported, images):
    import tensorflow as tf

    editor = Editor.load(exported["dir"], batch_size=len(ALL_TEXTS))
    with pytest.raises(ValueError, match="has an image tower: pass one line image per text"):
        editor.edit(ALL_TEXTS)
    with pytest.raises(ValueError, match="expected one image per text"):
        editor.edit(ALL_TEXTS, images=images[:2])
    # The signatures themselves cannot be called without the image.
    serve = exported["loaded"].signatures["serving_default"]
    with pytest.raises(TypeError, match="image"):
        serve(text=tf.constant(TEXTS))
