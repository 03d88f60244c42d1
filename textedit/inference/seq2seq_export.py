"""A seq2seq T5 run (with or without an image tower) as a SavedModel: text (and image) in, text out.

    export_seq2seq_model(run.model, "workdir/runs/ocr/vocab/textedit.model", "export/ocr",
                         max_input_length=64, max_decode_length=64, metadata={"step": run.step})
    loaded, settings = load_edit_export("export/ocr")      # imports tensorflow_text first
    loaded.signatures["serving_default"](text=tf.constant(["The rnodern office ."]),
                                         image=tf.constant(pixels_uint8))["outputs"]

Signatures (dynamic batch b; L = max_input_length, D = max_decode_length, H x W = the tower's
image size):

    serving_default   text string [b] (+ image uint8 [b, H, W] with a tower)
                      -> {"outputs": string [b]}
    decode_ids        encoder_input_tokens int32 [b, L] (+ encoder_image float32 [b, H, W])
                      -> {"tokens": int32 [b, D]} (greedy; EOS, then padding 0)

Why the default signature takes both text and image, rather than a text-only default plus a
second `serving_image` one: the tower's encoder cannot run without an image, so a text-only
signature of a tower export could only fail or run on a made-up (blank) image, which the model
never saw in training. With one signature a client cannot forget the image, and a text-only
export keeps exactly the text-only signature. The image is taken as uint8 pixels (a decoded PNG
as is) and scaled in the graph by 1/255 to float32, the one conversion the task and
`line_images.line_image_pixels` use, so serving cannot drift from training. `decode_ids` is the
model alone on the feature converter's rows, whose "encoder_image" is already float.

`serving_default` tokenises with the run's SentencePiece model (tensorflow_text), appends EOS and
pads to L, decodes greedily (one `tf.function(jit_compile=True)`, compiled once per batch size),
cuts each row at its first EOS, reads ids at or above the SentencePiece size as <unk> (as seqio's
decode does), detokenises and normalises whitespace. Inputs it does not decode follow the Editor:
an empty / all-whitespace text gives "", one of more than L - 1 pieces comes back unchanged
(whitespace-normalised), never truncated. Its image is still required (one per row).

The export directory is laid out as edit_export's (saved_model.pb, variables/,
assets/textedit.model, textedit_export.json); textedit_export.json has "model": "seq2seq" and
"image_shape" ([H, W] or null), which `Editor.load` reads to build a Seq2SeqEditor on
`decode_ids`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import tensorflow as tf
from keras import ops

from textedit.decoding.greedy import greedy_loop
from textedit.inference.edit_export import (
    _ALL_WHITESPACE,
    EXPORT_METADATA,
    VOCABULARY_ASSET,
    export_vocabulary,
    normalize_text_tf,
    signature_functions,
    signature_inputs,
)
from textedit.inference.seq2seq_editor import is_seq2seq_model, model_image_shape
from textedit.runs.run_settings import DEFAULT_DECODE_LENGTH, DEFAULT_INPUT_LENGTH


class Seq2SeqExportModule(tf.Module):
    """What `export_seq2seq_model` saves: the variables, the tokenizer, the vocabulary asset and
    the two signature functions (module docstring)."""

    def __init__(self, model, sp_model: bytes, vocabulary_file: str, *, max_input_length: int,
                 max_decode_length: int, sentencepiece_size: int, unk_id: int):
        import tensorflow_text as tf_text

        super().__init__(name="seq2seq_export")
        config = model.config
        self.eos_id, self.pad_id, self.unk_id = config.eos_id, config.pad_id, unk_id
        self.max_input_length, self.max_decode_length = max_input_length, max_decode_length
        self.sentencepiece_size = sentencepiece_size
        self.image_shape = model_image_shape(model)
        # Variables as a list, not through the Keras model (as in edit_export).
        self.model_variables = list(model.variables)
        self.tokenizer = tf_text.SentencepieceTokenizer(model=sp_model)
        self.vocabulary = tf.saved_model.Asset(vocabulary_file)
        # The output layer transposed once, at export (as edit_export does; None when tied).
        layer = model.output_layer_by_vocab()
        self.output_layer = None if layer is None else tf.Variable(
            layer, trainable=False, name="output_layer_by_vocab")

        def decode(tokens, images):
            if images is None:
                hidden, mask = model.encode(tokens)
            else:
                hidden, mask = model.encode(tokens, image=images)
            # ops.shape: a tensor for the signatures' dynamic batch (as edit_inference does).
            rows = ops.shape(tokens)[0]
            cache = model.init_cache(rows, max_decode_length, hidden, mask,
                                     output_layer=self.output_layer)
            return greedy_loop(model.decode_step, cache, rows, max_decode_length,
                               eos_id=config.eos_id, pad_id=config.pad_id,
                               start_id=config.decoder_start_id)

        # A closure, not a method, so tf.Module does not track the Keras model; both signatures
        # call this one function.
        self._decode = tf.function(decode, jit_compile=True)
        self.decode_ids, self.decode_text = signature_functions(
            self._decode_ids, self._decode_text, max_input_length, self.image_shape)

    def _decode_ids(self, encoder_input_tokens, encoder_image):
        """int32 [b, L] (+ float32 [b, H, W]) -> {"tokens": int32 [b, D]}."""
        return {"tokens": tf.identity(self._decode(encoder_input_tokens, encoder_image),
                                      name="tokens")}

    def _decode_text(self, text, image):
        """string [b] (+ uint8 [b, H, W]) -> {"outputs": string [b]} (module docstring)."""
        length = self.max_input_length
        pieces = self.tokenizer.tokenize(text)  # ragged int32 [b, (n)]
        num_pieces = tf.cast(pieces.row_lengths(), tf.int32)
        is_empty = tf.equal(num_pieces, 0) | tf.strings.regex_full_match(text, _ALL_WHITESPACE)
        too_long = num_pieces > length - 1
        decoded_rows = tf.logical_not(is_empty | too_long)
        eos = tf.fill([pieces.nrows(), 1], tf.constant(self.eos_id, tf.int32))
        rows = tf.concat([pieces, tf.RaggedTensor.from_tensor(eos)], axis=1)
        tokens = rows.to_tensor(default_value=self.pad_id, shape=[None, length])
        # Rows that are not decoded become a lone EOS (the Editor's filler row): a valid input.
        filler = tf.concat([tf.fill([1], self.eos_id), tf.fill([length - 1], self.pad_id)], 0)
        tokens = tf.where(decoded_rows[:, None], tokens, filler[None, :])
        images = None if image is None else tf.cast(image, tf.float32) / 255.0
        generated = self._decode(tokens, images)  # int32 [b, D]
        is_eos = tf.equal(generated, self.eos_id)
        lengths = tf.where(tf.reduce_any(is_eos, axis=1),
                           tf.argmax(tf.cast(is_eos, tf.int32), axis=1, output_type=tf.int32),
                           self.max_decode_length)
        ids = tf.where(generated >= self.sentencepiece_size, self.unk_id, generated)
        text_out = normalize_text_tf(self.tokenizer.detokenize(
            tf.RaggedTensor.from_tensor(ids, lengths=lengths)))
        outputs = tf.where(decoded_rows, text_out,
                           tf.where(too_long, normalize_text_tf(text), ""))
        return {"outputs": outputs}

    def signatures(self) -> dict:
        """{"serving_default": decode_text, "decode_ids": decode_ids} as concrete functions."""
        return {"serving_default": self.decode_text.get_concrete_function(),
                "decode_ids": self.decode_ids.get_concrete_function()}


def export_seq2seq_model(model, vocab_model_file: str | os.PathLike,
                         export_dir: str | os.PathLike, *,
                         max_input_length: int = DEFAULT_INPUT_LENGTH,
                         max_decode_length: int = DEFAULT_DECODE_LENGTH,
                         num_sentinels: int | None = None,
                         metadata: Mapping | None = None) -> dict:
    """Writes `model` (T5EncoderDecoder or T5WithImageTower, weights loaded) as a SavedModel to
    export_dir (module docstring); returns what it writes to textedit_export.json.

    max_input_length: L, the static input length (pieces + EOS); max_decode_length: D, the
    greedy decoding steps; num_sentinels: the seqio vocabulary's extra ids (default: the
    manifest.json beside vocab_model_file, else 100); metadata: e.g. {"run": ..., "step": ...}.
    """

    if not is_seq2seq_model(model):
        raise ValueError(f"export_seq2seq_model needs a T5EncoderDecoder or T5WithImageTower, "
                         f"got {type(model).__name__}")
    if max_input_length < 2:
        raise ValueError(f"max_input_length={max_input_length}: expected >= 2 (a piece and EOS)")
    if max_decode_length < 1:
        raise ValueError(f"max_decode_length={max_decode_length}: expected >= 1")
    vocab_model_file, vocabulary = export_vocabulary(vocab_model_file, num_sentinels)
    num_sentinels = vocabulary.extra_ids  # the manifest's when not given: the metadata says so
    export_dir = Path(export_dir)
    size = vocabulary.tokenizer.GetPieceSize()
    with tempfile.TemporaryDirectory() as tmp:
        asset = Path(tmp) / VOCABULARY_ASSET
        shutil.copyfile(vocab_model_file, asset)
        module = Seq2SeqExportModule(
            model, vocabulary.sp_model, str(asset), max_input_length=max_input_length,
            max_decode_length=max_decode_length, sentencepiece_size=size,
            unk_id=vocabulary.unk_id)
        tf.saved_model.save(module, str(export_dir), signatures=module.signatures())
    image_shape = module.image_shape
    text_inputs, id_inputs = signature_inputs(max_input_length, image_shape)
    written = {
        "model": "seq2seq",
        "image_shape": None if image_shape is None else list(image_shape),
        "eos_id": module.eos_id,
        "pad_id": module.pad_id,
        "unk_id": vocabulary.unk_id,
        "max_input_length": max_input_length,
        "max_decode_length": max_decode_length,
        "vocabulary": f"assets/{VOCABULARY_ASSET}",
        "num_sentinels": num_sentinels,
        "sentencepiece_size": size,
        "signatures": {
            "serving_default": {"inputs": text_inputs, "outputs": {"outputs": "string [batch]"}},
            "decode_ids": {"inputs": id_inputs,
                           "outputs": {"tokens": f"int32 [batch, {max_decode_length}]"}},
        },
        "metadata": dict(metadata or {}),
    }
    (export_dir / EXPORT_METADATA).write_text(json.dumps(written, indent=2) + "\n")
    return written
