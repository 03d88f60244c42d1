"""An EdiT5 model as a TensorFlow SavedModel for serving: strings in, strings out.

    export_edit_model(run.model, "workdir/runs/edit5_gec/vocab/textedit.model", "export/edit5",
                      max_input_length=128, max_insert_length=64, metadata={"step": run.step})
    loaded, settings = load_edit_export("export/edit5")      # imports tensorflow_text first
    loaded.signatures["serving_default"](text=tf.constant(["She go to school ."]))["outputs"]
    loaded.signatures["edit_ids"](encoder_input_tokens=ids)   # ids int32 [b, max_input_length]
    loaded.signatures["serving_default"](text=texts, image=pixels)  # a tower run: uint8 [b, H, W]

Signatures (the batch dimension is dynamic; L = max_input_length, T = max_insert_length; H x W =
the image tower's image size, for a model with one):

    serving_default (edit_text)   text string [b] (+ image uint8 [b, H, W] with a tower)
                                  -> {"outputs": string [b]}
    edit_ids                      encoder_input_tokens int32 [b, L] (+ encoder_image float32
                                  [b, H, W] with a tower) -> {"tags", "pointers",
                                  "order": int32 [b, L], "insertion_tokens": int32 [b, T]}

A model with an image tower (`Edit5Config.image_tower`, e.g. gin/experiments/
edit5_ocr_correct_image.gin) cannot run without its line image, so both signatures then take one
per row, as textedit.inference.seq2seq_export's do (its docstring says why there is no text-only
signature): `edit_text` takes the uint8 pixels (a decoded PNG as is, ink 255 on background 0) and
scales them by 1/255 to float32 in the graph, the conversion the task and `line_images.
line_image_pixels` use; `edit_ids` takes the float image as the feature converter's
"encoder_image" is. The image goes to `edit_loop(..., image=...)`: the encoder reads it with the
text and the insertion decoder attends to its states. Rows that are not edited (empty, too long)
still need an image (any; it is not used for their output). A text-only model keeps exactly the
text-only signatures.

`edit_text` tokenises inside the graph with the run's SentencePiece model (tensorflow_text; the
same ids as the run's seqio vocabulary, sentinel pieces included), appends EOS and pads to L, runs
`edit_loop` (encoder, tags, pointer, order, insertion decoding), realises with `realise_tf.
realise_tokens` and detokenises (ids at or above the SentencePiece size - sentinels - read as
<unk>, as `seqio.SentencePieceVocabulary.decode` reads them). Rules for inputs the model does not
edit, the same as `textedit.inference.editor.Editor`:
- an empty or all-whitespace input gives "" (whitespace as Python's `str.strip` knows it, so
  also U+00A0, U+3000 and friends, which SentencePiece would keep as pieces);
- an input of more than L - 1 pieces (EOS takes the last position) is passed through unchanged,
  whitespace-normalised (`vocabulary.normalize_text`): cutting it to L - 1 pieces
  would make the model delete or rewrite the lost tail, so it is never truncated.
Both signatures run `edit_loop` with the word guards (textedit.decoding.word_guards) unless
exported with `word_guards=False`: the vocabulary's `word_start_table` is a constant of the graph
and `word_start` is gathered from the ids in-graph (`edit_ids` too); `delete_threshold` is baked
in as well. Both are recorded in textedit_export.json.
`edit_ids` is the model alone on the feature converter's rows (pieces, EOS, padding 0), for
clients that tokenise and realise in Python (`edit_inference.realise_batch`, with the ids and
ranges of `textedit_export.json`).

XLA: `edit_loop` and the realisation are each a `tf.function(jit_compile=True)` that the
signatures call; the flag is saved with the graph, so the reloaded SavedModel compiles them on CPU
too (tested), once per new batch size (pad requests to a few batch sizes to bound the
compilations). Tokenisation and detokenisation stay outside XLA (tensorflow_text kernels have no
XLA form).

Loading: the graph holds tensorflow_text's SentencePiece ops, which are registered only once
`tensorflow_text` is imported; `tf.saved_model.load` in a process that has not imported it fails
with "Op type not registered 'SentencepieceTokenizeOp'" - even for the edit_ids signature alone.
`load_edit_export` does the import. Serving binaries need the TF Text ops linked in.

Export directory:

    saved_model.pb, variables/        the model's weights and both signatures
    assets/textedit.model             the SentencePiece model (a tracked asset: the directory
                                      can be moved; the graph's tokenizer holds its own copy)
    textedit_export.json              first_position_id, num_position_tokens, eos_id, pad_id,
                                      unk_id, max_input_length, max_insert_length, vocabulary
                                      ("assets/textedit.model"), num_sentinels, word_guards,
                                      delete_threshold, model ("edit5"), image_shape
                                      ([H, W] with a tower, else null: what `Editor.load` reads
                                      to pass images), sentencepiece_size, signatures,
                                      metadata (e.g. run, step)
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import tensorflow as tf

from textedit.decoding.edit_inference import EditOutputs, edit_loop
from textedit.decoding.insertion_vocabulary import InsertionVocabulary, whole_output_layer
from textedit.decoding.word_guards import (
    DEFAULT_DELETE_THRESHOLD,
    delete_log_odds_threshold,
    gather_word_starts,
)
from textedit.inference.realise_tf import realise_tokens
from textedit.runs.run_settings import DEFAULT_INPUT_LENGTH, DEFAULT_INSERT_LENGTH

EXPORT_METADATA = "textedit_export.json"
VOCABULARY_ASSET = "textedit.model"
_SPACES = r"[ \t\n\r\f\v]+"  # textedit.data.vocab.vocabulary.normalize_text's whitespace
# What Python's str.isspace accepts (Unicode Z categories, plus the bidi B/S/WS controls), so
# that "all whitespace" means what `not text.strip()` means in textedit.inference.editor.
_ALL_WHITESPACE = r"[\t\n\x0b\x0c\r\x1c-\x1f\x85\p{Z}]*"


def normalize_text_tf(text):
    """`normalize_text` in graph ops: string [b] -> string [b], whitespace runs collapsed to one
    space, leading and trailing spaces removed."""
    collapsed = tf.strings.regex_replace(text, _SPACES, " ")
    return tf.strings.regex_replace(collapsed, "^ | $", "")


def signature_functions(ids_fn, text_fn, max_input_length: int, image_shape=None):
    """The two signature functions of an export, traced with their input signatures.

    `ids_fn(encoder_input_tokens int32 [b, L], encoder_image)` and `text_fn(text string [b],
    image)`; with `image_shape` (H, W) their second inputs are encoder_image float32 [b, H, W]
    and image uint8 [b, H, W], otherwise the signatures take the first input only and the
    functions get None. Returns (ids tf.function, text tf.function).
    """
    token_spec = tf.TensorSpec([None, max_input_length], tf.int32, name="encoder_input_tokens")
    text_spec = tf.TensorSpec([None], tf.string, name="text")
    if image_shape is None:
        return (tf.function(lambda encoder_input_tokens: ids_fn(encoder_input_tokens, None),
                            input_signature=[token_spec]),
                tf.function(lambda text: text_fn(text, None), input_signature=[text_spec]))
    return (tf.function(ids_fn, input_signature=[
                token_spec, tf.TensorSpec([None, *image_shape], tf.float32,
                                          name="encoder_image")]),
            tf.function(text_fn, input_signature=[
                text_spec, tf.TensorSpec([None, *image_shape], tf.uint8, name="image")]))


def signature_inputs(max_input_length: int, image_shape=None) -> tuple[dict, dict]:
    """The inputs of `signature_functions`' text and ids signatures, described for the export's
    metadata: ({"text": ..., "image": ...}, {"encoder_input_tokens": ..., "encoder_image": ...})."""
    text_inputs = {"text": "string [batch]"}
    id_inputs = {"encoder_input_tokens": f"int32 [batch, {max_input_length}]"}
    if image_shape is not None:
        text_inputs["image"] = f"uint8 [batch, {image_shape[0]}, {image_shape[1]}]"
        id_inputs["encoder_image"] = f"float32 [batch, {image_shape[0]}, {image_shape[1]}]"
    return text_inputs, id_inputs


class EditExportModule(tf.Module):
    """What `export_edit_model` saves: the model's variables, the tokenizer, the vocabulary asset
    and the two signature functions (module docstring)."""

    def __init__(self, model, sp_model: bytes, vocabulary_file: str, *, max_input_length: int,
                 max_insert_length: int, sentencepiece_size: int, unk_id: int,
                 word_start_table=None, delete_threshold: float = DEFAULT_DELETE_THRESHOLD):
        import tensorflow_text as tf_text

        super().__init__(name="edit5_export")
        config = model.config
        self.settings = dict(
            first_position_id=config.first_position_id,
            num_position_tokens=config.num_position_tokens, eos_id=config.t5.eos_id,
            pad_id=config.t5.pad_id)
        self.max_input_length, self.max_insert_length = max_input_length, max_insert_length
        self.sentencepiece_size, self.unk_id = sentencepiece_size, unk_id
        tower = getattr(config, "image_tower", None)
        self.image_shape = None if tower is None else (tower.image_height, tower.image_width)
        # The variables are tracked as a list, not through the Keras model (as keras'
        # ExportArchive does): the SavedModel holds the weights and the traced graphs only.
        self.model_variables = list(model.variables)
        self.tokenizer = tf_text.SentencepieceTokenizer(model=sp_model)
        self.vocabulary = tf.saved_model.Asset(vocabulary_file)

        # The word guards' table is baked into the graph as a constant; word_start is gathered
        # from it in-graph for both signatures (textedit.decoding.word_guards).
        table = None if word_start_table is None else np.asarray(word_start_table, dtype=bool)
        # The output layer transposed once, at export, and saved as a variable of its own (as
        # many bytes again as the layer): a call then does not transpose it again
        # (docs/algorithms.md#precomputed-output-layer). None for a tied model.
        whole = whole_output_layer(model)
        self.output_layer = None if whole is None else tf.Variable(
            whole.rows, trainable=False, name="output_layer_by_vocab")

        def edit(tokens, images=None):
            # `image` is left out without a tower, so text-only graphs stay as they were.
            extra = {} if images is None else {"image": images}
            if self.output_layer is not None:
                extra["insertion_vocabulary"] = InsertionVocabulary(self.output_layer, None)
            if table is None:
                return edit_loop(model, tokens, max_insert_length,
                                 delete_threshold=delete_threshold, **extra)
            table_tensor = tf.constant(table)
            return edit_loop(model, tokens, max_insert_length,
                             word_start=gather_word_starts(tokens, table_tensor),
                             delete_threshold=delete_threshold, word_start_table=table_tensor,
                             **extra)

        def realise(tokens, tags, order, insertion_tokens):
            return realise_tokens(tokens, tags, order, insertion_tokens, **self.settings)

        # A closure, not a method: tf.Module would otherwise try to track the Keras model. Both
        # signatures call the one `_edit`: traced once, and one XLA compilation per batch size
        # serves both.
        self._edit = tf.function(edit, jit_compile=True)
        self._realise = tf.function(realise, jit_compile=True)
        self.edit_ids, self.edit_text = signature_functions(
            self._edit_ids, self._edit_text, max_input_length, self.image_shape)

    def _edit_ids(self, encoder_input_tokens, encoder_image):
        """int32 [b, L] (+ float32 [b, H, W]) -> EditOutputs as a dict of int32 [b, L] x 3 and
        [b, T]."""
        outputs: EditOutputs = self._edit(encoder_input_tokens, encoder_image)
        return {name: tf.identity(value, name=name) for name, value in outputs._asdict().items()}

    def _edit_text(self, text, image):
        """string [b] (+ uint8 [b, H, W]) -> {"outputs": string [b]} (module docstring)."""
        length, pad_id, eos_id = self.max_input_length, self.settings["pad_id"], \
            self.settings["eos_id"]
        pieces = self.tokenizer.tokenize(text)  # ragged int32 [b, (n)]
        num_pieces = tf.cast(pieces.row_lengths(), tf.int32)
        is_empty = tf.equal(num_pieces, 0) | tf.strings.regex_full_match(text, _ALL_WHITESPACE)
        too_long = num_pieces > length - 1
        edited = tf.logical_not(is_empty | too_long)
        eos = tf.fill([pieces.nrows(), 1], tf.constant(eos_id, tf.int32))
        rows = tf.concat([pieces, tf.RaggedTensor.from_tensor(eos)], axis=1)
        # Too-long rows are cut by to_tensor's shape, then blanked: an all-padding row costs the
        # model nothing meaningful and realises to nothing.
        tokens = rows.to_tensor(default_value=pad_id, shape=[None, length])
        tokens = tf.where(edited[:, None], tokens, pad_id)
        images = None if image is None else tf.cast(image, tf.float32) / 255.0
        outputs = self._edit(tokens, images)
        realised = self._realise(tokens, outputs.tags, outputs.order, outputs.insertion_tokens)
        # seqio's decode reads ids past the SentencePiece pieces (the sentinels) as <unk>.
        ids = tf.where(realised.tokens >= self.sentencepiece_size, self.unk_id, realised.tokens)
        decoded = self.tokenizer.detokenize(tf.RaggedTensor.from_tensor(
            ids, lengths=realised.lengths))
        outputs = tf.where(edited, decoded, tf.where(too_long, normalize_text_tf(text), ""))
        return {"outputs": outputs}

    def signatures(self) -> dict:
        """{"serving_default": edit_text, "edit_ids": edit_ids} as concrete functions."""
        return {"serving_default": self.edit_text.get_concrete_function(),
                "edit_ids": self.edit_ids.get_concrete_function()}


def export_vocabulary(vocab_model_file: str | os.PathLike, num_sentinels: int | None = None
                      ) -> tuple[Path, object]:
    """(the model file's path, its seqio.SentencePieceVocabulary with the sentinels: the model
    proto the export's graph tokenises with, so it tokenises exactly as the training data was)."""
    vocab_model_file = Path(vocab_model_file)
    if not vocab_model_file.is_file():
        raise FileNotFoundError(f"SentencePiece model {vocab_model_file} not found")
    if num_sentinels is None:
        num_sentinels = _num_sentinels(vocab_model_file)
    import seqio

    return vocab_model_file, seqio.SentencePieceVocabulary(str(vocab_model_file),
                                                           extra_ids=num_sentinels)


def _num_sentinels(vocab_model_file: Path) -> int:
    """Sentinels of the vocabulary: its manifest.json (data/vocab/vocabulary.py) if one sits next
    to the model file, else the project's default."""
    from textedit.data.vocab.vocabulary import MANIFEST_FILE, NUM_SENTINELS

    manifest = vocab_model_file.parent / MANIFEST_FILE
    if manifest.exists():
        return int(json.loads(manifest.read_text())["num_sentinels"])
    return NUM_SENTINELS


def export_edit_model(model, vocab_model_file: str | os.PathLike, export_dir: str | os.PathLike,
                      *, max_input_length: int = DEFAULT_INPUT_LENGTH,
                      max_insert_length: int = DEFAULT_INSERT_LENGTH,
                      num_sentinels: int | None = None,
                      metadata: Mapping | None = None, word_guards: bool = True,
                      delete_threshold: float = DEFAULT_DELETE_THRESHOLD) -> dict:
    """Writes `model` (an `Edit5Model`) as a SavedModel to export_dir (module docstring).

    Args:
      model: the trained Edit5Model (weights loaded); with an image tower, both signatures
        also take the line image (module docstring).
      vocab_model_file: its SentencePiece `.model` file (a run's `vocab/textedit.model`).
      export_dir: the SavedModel directory (created; existing files are overwritten).
      max_input_length: L, the static input length of both signatures (pieces + EOS); at most
        the model's `config.max_input_length` (its re-order embedding's rows).
      max_insert_length: T, insertion decoding steps.
      num_sentinels: the seqio vocabulary's extra ids (default: the manifest.json beside
        vocab_model_file, else 100).
      metadata: JSON-serialisable facts to record (e.g. {"run": ..., "step": ...}).
      word_guards: bake the word guards in (the vocabulary's `word_start_table` as a constant;
        textedit.decoding.word_guards), for both signatures. False: piece by piece.
      delete_threshold: delete only above this P(DELETE) (baked in).

    Returns:
      the dict written to export_dir/textedit_export.json.
    """

    from textedit.data.vocab.vocabulary import word_start_table

    config = model.config
    if not hasattr(config, "num_position_tokens"):
        raise ValueError(f"export_edit_model needs an Edit5Model, got {type(model).__name__}")
    if max_input_length < 2:
        raise ValueError(f"max_input_length={max_input_length}: expected >= 2 (a piece and EOS)")
    if max_input_length > config.max_input_length:
        raise ValueError(f"max_input_length={max_input_length} exceeds the model's "
                         f"max_input_length={config.max_input_length} (its re-order embedding)")
    if max_insert_length < 1:
        raise ValueError(f"max_insert_length={max_insert_length}: expected >= 1")
    delete_log_odds_threshold(delete_threshold)  # validates
    vocab_model_file, vocabulary = export_vocabulary(vocab_model_file, num_sentinels)
    num_sentinels = vocabulary.extra_ids  # the manifest's when not given: the metadata says so
    export_dir = Path(export_dir)
    with tempfile.TemporaryDirectory() as tmp:
        # The asset keeps its file name inside assets/: copy it to the name the JSON promises.
        asset = Path(tmp) / VOCABULARY_ASSET
        shutil.copyfile(vocab_model_file, asset)
        module = EditExportModule(
            model, vocabulary.sp_model, str(asset), max_input_length=max_input_length,
            max_insert_length=max_insert_length,
            sentencepiece_size=vocabulary.tokenizer.GetPieceSize(), unk_id=vocabulary.unk_id,
            word_start_table=word_start_table(vocabulary) if word_guards else None,
            delete_threshold=float(delete_threshold))
        tf.saved_model.save(module, str(export_dir), signatures=module.signatures())
    image_shape = module.image_shape
    text_inputs, id_inputs = signature_inputs(max_input_length, image_shape)
    written = {
        "model": "edit5",
        "image_shape": None if image_shape is None else list(image_shape),
        **module.settings,
        "unk_id": vocabulary.unk_id,
        "max_input_length": max_input_length,
        "max_insert_length": max_insert_length,
        "vocabulary": f"assets/{VOCABULARY_ASSET}",
        "num_sentinels": num_sentinels,
        "word_guards": bool(word_guards),
        "delete_threshold": float(delete_threshold),
        "sentencepiece_size": vocabulary.tokenizer.GetPieceSize(),
        "signatures": {
            "serving_default": {"inputs": text_inputs,
                                "outputs": {"outputs": "string [batch]"}},
            "edit_ids": {
                "inputs": id_inputs,
                "outputs": {"tags": f"int32 [batch, {max_input_length}]",
                            "pointers": f"int32 [batch, {max_input_length}]",
                            "order": f"int32 [batch, {max_input_length}]",
                            "insertion_tokens": f"int32 [batch, {max_insert_length}]"}},
        },
        "metadata": dict(metadata or {}),
    }
    (export_dir / EXPORT_METADATA).write_text(json.dumps(written, indent=2) + "\n")
    return written


def load_edit_export(export_dir: str | os.PathLike):
    """(the loaded SavedModel, its textedit_export.json as a dict). Imports tensorflow_text
    first, which registers the SentencePiece ops the graph uses (module docstring)."""
    import tensorflow_text  # noqa: F401  (registers SentencepieceTokenizeOp and friends)

    export_dir = Path(export_dir)
    path = export_dir / EXPORT_METADATA
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: {export_dir} is not an export written by "
                                "`textedit export`")
    return tf.saved_model.load(str(export_dir)), json.loads(path.read_text())
