"""EdiT5 SavedModel export: the TF realisation against `realise_batch`, then `textedit export` on a
run directory and the reloaded signatures against the checkpointed model's Keras path.

The model is a tiny random Edit5Model whose insertion decoder is forced into a fixed chain
(`force_insertions`), so edited rows really insert pieces at <pos_0> and <pos_1>. It is saved as
a run directory (model.json, vocab/, a RunCheckpoints checkpoint) and exported once per module.
"""

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from textedit.data.vocab.vocabulary import get_vocabulary, normalize_text, word_start_table
from textedit.decoding.edit_inference import edit_batch, edit_step, guard_arguments, realise_batch
from textedit.inference.edit_export import EXPORT_METADATA, export_edit_model, load_edit_export
from textedit.inference.realise_tf import realise_tokens
from textedit.models import T5Config
from textedit.models.edit5.edit5_config import Edit5Config
from textedit.models.edit5.edit5_model import Edit5Model

REPO = Path(__file__).resolve().parents[2]

# Realisation ------------------------------------------------------------------------------------

FIRST, POSITIONS = 3, 6  # <pos_0> .. <pos_5> = ids 3 .. 8; words from 9
realise_xla = tf.function(realise_tokens, jit_compile=True)


def realised_lists(inputs, tags, order, insertions, positions=POSITIONS):
    out = realise_xla(tf.constant(inputs, tf.int32), tf.constant(tags, tf.int32),
                      tf.constant(order, tf.int32), tf.constant(insertions, tf.int32),
                      first_position_id=FIRST, num_position_tokens=positions)
    return [[int(t) for t in row[:n]] for row, n in zip(out.tokens.numpy(), out.lengths.numpy(),
                                                         strict=True)]


def features_of(inputs, kept_order, length):
    """tags, pointers and order [length] of a row whose kept positions, in output order, are
    `kept_order` (EOS/START = the last input position)."""
    n = len(inputs) - 1
    tags, pointers = np.zeros(length, np.int32), np.arange(length, dtype=np.int32)
    order = np.full(length, -1, np.int32)
    if inputs:
        tags[list(kept_order) + [n]] = 1
        previous = n
        for i, position in enumerate(kept_order):
            pointers[previous], previous, order[i] = position, position, position
        pointers[previous] = n
    return tags, pointers, order


def batch_of(rows, length, steps):
    """rows: (input ids incl. EOS, kept order, insertion ids) -> padded arrays [b, L] / [b, T]."""
    arrays = [np.zeros((len(rows), size), np.int32) for size in (length, length, length, length,
                                                                 steps)]
    inputs, tags, pointers, order, insertions = arrays
    for r, (row_inputs, kept_order, row_insertions) in enumerate(rows):
        inputs[r, :len(row_inputs)] = row_inputs
        tags[r], pointers[r], order[r] = features_of(row_inputs, kept_order, length)
        insertions[r, :len(row_insertions)] = row_insertions
    return inputs, tags, pointers, order, insertions


def expected_lists(inputs, tags, pointers, insertions, positions=POSITIONS):
    return [edit.tokens for edit in realise_batch(
        inputs, tags, pointers, insertions, first_position_id=FIRST,
        num_position_tokens=positions)]


A, B, C, D = 20, 21, 22, 23
HAND_MADE = [  # (inputs with EOS, kept order, insertions), expected realisation
    # The docstring example: "A long user query" -> "The user query is very long".
    (([10, 11, 12, 13, 1], [2, 3, 1], [3, A, 5, B, C, 1]),
     [A, 12, 13, B, C, 11]),
    # <pos_5> above K = 3: clamped to the end; then <pos_1> (decreasing) still lands after one.
    (([10, 11, 12, 1], [0, 1, 2], [8, A, 4, B, 1]), [10, B, 11, 12, A]),
    # Two positions clamped onto K = 1 merge, in emission order.
    (([10, 11, 1], [1], [7, A, 6, B, 1]), [11, A, B]),
    # Nothing kept: every span goes to <pos_0>.
    (([10, 11, 1], [], [3, A, 5, B, 1]), [A, B]),
    # Pieces before the first position token are dropped, an empty span inserts nothing,
    # reading stops at EOS.
    (([10, 11, 12, 1], [0, 1, 2], [A, 4, 5, B, 1, C]), [10, 11, B, 12]),
    # No EOS (the decoder ran to T), a re-ordered row, a repeated <pos_0>.
    (([10, 11, 12, 1], [2, 0], [3, A, 3, B, 4, C, D, A]), [A, B, 12, C, D, A, 10]),
    # An all-padding row realises to nothing, whatever the decoder produced.
    (([], [], [3, A, 1]), []),
    # EOS only: nothing kept, nothing inserted.
    (([1], [], [1]), []),
]


def test_realise_tokens_hand_made_cases():
    rows = [row for row, _ in HAND_MADE]
    inputs, tags, pointers, order, insertions = batch_of(rows, length=6, steps=8)
    want = [expected for _, expected in HAND_MADE]
    assert expected_lists(inputs, tags, pointers, insertions) == want  # the cases are right
    assert realised_lists(inputs, tags, order, insertions) == want


def random_rows(rng, batch, length, steps):
    rows = []
    words = np.arange(FIRST + POSITIONS, 40)
    choices = np.r_[np.arange(FIRST, FIRST + POSITIONS), words, [1, 0]]
    for _ in range(batch):
        n = int(rng.integers(0, length + 1))  # pieces + EOS; 0 = an all-padding row
        inputs = [] if n == 0 else [*rng.choice(words, size=n - 1), 1]
        kept = [j for j in range(max(n - 1, 0)) if rng.random() < 0.6]
        rows.append((inputs, [int(j) for j in rng.permutation(kept)],
                     [int(t) for t in rng.choice(choices, size=steps)]))
    return rows


def test_realise_tokens_equals_realise_batch_on_random_outputs():
    rng = np.random.default_rng(0)
    length, steps = 7, 9
    total = inserted = 0
    for _ in range(10):
        inputs, tags, pointers, order, insertions = batch_of(
            random_rows(rng, 24, length, steps), length, steps)
        want = expected_lists(inputs, tags, pointers, insertions)
        assert realised_lists(inputs, tags, order, insertions) == want
        total += len(want)
        inserted += sum(len(w) > int(t.sum()) - 1 for w, t in zip(want, tags, strict=True))
    assert inserted > total // 4  # not vacuous: many rows insert something


def test_realise_tokens_shapes_and_padding():
    inputs, tags, _, order, insertions = batch_of(
        [([10, 11, 1], [1, 0], [3, A, 1]), ([], [], [1])], length=4, steps=3)
    out = realise_xla(inputs, tags, order, insertions, first_position_id=FIRST,
                      num_position_tokens=POSITIONS, pad_id=0)
    assert out.tokens.shape == (2, 4 + 3) and out.tokens.dtype == tf.int32
    np.testing.assert_array_equal(out.tokens.numpy(), [[A, 11, 10, 0, 0, 0, 0], [0] * 7])
    np.testing.assert_array_equal(out.lengths.numpy(), [3, 0])


# Export -----------------------------------------------------------------------------------------

MAX_INPUT, MAX_INSERT = 16, 8
SENTENCES = [
    "She go to school yesterday .",
    "I am waiting yours answer .",
    "",
    "   ",
    "\u00a0\u3000 \t",  # Unicode whitespace only (SentencePiece would keep pieces of it)
    "  The   lessons are very   funny ",
    "Café naïve — 東京 ☃",
    # Longer than MAX_INPUT - 1 pieces: passed through, whitespace-normalised.
    "This sentence is certainly much  longer than the sixteen pieces that the exported model "
    "accepts at once .",
    "My favourite sport is football game .",
]


def force_insertions(model, vocabulary):
    """Turns the insertion decoder into a fixed chain, START -> <pos_0> the <pos_1> not EOS
    (EOS instead of <pos_1> where nothing is kept), by giving the chain's tokens huge one-hot
    embeddings (the decoder's residual stream, so its final RMSNorm output, is then that one-hot
    direction) and lm_head rows that point to the next token. Encoder and heads stay random."""
    the, not_ = (vocabulary.tokenizer.piece_to_id(p) for p in ("▁the", "▁not"))
    assert vocabulary.unk_id not in (the, not_)
    pos_0, pos_1, eos = 3, 4, 1
    chain = {0: {pos_0: 8.0}, pos_0: {the: 8.0}, the: {pos_1: 8.0, eos: 4.0}, pos_1: {not_: 8.0},
             not_: {eos: 8.0}}
    embeddings = model.backbone.shared.embeddings
    kernel = model.backbone.lm_head.kernel  # [d_model, vocab]
    table, weights = embeddings.numpy(), kernel.numpy()
    for dim, (token, successors) in enumerate(chain.items()):
        table[token] = 0.0
        table[token, dim] = 100.0
        weights[dim] = 0.0
        for successor, logit in successors.items():
            weights[dim, successor] = logit
    embeddings.assign(table)
    kernel.assign(weights)
    return the, not_


@pytest.fixture(scope="module")
def tiny_model(tiny_vocab):
    keras.utils.set_random_seed(5)
    t5 = T5Config.named("tiny", vocab_size=tiny_vocab.vocab_size, num_decoder_layers=1,
                        num_encoder_layers=1, dropout_rate=0.0)
    model = Edit5Model(Edit5Config(t5=t5, num_position_tokens=tiny_vocab.num_position_tokens,
                                   max_input_length=MAX_INPUT))
    force_insertions(model, get_vocabulary())
    return model


@pytest.fixture(scope="module")
def vocab_dir(tiny_vocab):
    return Path(os.environ["TEXTEDIT_VOCAB_DIR"])


@pytest.fixture(scope="module")
def run_dir(tiny_model, vocab_dir, tmp_path_factory):
    """A run directory as `textedit train` leaves it: model.json, vocab/, checkpoints/ckpt-7."""
    from textedit.runs.run_artifacts import copy_vocabulary, write_model_config
    from textedit.training.checkpoints import RunCheckpoints

    run = tmp_path_factory.mktemp("run")
    assert write_model_config(run, tiny_model)
    copy_vocabulary(run, vocab_dir)
    optimizer = keras.optimizers.Adam()
    optimizer.build(tiny_model.trainable_variables)
    RunCheckpoints(run / "checkpoints", tiny_model, optimizer).save(7)
    return run


@pytest.fixture(scope="module")
def exported(run_dir, tmp_path_factory):
    """`textedit export` on the run directory; the export is moved elsewhere before loading (the
    SavedModel is relocatable). The graphs carry the checkpoint's weights, so the tests below
    compare the reloaded export with the checkpointed model's own outputs."""
    from textedit.cli.main import main as cli

    first = tmp_path_factory.mktemp("export") / "edit5"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert cli(["export", "--model", str(run_dir), "--output", str(first),
                            "--max_input_length", str(MAX_INPUT),
                            "--max_insert_length", str(MAX_INSERT)]) == 0
    moved = tmp_path_factory.mktemp("moved") / "edit5"
    shutil.move(str(first), str(moved))
    loaded, written = load_edit_export(moved)
    return {"dir": moved, "written": written, "loaded": loaded, "printed": printed.getvalue()}


@pytest.fixture(scope="module")
def keras_path(tiny_model):
    """What the export should do, with the Keras model: `rows` [b, MAX_INPUT] of the texts that
    fit (pieces, EOS, padding) plus an all-padding row, their `edit_step` outputs and
    `edit_batch` edits, and each text's `expected` output (vocabulary.decode of its edit, "" for
    no pieces, the normalised text for too many)."""
    vocabulary = get_vocabulary()
    rows, expected = [], []
    for text in SENTENCES:
        ids = list(vocabulary.encode(text))
        if not text.strip():
            expected.append("")
        elif len(ids) > MAX_INPUT - 1:
            expected.append(normalize_text(text))
        else:
            expected.append(len(rows))
            rows.append(ids + [1] + [0] * (MAX_INPUT - 1 - len(ids)))
    rows = np.asarray(rows + [[0] * MAX_INPUT], np.int32)
    # The export bakes in the word guards (the default), so the Keras path runs with them too.
    table = word_start_table(vocabulary)
    outputs = edit_step(tiny_model, tf.constant(rows), MAX_INSERT,
                        **guard_arguments(rows, table))
    edits = edit_batch(tiny_model, rows, MAX_INSERT, word_start_table=table)
    expected = [vocabulary.decode(edits[e].tokens) if isinstance(e, int) else e
                for e in expected]
    return {"rows": rows, "outputs": outputs, "edits": edits, "expected": expected}


def test_in_graph_tokenizer_gives_the_vocabulary_ids(tiny_vocab):
    """The tokenizer the export builds (tf_text on seqio's model proto) against seqio's encode,
    on real lines, unusual characters and a typed sentinel."""
    import tensorflow_text as tf_text

    from textedit.data import readers
    from textedit.data.data_dir import data_path

    vocabulary = get_vocabulary()
    texts = [p.source for p in readers.read_m2_pairs(data_path("gec/wi.A.dev.m2"))[:200]]
    texts += SENTENCES + ["<extra_id_0> and <pos_3>", "tab\there\nnewline", "ＡＢＣ ½ ﬁ"]
    tokenizer = tf_text.SentencepieceTokenizer(model=vocabulary.sp_model)
    assert tokenizer.tokenize(texts).to_list() == [list(vocabulary.encode(t)) for t in texts]


def test_export_writes_assets_and_metadata(exported, vocab_dir, tiny_model, run_dir):
    directory, written = exported["dir"], exported["written"]
    assert (directory / "assets" / "textedit.model").read_bytes() == \
        (vocab_dir / "textedit.model").read_bytes()
    on_disk = json.loads((directory / EXPORT_METADATA).read_text())
    assert on_disk == written
    config = tiny_model.config
    assert {k: on_disk[k] for k in ("first_position_id", "num_position_tokens", "eos_id",
                                    "pad_id", "max_input_length", "max_insert_length",
                                    "vocabulary")} == {
        "first_position_id": config.first_position_id,
        "num_position_tokens": config.num_position_tokens, "eos_id": 1, "pad_id": 0,
        "max_input_length": MAX_INPUT, "max_insert_length": MAX_INSERT,
        "vocabulary": "assets/textedit.model"}
    metadata = on_disk["metadata"]
    assert metadata["step"] == 7 and metadata["run_dir"] == str(run_dir.resolve())
    assert metadata["checkpoint"].endswith("ckpt-7")
    assert set(exported["loaded"].signatures) == {"serving_default", "edit_ids"}


def test_edit_ids_signature_equals_edit_step(exported, keras_path):
    rows, want = keras_path["rows"], keras_path["outputs"]
    edit_ids = exported["loaded"].signatures["edit_ids"]
    got = edit_ids(encoder_input_tokens=tf.constant(rows))
    for name, value in want._asdict().items():
        assert got[name].dtype == tf.int32
        np.testing.assert_array_equal(got[name].numpy(), value.numpy(), err_msg=name)
    # Another batch size through the same signature (the batch dimension is dynamic).
    one = edit_ids(encoder_input_tokens=tf.constant(rows[:1]))
    for name, value in want._asdict().items():
        np.testing.assert_array_equal(one[name].numpy(), value.numpy()[:1], err_msg=name)


def test_serving_default_equals_the_keras_path(exported, keras_path):
    edits, expected = keras_path["edits"], keras_path["expected"]
    # Not vacuous: insertions at <pos_0> and at <pos_1> happen.
    assert sum(bool(edit.plan.insertions) for edit in edits) >= 3
    assert any(len(edit.plan.insertions) == 2 for edit in edits)
    serve = exported["loaded"].signatures["serving_default"]
    got = [t.decode("utf-8") for t in serve(text=tf.constant(SENTENCES))["outputs"].numpy()]
    assert got == expected
    assert got[2:5] == ["", "", ""]
    assert got[7] == normalize_text(SENTENCES[7])
    assert got[0] != normalize_text(SENTENCES[0])  # the random model edits it (which way depends
    # on the tiny vocabulary SentencePiece trains in the session)
    # One text at a time gives the same (no dependence on the batch).
    assert serve(text=tf.constant(SENTENCES[:1]))["outputs"].numpy()[0].decode() == got[0]


def test_signatures_stay_xla_compiled_after_reloading(exported):
    """The reloaded graphs still mark edit_loop and the realisation for XLA."""
    for name in ("serving_default", "edit_ids"):
        library = exported["loaded"].signatures[name].graph.as_graph_def().library
        compiled = [f.signature.name for f in library.function
                    if f.attr["_XlaMustCompile"].b]
        assert len(compiled) == (2 if name == "serving_default" else 1), (name, compiled)


def test_a_fresh_process_loads_the_export(exported):
    """load_edit_export imports tensorflow_text, without which the graph's ops are unknown."""
    code = ("import sys; from textedit.inference.edit_export import load_edit_export; "
            "loaded, settings = load_edit_export(sys.argv[1]); "
            "print(sorted(loaded.signatures), settings['max_input_length'])")
    result = subprocess.run([sys.executable, "-c", code, str(exported["dir"])], cwd=REPO,
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split("\n")[-2] == f"['edit_ids', 'serving_default'] {MAX_INPUT}"


def test_export_refuses_a_longer_input_than_the_model_covers(tiny_model, vocab_dir, tmp_path):
    with pytest.raises(ValueError, match="re-order embedding"):
        export_edit_model(tiny_model, vocab_dir / "textedit.model", tmp_path / "x",
                          max_input_length=MAX_INPUT + 1)


def test_export_tool_printed_the_signatures_and_kept_the_weights(exported, tiny_model):
    printed = exported["printed"]
    assert "serving_default: text string [batch]" in printed and "edit_ids: " in printed
    assert "saved_model.pb" in printed and "assets/textedit.model" in printed
    saved = exported["loaded"].model_variables  # the checkpoint's weights went in
    assert len(saved) == len(tiny_model.variables)
    for variable, original in zip(saved, tiny_model.variables, strict=True):
        np.testing.assert_array_equal(variable.numpy(), original.numpy(), err_msg=original.path)


def test_export_tool_refuses_bad_arguments(run_dir, exported, tmp_path):
    from textedit.cli.main import main as cli

    with pytest.raises(SystemExit, match="not empty.*--overwrite"):
        cli(["export", "--model", str(run_dir), "--output", str(exported["dir"])])
    with pytest.raises(SystemExit, match="not a run directory"):
        cli(["export", "--model", str(tmp_path), "--output", str(tmp_path / "out")])
    (tmp_path / "file").write_text("x")
    with pytest.raises(SystemExit, match="is a file"):
        cli(["export", "--model", str(run_dir), "--output", str(tmp_path / "file")])
    with pytest.raises(SystemExit, match="re-order embedding"):
        cli(["export", "--model", str(run_dir), "--output", str(tmp_path / "out"),
                     "--max_input_length", str(MAX_INPUT + 1)])


def test_a_savedmodel_refuses_an_insert_bias_it_was_not_exported_with(exported):
    """The export's graphs decode without an insert bias: asking for one is an error naming
    the setting; asking for none (or 0) loads."""
    from textedit.inference.editor import Editor

    with pytest.raises(ValueError, match="insert_bias"):
        Editor.load(exported["dir"], insert_bias=1.5)
    assert Editor.load(exported["dir"], insert_bias=0.0).source.startswith("SavedModel")
