"""`textedit.data.readers` exposes every reader, and no reader imports TensorFlow."""

import subprocess
import sys

from textedit.data import readers


def test_index_exports_every_name():
    for name in readers.__all__:
        exported = getattr(readers, name)  # AttributeError if the index lost it
        # Each name is the reader module's own function or class, not a stand-in.
        assert callable(exported) and exported.__name__ == name, name
        assert exported.__module__.startswith("textedit.data."), (name, exported.__module__)
    for name in (
        "read_m2",
        "read_m2_pairs",
        "read_m2_references",
        "read_fce_pairs",
        "read_line_aligned",
        "read_wikisplit_fusion",
        "read_bisect_fusion",
        "read_gsm8k",
        "read_hh_preferences",
        "read_plain_corpus",
        "read_tagged_corpus",
        "read_corpus_dir",
        "split_sentences",
    ):
        assert callable(getattr(readers, name))


def test_readers_do_not_import_tensorflow():
    code = "import sys, textedit.data.readers; print('tensorflow' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": ":".join(sys.path)},
    )
    assert result.stdout.strip() == "False"
