"""The insertion vocabulary: listed rows equal the output layer's columns, a list holding every id
decodes exactly as the whole output layer, unlisted ids are never emitted, bad lists refused;
the whole output layer made once (`whole_output_layer`) decodes exactly as the per-call one."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from test_edit_inference import BATCH, INSERT, LENGTH, RANDOM_POSITIONS, RANDOM_VOCAB, WORDS

from textedit.decoding.edit_inference import edit_step
from textedit.decoding.forced_length import forced_edit_step
from textedit.decoding.insertion_vocabulary import (
    insertion_vocabulary,
    shortlist_ids,
    whole_output_layer,
)
from textedit.models import T5Config, T5EncoderDecoder
from textedit.models.edit5.edit5_config import Edit5Config
from textedit.models.edit5.edit5_model import Edit5Model

FIRST_POSITION = 3  # Edit5Config's default first_position_id


def _model(seed: int, **t5) -> Edit5Model:
    keras.utils.set_random_seed(seed)
    config = T5Config.named("tiny", vocab_size=RANDOM_VOCAB, num_decoder_layers=1,
                            dropout_rate=0.0, **t5)
    return Edit5Model(Edit5Config(t5=config, num_position_tokens=RANDOM_POSITIONS,
                                  max_input_length=LENGTH))


@pytest.fixture(scope="module")
def random_inputs():
    """int32 [BATCH, LENGTH]: rows of 1 .. LENGTH - 1 words drawn from WORDS, EOS, padding."""
    words = np.random.default_rng(1).choice(list(WORDS), size=(BATCH, LENGTH)).astype(np.int32)
    lengths = 1 + np.arange(BATCH) % (LENGTH - 1)  # words per row
    positions = np.arange(LENGTH)[None, :]
    return np.where(positions < lengths[:, None], words,
                    np.where(positions == lengths[:, None], 1, 0)).astype(np.int32)


@pytest.fixture(scope="module")
def models():
    """Untied (v1.1) and tied (v1.0) random EdiT5 models, both with the position options."""
    options = dict(position_logits=True, position_inputs=True)
    untied = _model(3)
    keras.utils.set_random_seed(4)
    tied_t5 = T5Config.named("tiny", vocab_size=RANDOM_VOCAB, num_decoder_layers=1,
                             dropout_rate=0.0, tie_word_embeddings=True)
    tied = Edit5Model(Edit5Config(t5=tied_t5, num_position_tokens=RANDOM_POSITIONS,
                                  max_input_length=LENGTH, **options))
    return {"untied": untied, "tied": tied}


@pytest.mark.parametrize("tie", [False, True])
def test_output_rows_equal_the_output_layers_columns(tie):
    keras.utils.set_random_seed(5)
    backbone = T5EncoderDecoder(T5Config.named("tiny", vocab_size=50, tie_word_embeddings=tie))
    ones = np.ones((1, 2), np.int32)
    backbone({"encoder_input_tokens": ones, "decoder_input_tokens": ones})  # builds the weights
    hidden = np.random.default_rng(0).normal(size=(3, backbone.config.d_model)).astype("float32")
    ids = np.array([0, 1, 7, 30, 49], np.int32)
    rows = np.asarray(backbone.output_rows(ids))
    full = np.asarray(backbone.project_to_vocab(tf.constant(hidden)))
    np.testing.assert_allclose(hidden @ rows.T, full[:, ids], rtol=1e-5, atol=1e-5)


def test_shortlist_keeps_specials_and_position_tokens():
    config = _model(3).config
    ids = shortlist_ids([36, 34, 36], config)
    assert ids.tolist() == list(range(FIRST_POSITION + RANDOM_POSITIONS)) + [34, 36]
    with pytest.raises(ValueError, match="outside the vocabulary of 40"):
        shortlist_ids([40], config)


def test_bad_lists_are_refused(models):
    model = models["untied"]
    for ids, message in [([], "non-empty"), ([3, 3], "without repeats"),
                         ([1, 99], "outside the vocabulary")]:
        with pytest.raises(ValueError, match=message):
            insertion_vocabulary(model, ids)


def test_every_id_listed_decodes_as_the_whole_output_layer(models, random_inputs):
    model = models["tied"]  # the position options' path; the rows of both kinds are tested above
    everything = insertion_vocabulary(model, np.arange(RANDOM_VOCAB))
    tokens = tf.constant(random_inputs)
    full = edit_step(model, tokens, INSERT)
    listed = edit_step(model, tokens, INSERT, insertion_vocabulary=everything)
    for a, b in zip(full, listed, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_unlisted_ids_are_never_emitted(models, random_inputs):
    model = models["untied"]
    tokens = tf.constant(random_inputs)
    # Forced lengths make every row insert INSERT - 1 ids, so the restriction is exercised.
    lengths = tf.constant(np.full(BATCH, INSERT, np.int32))
    full = forced_edit_step(model, tokens, lengths, INSERT).insertion_tokens.numpy()
    words, counts = np.unique(full[np.isin(full, list(WORDS))], return_counts=True)
    assert words.size  # the unrestricted decoder emits words here
    unlisted = int(words[np.argmax(counts)])  # its favourite word, then taken off the list
    allowed = shortlist_ids([w for w in WORDS if w != unlisted], model.config)
    vocabulary = insertion_vocabulary(model, allowed)
    listed = forced_edit_step(model, tokens, lengths, INSERT,
                              insertion_vocabulary=vocabulary).insertion_tokens.numpy()
    assert np.isin(listed, allowed).all() and not (listed == unlisted).any()
    assert (listed != full).any()
    unforced = edit_step(model, tokens, INSERT, insertion_vocabulary=vocabulary)
    assert np.isin(unforced.insertion_tokens.numpy(), allowed).all()


def test_the_output_layer_made_once_decodes_as_the_per_call_one(models, random_inputs):
    model = models["untied"]
    whole = whole_output_layer(model)
    assert whole.index is None and tuple(whole.rows.shape) == (RANDOM_VOCAB,
                                                                model.config.t5.d_model)
    tokens = tf.constant(random_inputs)
    lengths = tf.constant(np.full(BATCH, INSERT, np.int32))  # every row inserts INSERT - 1 ids
    for step, extra in [(edit_step, ()), (forced_edit_step, (lengths,))]:
        per_call = step(model, tokens, *extra, INSERT)
        made_once = step(model, tokens, *extra, INSERT, insertion_vocabulary=whole)
        for a, b in zip(per_call, made_once, strict=True):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    # A tied model reads its embedding, which needs no transpose.
    assert whole_output_layer(models["tied"]) is None
