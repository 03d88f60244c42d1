"""LMCor candidate generation from a (tiny, random) seq2seq run: k samples / beams per source,
their generator log-probabilities, the greedy output, and the EdiT5 conversion round-trip over
the source and the generated candidates."""

import os
from pathlib import Path

import numpy as np
import pytest

from textedit.benchmarks.lmcor_candidates import (
    CandidateSettings,
    _encode_batch,
    generate_candidates,
    sequence_log_probs,
)
from textedit.data.lmcor_inputs import assemble
from textedit.edits import convert, realise

SOURCES = ["He go to school yesterday .", "She have two cat .", "They is happy ."]
REFERENCES = [["He went to school yesterday ."], ["She has two cats ."], ["They are happy ."]]


@pytest.fixture(scope="module")
def tiny_run(tiny_vocab):
    import keras

    from textedit.data.vocab.vocabulary import get_vocabulary
    from textedit.models import T5Config, T5EncoderDecoder
    from textedit.runs.run_artifacts import LoadedRun

    keras.utils.set_random_seed(0)
    model = T5EncoderDecoder(T5Config.named("tiny", vocab_size=2176, num_decoder_layers=1,
                                            dropout_rate=0.0))
    return LoadedRun(model, get_vocabulary(os.environ["TEXTEDIT_VOCAB_DIR"]), 0, "", Path("."))


@pytest.mark.slow
def test_sampled_and_beam_candidates(tiny_run):
    settings = CandidateSettings(k=3, method="sample", temperature=1.0, top_p=0.95,
                                 input_length=32, decode_length=8, batch_size=2, seed=5)
    examples = generate_candidates(tiny_run, SOURCES, REFERENCES, settings)
    assert [e.source for e in examples] == SOURCES
    assert [e.references for e in examples] == [tuple(r) for r in REFERENCES]
    assert all(e.k == 3 and len(e.scores) == 3 for e in examples)
    assert all(s < 0 for e in examples for s in e.scores)
    assert all(isinstance(e.extra["greedy"], str) for e in examples)
    assert len({c for e in examples for c in e.candidates}) > 3  # the draws differ
    assert generate_candidates(tiny_run, SOURCES, REFERENCES, settings) == examples  # seeded

    beams = generate_candidates(tiny_run, SOURCES, None, CandidateSettings(
        k=2, method="beam", input_length=32, decode_length=8))
    assert all(e.k == 2 and e.references == () for e in beams)

    # EdiT5 conversion over source + generated candidates round-trips to the reference.
    for example in examples:
        tokens = assemble(example.source, example.candidates).split()
        target = example.references[0].split()
        assert realise(tokens, convert(tokens, target, min_moved_run=2)) == target


@pytest.mark.slow
def test_log_probs_ignore_padding(tiny_run):
    encoder = np.array([[5, 6, 7, 1, 0]], np.int32)
    short = np.array([[9, 10, 1, 0]], np.int32)
    longer = np.array([[9, 10, 1, 0, 0, 0]], np.int32)
    a, b = sequence_log_probs(tiny_run.model, encoder, short), sequence_log_probs(
        tiny_run.model, encoder, longer)
    assert a[0] < 0 and a[0] == pytest.approx(b[0], abs=1e-4)


def test_each_rows_log_prob_is_its_own_whatever_the_batch_pads(tiny_run):
    """Rows of a batch are scored as if alone: the columns after the longest row are dropped,
    and the shorter rows' padding scores nothing (the sum of log softmax over a row's tokens)."""
    import tensorflow as tf

    encoder = np.array([[5, 6, 7, 1, 0], [8, 9, 1, 0, 0]], np.int32)
    targets = np.array([[9, 10, 11, 1, 0, 0, 0, 0], [12, 1, 0, 0, 0, 0, 0, 0]], np.int32)
    together = sequence_log_probs(tiny_run.model, encoder, targets)
    for i, length in enumerate((4, 2)):
        row = targets[i:i + 1, :length]
        alone = sequence_log_probs(tiny_run.model, encoder[i:i + 1], row)
        inputs = np.concatenate([[[tiny_run.model.config.decoder_start_id]], row[:, :-1]], 1)
        logits = tiny_run.model({"encoder_input_tokens": encoder[i:i + 1],
                                 "decoder_input_tokens": inputs.astype(np.int32)})
        log_probs = tf.nn.log_softmax(tf.cast(logits, tf.float32)).numpy()[0]
        direct = sum(log_probs[t, token] for t, token in enumerate(row[0]))
        assert together[i] < 0
        assert together[i] == pytest.approx(alone[0], abs=1e-4)
        assert together[i] == pytest.approx(direct, abs=1e-4)


@pytest.fixture(scope="module")
def tiny_edit5_loaded(tiny_edit5_run):
    from textedit.runs.run_artifacts import load_run

    return load_run(tiny_edit5_run[0])


def test_an_edit5_run_samples_rather_than_beams(tiny_edit5_loaded):
    with pytest.raises(ValueError, match="samples its candidates"):
        generate_candidates(tiny_edit5_loaded, SOURCES, None, CandidateSettings(method="beam"))


@pytest.mark.slow
def test_edit5_candidates_are_sampled_edits(tiny_edit5_loaded, capsys):
    from textedit.inference.editor import Editor

    settings = CandidateSettings(k=3, temperature=1.0, input_length=32, decode_length=8,
                                 batch_size=2, seed=5)
    examples = generate_candidates(tiny_edit5_loaded, SOURCES, REFERENCES, settings,
                                   progress_every=1)
    assert "step 1/2 (50.0%)  examples 2  " in capsys.readouterr().err  # 3 sources, batches of 2
    assert [e.source for e in examples] == SOURCES
    assert all(e.k == 3 and all(s <= 0 for s in e.scores) for e in examples)
    assert len({c for e in examples for c in e.candidates}) > 3  # the draws differ
    assert generate_candidates(tiny_edit5_loaded, SOURCES, REFERENCES, settings) == examples
    # The greedy output is the edit tool's (word guards on, insertion length 8).
    editor = Editor.from_model(tiny_edit5_loaded.model, tiny_edit5_loaded.vocabulary,
                               max_input_length=32, max_insert_length=8)
    assert [e.extra["greedy"] for e in examples] == editor.edit(SOURCES)


class _WordVocabulary:
    """One id per word (its length), EOS 1: enough for `_encode_batch`."""

    eos_id = 1

    def encode(self, text):
        return [len(word) + 2 for word in text.split()]


@pytest.mark.parametrize("words, bucket", [(3, 16), (15, 16), (16, 32), (40, 64), (99, 128)])
def test_batches_pad_to_the_smallest_bucket_that_holds_them(words, bucket):
    rows = _encode_batch(_WordVocabulary(), ["a b", " ".join(["word"] * words)], 128)
    assert rows.shape == (2, bucket)
    assert rows[0, :3].tolist() == [3, 3, 1] and not rows[0, 3:].any()
    assert (rows[1] != 0).sum() == words + 1 and rows[1, words] == 1
    with pytest.raises(ValueError, match="exceeds input_length 128"):
        _encode_batch(_WordVocabulary(), [" ".join(["word"] * 128)], 128)


def test_read_candidates_are_what_the_tower_reads_from_the_rendered_reference(tiny_vocab):
    """--method read: one candidate per example, the best-path reading of the line image
    rendered from its first reference; refused for k != 1 and for a run without a tower."""
    import keras

    from textedit.data.ocr.line_rendering import render_line_float
    from textedit.data.ocr.reading_alphabet import reading_text
    from textedit.data.vocab.vocabulary import get_vocabulary
    from textedit.decoding.tower_reading import tower_read
    from textedit.models import T5Config
    from textedit.models.image_tower import ImageTowerConfig, T5WithImageTower
    from textedit.runs.run_artifacts import LoadedRun

    keras.utils.set_random_seed(0)
    tower = ImageTowerConfig(image_height=32, image_width=128, patch_height=32, patch_width=8,
                             width=16, num_layers=1, num_heads=2, mlp_dim=32, reading_classes=97)
    model = T5WithImageTower(T5Config.named("tiny", vocab_size=2176), tower)
    run = LoadedRun(model, get_vocabulary(os.environ["TEXTEDIT_VOCAB_DIR"]), 0, "", Path("."))
    settings = CandidateSettings(k=1, method="read", batch_size=2)
    examples = generate_candidates(run, SOURCES, REFERENCES, settings)
    images = np.stack([render_line_float(r[0], 32, 128) for r in REFERENCES])
    expected = [reading_text(ids) for ids in tower_read(model, images)]
    assert [e.candidates for e in examples] == [(text,) for text in expected]
    assert [e.source for e in examples] == SOURCES
    assert [list(e.references) for e in examples] == REFERENCES
    assert all(e.scores == (0.0,) and e.extra["greedy"] == e.candidates[0] for e in examples)
    with pytest.raises(ValueError, match="k must be 1"):
        CandidateSettings(k=2, method="read")
    plain = LoadedRun(T5WithImageTower(T5Config.named("tiny", vocab_size=2176), None),
                      run.vocabulary, 0, "", Path("."))
    with pytest.raises(ValueError, match="needs a run whose model has an image tower"):
        generate_candidates(plain, SOURCES, REFERENCES, settings)
