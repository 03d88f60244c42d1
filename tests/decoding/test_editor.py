"""Editor: order, empty and too-long inputs, batching/bucketing invariance, explanations, load
errors - on a tiny randomly initialised EdiT5 run directory (tests/conftest.py)."""

import dataclasses

import pytest

from textedit.edits import realise
from textedit.inference.editor import Editor

SENTENCES = [
    "She go to school yesterday .",
    "For not use car .",
    "",
    "I has a apple and two orange .",
    "   ",
    "The quick brown fox jumps over the lazy dog while the cat sleeps .",
    "Ok",
]


@pytest.fixture(scope="module")
def editor(tiny_edit5_run):
    run_dir, _ = tiny_edit5_run
    return Editor.load(run_dir, batch_size=3, buckets=(8, 16, 32))


def test_outputs_in_input_order_with_empty_inputs_passed(editor):
    results = editor.edit(SENTENCES, explain=True)
    assert [r.source for r in results] == SENTENCES
    assert [r.status for r in results] == ["edited", "edited", "empty", "edited", "empty",
                                           "edited", "edited"]
    assert results[2].output == "" and results[4].output == ""
    assert dataclasses.asdict(editor.stats) == {"edited": 5, "empty": 2, "too_long": 0}
    assert editor.edit(SENTENCES) == [r.output for r in results]


def test_batching_and_buckets_do_not_change_outputs(editor, tiny_edit5_run):
    """Rows padded to 8/16/32 in batches of 3 give what each input alone at length 64 gives."""
    one_by_one = Editor.load(tiny_edit5_run[0], batch_size=1, buckets=())
    assert one_by_one.buckets == (64,)  # the model's max_input_length
    assert editor.edit(SENTENCES) == [one_by_one.edit([s])[0] for s in SENTENCES]


def test_too_long_inputs_pass_through_unchanged_and_are_counted(editor):
    long_text = " ".join(["word"] * 80) + "  ."  # > 63 pieces: past the 64-position limit
    results = editor.edit(["Ok", long_text], explain=True)
    assert results[1].status == "too_long"
    assert results[1].output == " ".join(["word"] * 80) + " ."  # whitespace-normalised
    assert editor.stats.too_long == 1 and editor.stats.edited == 1
    assert "passed through" in results[1].explanation()


def test_explanation_realises_to_the_output(editor):
    for result in editor.edit(SENTENCES, explain=True):
        if result.status != "edited":
            continue
        pieces = realise(list(result.pieces), result.plan)
        ids = [editor.vocabulary.tokenizer.piece_to_id(p) for p in pieces]
        assert editor.vocabulary.decode(ids) == result.output
        text = result.explanation()
        assert text.splitlines()[0].startswith("source")
        assert set(result.to_json()) == {"status", "pieces", "tags", "order", "insertions"}


def test_load_errors_name_the_problem(tmp_path, tiny_edit5_run):
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        Editor.load(tmp_path)
    run_dir, _ = tiny_edit5_run
    with pytest.raises(ValueError, match="max_input_length"):
        Editor.load(run_dir, max_input_length=1)


@pytest.mark.slow  # ~35 s; Editor.load on an export stays in test_edit5_image_export.py
def test_an_exported_saved_model_edits_like_its_checkpoint(tiny_edit5_run, tmp_path):
    """Editor.load on `textedit export`'s SavedModel (edit_ids signature, one input length) gives
    the checkpoint's outputs and plans."""
    from textedit.inference.edit_export import export_edit_model

    run_dir, model = tiny_edit5_run
    export_edit_model(model, run_dir / "vocab" / "textedit.model", tmp_path / "export",
                      max_input_length=64, max_insert_length=64, metadata={"step": 7})
    exported = Editor.load(tmp_path / "export", batch_size=4)
    assert exported.buckets == (64,) and exported.source.endswith("(step 7)")
    checkpoint = Editor.load(run_dir, batch_size=4)
    texts = SENTENCES + [" ".join(["word"] * 80)]
    assert exported.edit(texts, explain=True) == checkpoint.edit(texts, explain=True)


def test_an_insertion_vocabulary_keeps_unlisted_pieces_out(tiny_edit5_run):
    """(That a list of every id edits exactly as none is test_insertion_vocabulary's.)"""
    run_dir, model = tiny_edit5_run
    config = model.config
    plain, restricted = (Editor.load(run_dir, batch_size=8, buckets=(32,)) for _ in range(2))
    results = plain.edit(SENTENCES, explain=True)
    vocab_size = config.t5.vocab_size
    # Take away every piece the plain editor inserted (padding, EOS, UNK and <pos_k> stay).
    tokenizer = plain.vocabulary.tokenizer
    always = config.first_position_id + config.num_position_tokens
    unlisted = {tokenizer.piece_to_id(piece) for r in results if r.status == "edited"
                for _, span in r.plan.insertions for piece in span} - set(range(always))
    assert unlisted  # the random model inserts such pieces here, so the list changes something
    size = restricted.set_insertion_vocabulary([i for i in range(vocab_size) if i not in unlisted])
    assert size == vocab_size - len(unlisted)
    edited = restricted.edit(SENTENCES, explain=True)
    inserted = {tokenizer.piece_to_id(piece) for r in edited if r.status == "edited"
                for _, span in r.plan.insertions for piece in span}
    assert not inserted & unlisted
    assert [r.output for r in edited] != [r.output for r in results]


def test_a_saved_model_refuses_an_insertion_vocabulary():
    editor = Editor(object(), None, first_position_id=3, num_position_tokens=4,
                    max_input_length=8, buckets=(8,))
    with pytest.raises(ValueError, match="needs the run directory"):
        editor.set_insertion_vocabulary([5])
