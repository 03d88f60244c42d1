"""`textedit edit` with line images: JSONL lines with an "image" file (relative to the JSONL file)
for a seq2seq or EdiT5 run with an image tower give the Editor's outputs; a missing or
unreadable image, an image for a run without a tower and a line without one for a tower run name
the file and line."""

import json
import os

import pytest
from image_tower_runs import IMAGE_SHAPE, TEXTS, make_seq2seq_run, write_line_png

from textedit.cli.main import main as cli
from textedit.data.ocr import render_line


@pytest.fixture(scope="module")
def tower_run(tiny_vocab, tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("seq2seq_image_run")
    make_seq2seq_run(run_dir, os.environ["TEXTEDIT_VOCAB_DIR"], seed=2)
    return run_dir


# The EdiT5 case (~25 s) is in the slow tier; tests/decoding/test_edit5_image_export.py keeps
# the edit tool reading JSONL with images for an EdiT5 export in the default tier.
@pytest.mark.parametrize("kind", ["seq2seq", pytest.param("edit5", marks=pytest.mark.slow)])
def test_jsonl_with_images_gives_the_editors_outputs(kind, tower_run, tiny_edit5_image_run,
                                                     tmp_path, capsys, monkeypatch):
    from textedit.inference.editor import Editor

    run = {"seq2seq": tower_run, "edit5": tiny_edit5_image_run}[kind]

    for number, text in enumerate(TEXTS):
        write_line_png(tmp_path / "lines" / f"{number}.png", text)
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("".join(json.dumps({"source": text, "image": f"lines/{number}.png",
                                         "id": number}) + "\n"
                             for number, text in enumerate(TEXTS)))
    # Run from another directory: image paths are resolved against the JSONL file's directory.
    monkeypatch.chdir(tmp_path.parent)
    assert cli(["edit", str(jsonl), "--model", str(run), "--batch_size", "4",
                "--explain"]) == 0
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert [r["id"] for r in records] == [0, 1, 2]
    assert records[0]["image"] == "lines/0.png" and records[0]["edit"]["status"] == "edited"
    editor = Editor.load(run, batch_size=4)
    expected = editor.edit(TEXTS, images=[render_line(text, *IMAGE_SHAPE) for text in TEXTS])
    assert [r["output"] for r in records] == expected
    assert "3 inputs: 3 edited" in captured.err
    with pytest.raises(ValueError, match="image"):
        editor.edit(TEXTS)  # a tower run refuses texts without their images


def _edit_error(args, capsys) -> str:
    assert cli(["edit", *map(str, args)]) == 2
    return capsys.readouterr().err


def test_image_errors_name_the_file_and_line(tower_run, tiny_edit5_run, tmp_path, capsys):
    write_line_png(tmp_path / "ok.png", "Ok .")
    (tmp_path / "bad.png").write_text("not an image")
    cases = {
        "missing.jsonl": ('{"source": "Ok .", "image": "ok.png"}\n'
                          '{"source": "No .", "image": "gone.png"}\n',
                          "missing.jsonl:2: image ", "gone.png: no such file"),
        "unreadable.jsonl": ('{"source": "Ok .", "image": "bad.png"}\n',
                             "unreadable.jsonl:1: image ", "not an image Pillow can read"),
        "notpath.jsonl": ('{"source": "Ok .", "image": 3}\n',
                          'notpath.jsonl:1: expected "image" to be an image file path', ""),
    }
    for name, (content, first, second) in cases.items():
        (tmp_path / name).write_text(content)
        err = _edit_error([tmp_path / name, "--model", tower_run], capsys)
        assert first in err and second in err, err

    (tmp_path / "no_image.jsonl").write_text('{"source": "Ok .", "image": "ok.png"}\n'
                                             '{"source": "No ."}\n')
    err = _edit_error([tmp_path / "no_image.jsonl", "--model", tower_run], capsys)
    assert 'no_image.jsonl:2: the model has an image tower: expected an "image" key' in err
    (tmp_path / "in.txt").write_text("Ok .\n")
    err = _edit_error([tmp_path / "in.txt", "--model", tower_run], capsys)
    assert "the model has an image tower: give JSONL input" in err
    from PIL import Image

    Image.fromarray(render_line("Ok ."), mode="L").save(tmp_path / "big.png")  # 32 x 512
    (tmp_path / "big.jsonl").write_text('{"source": "Ok .", "image": "big.png"}\n')
    err = _edit_error([tmp_path / "big.jsonl", "--model", tower_run], capsys)
    assert "big.jsonl:1: image big.png: expected 16 x 64 pixels" in err

    # The reverse: an "image" key for an EdiT5 run (no tower).
    (tmp_path / "edit5.jsonl").write_text('{"source": "Ok ."}\n'
                                          '{"source": "Ok .", "image": "ok.png"}\n')
    err = _edit_error([tmp_path / "edit5.jsonl", "--model", tiny_edit5_run[0]], capsys)
    assert 'edit5.jsonl:2: "image" given, but the model has no image tower' in err
