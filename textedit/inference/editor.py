"""`Editor`: text in, edited text out, with a trained EdiT5 model - the API under `textedit edit`.

    from textedit.inference.editor import Editor

    editor = Editor.load("workdir/runs/edit5_gec")   # a run directory (latest checkpoint), a
                                                     # ckpt-N prefix, or an exported SavedModel
    editor.edit(["She go to school yesterday ."])        # -> ["She went to school yesterday ."]
    results = editor.edit(texts, explain=True)           # -> [EditResult]
    print(results[0].explanation())                      # kept / deleted pieces, order, insertions

Pipeline per call: tokenise (SentencePiece, in Python) -> EOS -> group the inputs by length bucket
-> one compiled `edit_step` per (batch, bucket) shape (encode, tag, point, order, insertion
decoding; textedit.decoding.edit_inference) -> `realise_batch` -> detokenise. Batches always have
`batch_size` rows (the last one of a bucket padded with empty rows) so each bucket compiles once.

Word guards (on by default; `word_guards=False` turns them off): the compiled step decides
KEEP/DELETE per word, keeps each kept word's pieces together and in order, inserts only between
words and starts every insertion with a word-initial piece (textedit.decoding.word_guards);
`delete_threshold` (default 0.5) deletes only above that P(DELETE).

Rules for inputs that the model does not edit (their `status` says which):
- "empty": an empty or all-whitespace input gives "" (nothing to edit; no model call);
- "too_long": an input of more than `max_input_length - 1` pieces (EOS takes the last position)
  is returned unchanged, whitespace-normalised. Truncating it would make the model delete the
  cut-off tail, so it is passed through instead, and counted (`EditStats.too_long`).
Outputs are whitespace-normalised like every decoded text (textedit.data.vocab.vocabulary).

Seq2seq runs (T5EncoderDecoder, or T5WithImageTower reading a line image per text): `Editor.load`
returns a `Seq2SeqEditor` (textedit/inference/seq2seq_editor.py) with the same `edit` API, plus
`images=` for a run with an image tower. An EdiT5 run with an image tower
(gin/experiments/edit5_ocr_correct_image.gin) takes `images=` too, one line image per text (a
file path or a uint8 [H, W] array, scaled by 1/255 as the task does; filler rows of a batch get
an all-zero image); a text-only EdiT5 run refuses them. The SavedModel of an EdiT5 tower run
(`textedit export`; its textedit_export.json records the image shape) takes `images=` the same
way and gives the run's outputs: they go to its `edit_ids` signature as float32 [b, H, W]
(textedit.inference.edit_export).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from textedit.decoding.edit_inference import realise_batch
from textedit.decoding.word_guards import DEFAULT_DELETE_THRESHOLD
from textedit.edits.edit_plan import EditPlan
from textedit.edits.edit_stats import format_alignment
from textedit.runs.run_settings import DEFAULT_INPUT_LENGTH, DEFAULT_INSERT_LENGTH

if TYPE_CHECKING:
    from textedit.inference.seq2seq_editor import Seq2SeqEditor

DEFAULT_BUCKETS = (16, 32, 64, 128)


@dataclasses.dataclass(frozen=True)
class EditResult:
    """One input's edit.

    Attributes:
      source: the input text as given.
      output: the edited text.
      status: "edited" (went through the model; the output may equal the input), "empty" or
        "too_long" (module docstring).
      pieces: the input's SentencePiece pieces (no EOS); empty unless edited.
      plan: the predicted EditPlan over `pieces` (tags, order, insertions as piece strings).
      constraints: with MuCoCO decoding (a seq2seq editor given constraints), the output's
        constraint record: {"satisfied", "initial_satisfied", "nll", "values", "epsilons"}
        (textedit/decoding/mucoco_decode_fn.py); else None.
    """

    source: str
    output: str
    status: str
    pieces: tuple[str, ...] = ()
    plan: EditPlan | None = None
    constraints: dict | None = None

    def explanation(self) -> str:
        """Kept and deleted pieces, the new order and the insertions (wdiff style; `format_
        alignment`), or one line saying why the model did not run."""
        if self.plan is None and self.status == "edited":  # a seq2seq output: no plan
            if self.constraints is not None:
                bounds = self.constraints["epsilons"]
                values = ", ".join(f"{name} {value:g} (bound {bounds[name]:g})"
                                   for name, value in self.constraints["values"].items())
                state = "satisfied" if self.constraints["satisfied"] else "NOT satisfied"
                return f"output  {self.output}\nconstraints  {state}: {values}"
            return f"output  {self.output}"
        if self.plan is None:
            reason = {"empty": "empty input: passed through",
                      "too_long": "longer than the model's input length: passed through "
                                  "unchanged"}[self.status]
            return f"({reason})"
        plan = dataclasses.replace(self.plan, insertions=tuple(
            (k, tuple(map(_display_piece, span))) for k, span in self.plan.insertions))
        return format_alignment([_display_piece(p) for p in self.pieces], plan)

    def to_json(self) -> dict:
        """The explanation as data: tags, order (piece indices) and insertions per input."""
        if self.plan is None:
            return {"status": self.status}  # a constraint record goes beside it (edit tool)
        return {"status": self.status, "pieces": list(self.pieces),
                "tags": list(self.plan.tags), "order": list(self.plan.order()),
                "insertions": [[k, list(span)] for k, span in self.plan.insertions]}


@dataclasses.dataclass
class EditStats:
    """Counts of the inputs of one `edit` call by status."""

    edited: int = 0
    empty: int = 0
    too_long: int = 0


class _KerasBackend:
    """An Edit5Model in this process (checkpoint weights): any bucket length."""

    def __init__(self, model, max_insert_length: int, word_start_table=None,
                 delete_threshold: float = DEFAULT_DELETE_THRESHOLD, insert_bias: float = 0.0):
        self.model = model
        tower = getattr(model.config, "image_tower", None)
        self.image_shape = None if tower is None else (tower.image_height, tower.image_width)
        self.max_insert_length = max_insert_length
        self.fixed_length = None
        self.word_start_table = word_start_table
        self.word_guards = word_start_table is not None
        self.delete_threshold = delete_threshold
        self.insert_bias = float(insert_bias)
        from textedit.decoding.insertion_vocabulary import whole_output_layer

        # The weights do not change: the output layer is transposed once here, not in every
        # call (None for a tied model); Editor.set_insertion_vocabulary replaces it by a list.
        self.insertion_vocabulary = whole_output_layer(model)

    def set_insertion_vocabulary(self, ids) -> int:
        """Rows of these ids taken once (an Editor's weights do not change); their count."""
        from textedit.decoding.insertion_vocabulary import insertion_vocabulary, shortlist_ids

        self.insertion_vocabulary = insertion_vocabulary(
            self.model, shortlist_ids(ids, self.model.config))
        return int(self.insertion_vocabulary.rows.shape[0])

    def __call__(self, tokens: np.ndarray, images: np.ndarray | None = None):
        import tensorflow as tf

        from textedit.decoding.edit_inference import edit_step, guard_arguments

        # word_start is looked up here in numpy; the compiled step gets it as a tensor.
        arguments = guard_arguments(tokens, self.word_start_table, self.delete_threshold,
                                    insert_bias=self.insert_bias)
        if images is not None:
            arguments["image"] = tf.constant(images, tf.float32)
        if self.insertion_vocabulary is not None:
            arguments["insertion_vocabulary"] = self.insertion_vocabulary
        outputs = edit_step(self.model, tf.constant(tokens, tf.int32), self.max_insert_length,
                            **arguments)
        return (outputs.tags.numpy(), outputs.pointers.numpy(),
                outputs.insertion_tokens.numpy())


class _SavedModelBackend:
    """An exported SavedModel's `edit_ids` signature (`textedit export`): one input length."""

    def __init__(self, loaded, metadata: dict):
        self.signature = loaded.signatures["edit_ids"]
        self.fixed_length = int(metadata["max_input_length"])
        # (height, width) of the exported model's image tower (exports without one, and those
        # before tower exports, have none): the signature then takes encoder_image too.
        shape = metadata.get("image_shape")
        self.image_shape = tuple(shape) if shape else None
        # Exports before issue 14 had no guards.
        self.word_guards = bool(metadata.get("word_guards", False))
        self.delete_threshold = float(metadata.get("delete_threshold",
                                                   DEFAULT_DELETE_THRESHOLD))

    def __call__(self, tokens: np.ndarray, images: np.ndarray | None = None):
        import tensorflow as tf

        inputs = {"encoder_input_tokens": tf.constant(tokens, tf.int32)}
        if images is not None:
            inputs["encoder_image"] = tf.constant(images, tf.float32)
        outputs = self.signature(**inputs)
        return (outputs["tags"].numpy(), outputs["pointers"].numpy(),
                outputs["insertion_tokens"].numpy())


def _refuse_edit5_decoding(path, insert_bias, delete_threshold) -> None:
    """A seq2seq run or export has no tagging or insertion step for these settings to move."""
    if insert_bias or delete_threshold is not None:
        raise ValueError(f"{path} holds a seq2seq model: insert_bias and delete_threshold are "
                         "settings of EdiT5's decoding")


def input_buckets(backend, max_input_length: int, batch_size: int, buckets: Sequence[int]
                  ) -> tuple[int, tuple[int, ...]]:
    """Every editor's (input length, sorted buckets): checked, and a backend with one fixed input
    length (a SavedModel) takes that length as its only bucket."""
    if max_input_length < 2:
        raise ValueError(f"max_input_length={max_input_length}: expected >= 2 (a piece and EOS)")
    if batch_size < 1:
        raise ValueError(f"batch_size={batch_size}: expected >= 1")
    if getattr(backend, "fixed_length", None):
        max_input_length = backend.fixed_length
        buckets = (max_input_length,)
    return max_input_length, tuple(sorted({b for b in buckets if b < max_input_length}
                                          | {max_input_length}))


def sort_into_buckets(texts: Sequence[str], vocabulary, max_input_length: int, bucket,
                      stats: EditStats) -> tuple[list, dict[int, list[tuple[int, list[int]]]]]:
    """The module docstring's input rules, shared by every editor: ([EditResult or None] per
    text, filled for empty and too-long inputs and counted in `stats`; {bucket length: [(index,
    ids)]} of the inputs to decode, `bucket(length with EOS)` choosing the length)."""
    from textedit.data.vocab.vocabulary import normalize_text

    results: list[EditResult | None] = [None] * len(texts)
    by_bucket: dict[int, list[tuple[int, list[int]]]] = {}
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"input {index} is a {type(text).__name__}, expected str")
        if not text.strip():
            results[index] = EditResult(text, "", "empty")
            stats.empty += 1
            continue
        ids = list(vocabulary.encode(text))
        if len(ids) + 1 > max_input_length:
            results[index] = EditResult(text, normalize_text(text), "too_long")
            stats.too_long += 1
            continue
        by_bucket.setdefault(bucket(len(ids) + 1), []).append((index, ids))
    return results, by_bucket


class Editor:
    """Edits texts with an EdiT5 model (module docstring)."""

    def __init__(self, backend, vocabulary, *, first_position_id: int, num_position_tokens: int,
                 eos_id: int = 1, pad_id: int = 0,
                 max_input_length: int = DEFAULT_INPUT_LENGTH,
                 batch_size: int = 32, buckets: Sequence[int] = DEFAULT_BUCKETS):
        """Prefer `Editor.load`. `backend(tokens int32 [batch_size, L]) -> (tags [b, L],
        pointers [b, L], insertion_tokens [b, T])` as numpy arrays; `vocabulary` a
        seqio.SentencePieceVocabulary."""
        self.max_input_length, self.buckets = input_buckets(backend, max_input_length,
                                                            batch_size, buckets)
        self.backend = backend
        self.vocabulary = vocabulary
        # What the backend applies (textedit.decoding.word_guards); for reports.
        self.word_guards = bool(getattr(backend, "word_guards", False))
        self.delete_threshold = float(getattr(backend, "delete_threshold",
                                              DEFAULT_DELETE_THRESHOLD))
        self.positions = dict(first_position_id=first_position_id,
                              num_position_tokens=num_position_tokens, eos_id=eos_id,
                              pad_id=pad_id)
        self.eos_id, self.pad_id = eos_id, pad_id
        self.batch_size = batch_size
        self.stats = EditStats()
        # (height, width) of an image tower's input, else None (the backend's model decides).
        shape = getattr(backend, "image_shape", None)
        self.image_shape = None if shape is None else tuple(shape)

    @classmethod
    def load(cls, path: str | os.PathLike, *, max_input_length: int | None = None,
             max_insert_length: int | None = None, batch_size: int = 32,
             buckets: Sequence[int] = DEFAULT_BUCKETS, word_guards: bool | None = None,
             delete_threshold: float | None = None, insert_bias: float | None = None,
             max_decode_length: int | None = None,
             constraints: Sequence[str] = (), classifier: str | None = None
             ) -> Editor | Seq2SeqEditor:
        """An Editor over a run directory (its latest checkpoint), a `<run>/checkpoints/ckpt-N`
        prefix, or a SavedModel written by `textedit export` (whose input length and insertion
        length were fixed at export and override the arguments). Lengths left None come from the
        run's run.json (textedit/runs/run_settings.py), else its defaults.

        word_guards, delete_threshold, insert_bias: see `from_model` (None: True, 0.5 and 0). A
        SavedModel has the first two baked in at export: None takes the export's, a different
        value is an error; it decodes without an insert bias (another one is an error). An insert
        bias or a delete threshold on a seq2seq run or export is an error too (it has neither
        step).

        A seq2seq run or export gives a `Seq2SeqEditor` (module docstring), which decodes up to
        `max_decode_length` pieces (None: the run's decode_length; an export's is fixed).

        constraints: MuCoCO constraint specs (textedit/decoding/constraint_specs.py; classifier:
        the simplicity classifier run for simple:P): the editor decodes with MuCoCO under them
        (gin/runs/mucoco.gin's settings) and every result carries its constraint record. Only a
        text-only seq2seq run directory decodes this way; anything else is a ValueError."""
        path = Path(path)
        if constraints and (path / "saved_model.pb").exists():
            raise ValueError(f"{path} is a SavedModel: constrained (MuCoCO) decoding needs the "
                             "run directory, whose model it differentiates")
        if (path / "saved_model.pb").exists():
            from textedit.inference.edit_export import load_edit_export

            loaded, metadata = load_edit_export(path)
            if metadata.get("model") == "seq2seq":
                from textedit.inference.seq2seq_editor import Seq2SeqEditor

                _refuse_edit5_decoding(path, insert_bias, delete_threshold)
                return Seq2SeqEditor.from_export(path, loaded, metadata,
                                                 _export_vocabulary(path, metadata),
                                                 batch_size=batch_size)
            backend = _SavedModelBackend(loaded, metadata)
            for name, wanted, baked in (("word_guards", word_guards, backend.word_guards),
                                        ("delete_threshold", delete_threshold,
                                         backend.delete_threshold),
                                        ("insert_bias", insert_bias, 0.0)):
                if wanted is not None and wanted != baked:
                    raise ValueError(f"{path} was exported with {name}={baked}; the decoding "
                                     "settings of a SavedModel are fixed at export (asked for "
                                     f"{wanted})")
            editor = cls(backend, _export_vocabulary(path, metadata),
                       first_position_id=metadata["first_position_id"],
                       num_position_tokens=metadata["num_position_tokens"],
                       eos_id=metadata["eos_id"], pad_id=metadata["pad_id"],
                       batch_size=batch_size)
            step = metadata.get("metadata", {}).get("step", "?")
            editor.source = f"SavedModel {path} (step {step})"
            return editor
        from textedit.runs.run_artifacts import RUN_VOCAB_DIR, load_run
        from textedit.runs.run_settings import read_run_settings

        run = load_run(path)
        settings = read_run_settings(run.run_dir)
        max_input_length = max_input_length or settings.input_length
        max_insert_length = max_insert_length or settings.insert_length
        from textedit.inference.seq2seq_editor import Seq2SeqEditor, is_seq2seq_model

        if constraints and not is_seq2seq_model(run.model):
            raise ValueError(f"{path} holds a {type(run.model).__name__}: constrained (MuCoCO) "
                             "decoding works on seq2seq T5 runs (T5EncoderDecoder) only")
        if is_seq2seq_model(run.model):
            _refuse_edit5_decoding(path, insert_bias, delete_threshold)
            editor = Seq2SeqEditor.from_model(
                run.model, run.vocabulary, max_input_length=max_input_length,
                max_decode_length=max_decode_length or settings.decode_length,
                batch_size=batch_size, buckets=buckets, constraints=constraints,
                classifier=classifier, vocab_dir=run.run_dir / RUN_VOCAB_DIR)
            editor.source = f"{run.checkpoint} (step {run.step})"
            return editor
        if not hasattr(getattr(run.model, "config", None), "num_position_tokens"):
            raise ValueError(f"{path} holds a {type(run.model).__name__}, neither an EdiT5 model "
                             "(Edit5Model) nor a seq2seq T5 (T5EncoderDecoder, "
                             "T5WithImageTower)")
        editor = cls.from_model(
            run.model, run.vocabulary, max_input_length=max_input_length,
            max_insert_length=max_insert_length, batch_size=batch_size, buckets=buckets,
            word_guards=True if word_guards is None else word_guards,
            delete_threshold=(DEFAULT_DELETE_THRESHOLD if delete_threshold is None
                              else delete_threshold), insert_bias=insert_bias or 0.0)
        editor.source = f"{run.checkpoint} (step {run.step})"
        return editor

    @classmethod
    def from_model(cls, model, vocabulary, *, max_input_length: int = DEFAULT_INPUT_LENGTH,
                   max_insert_length: int = DEFAULT_INSERT_LENGTH, batch_size: int = 32,
                   buckets: Sequence[int] = DEFAULT_BUCKETS, word_guards: bool = True,
                   delete_threshold: float = DEFAULT_DELETE_THRESHOLD,
                   insert_bias: float = 0.0) -> Editor:
        """An Editor over an in-memory Edit5Model (inputs cut to the model's max_input_length).
        Its output layer is taken once, here: build a new Editor after the weights change.

        word_guards: tag, order and insert by whole words (textedit.decoding.word_guards; the
          word starts come from `word_start_table(vocabulary)`). False: piece by piece.
        delete_threshold: delete a word (piece) only when its P(DELETE) is above this.
        insert_bias: added to every allowed `<pos_k>` logit of the insertion decoder, so it
          inserts more readily (docs/algorithms.md, "Insertion bias"; 0: the argmax).
        """
        from textedit.data.vocab.vocabulary import word_start_table
        from textedit.decoding.word_guards import delete_log_odds_threshold

        delete_log_odds_threshold(delete_threshold)  # validates
        config = model.config
        table = word_start_table(vocabulary) if word_guards else None
        return cls(_KerasBackend(model, max_insert_length, table, delete_threshold, insert_bias),
                   vocabulary,
                   first_position_id=config.first_position_id,
                   num_position_tokens=config.num_position_tokens, eos_id=config.t5.eos_id,
                   pad_id=config.t5.pad_id,
                   max_input_length=min(max_input_length, config.max_input_length),
                   batch_size=batch_size, buckets=buckets)

    source = "an in-memory model"

    def set_insertion_vocabulary(self, ids: Sequence[int]) -> int:
        """Lets the insertion decoder emit only these piece ids (padding, EOS, UNK and `<pos_k>`
        are added); returns how many ids it now scores. Faster steps, the same edits wherever
        the model's choice is listed (docs/algorithms.md#insertion-vocabulary). A model in this
        process only: a SavedModel's output layer is fixed at export (ValueError)."""
        if not hasattr(self.backend, "set_insertion_vocabulary"):
            raise ValueError(f"{self.source}: an insertion vocabulary needs the run directory; "
                             "an export's output layer is fixed")
        return self.backend.set_insertion_vocabulary(ids)

    def bucket(self, length: int) -> int:
        """The smallest bucket holding `length` ids (EOS included)."""
        return next(b for b in self.buckets if b >= length)

    @property
    def takes_images(self) -> bool:
        return self.image_shape is not None

    def edit(self, texts: Sequence[str], explain: bool = False,
             images: Sequence | None = None) -> list[str] | list[EditResult]:
        """Edits `texts`; outputs in input order: strings, or EditResults when `explain`.
        `self.stats` counts this call's inputs by status. `images`: one line image per text
        (file path or uint8 [H, W] array) for a run with an image tower, else None."""
        results = self.edit_results(texts, images=images)
        return results if explain else [r.output for r in results]

    def check_images(self, count: int, images: Sequence | None) -> None:
        """ValueError unless `images` fits the run: one per text with a tower, None without."""
        from textedit.inference.line_images import check_line_images

        check_line_images(count, images, self.image_shape, "this run has no image tower (an "
                          "EdiT5 model reads text only): images=None")

    def edit_results(self, texts: Sequence[str],
                     images: Sequence | None = None) -> list[EditResult]:
        from textedit.inference.line_images import line_image_batch

        self.check_images(len(texts), images)
        # Every image is read and checked first, so a bad one stops the call before any decoding.
        pixels = None if images is None else line_image_batch(images, self.image_shape)
        self.stats = EditStats()
        results, by_bucket = sort_into_buckets(texts, self.vocabulary, self.max_input_length,
                                               self.bucket, self.stats)
        for length, items in sorted(by_bucket.items()):
            for start in range(0, len(items), self.batch_size):
                chunk = items[start:start + self.batch_size]
                for (index, _ids), result in zip(chunk, self._edit_batch(chunk, length, pixels),
                                                strict=True):
                    results[index] = dataclasses.replace(result, source=texts[index])
                self.stats.edited += len(chunk)
        return results  # type: ignore[return-value]

    def _edit_batch(self, chunk: list[tuple[int, list[int]]], length: int,
                    pixels: np.ndarray | None = None) -> list[EditResult]:
        """One padded [batch_size, length] call; results for the chunk's rows. `pixels`
        float32 [n texts, H, W] (tower runs): each row gets its text's image, filler rows zeros."""
        tokens = np.full((self.batch_size, length), self.pad_id, np.int32)
        images = None if pixels is None else np.zeros((self.batch_size, *self.image_shape),
                                                       np.float32)
        for row, (index, ids) in enumerate(chunk):
            tokens[row, :len(ids) + 1] = ids + [self.eos_id]
            if images is not None:
                images[row] = pixels[index]
        # Text-only backends keep their one-argument call (tests pass plain functions).
        outputs = self.backend(tokens) if images is None else self.backend(tokens, images)
        tags, pointers, insertions = outputs
        edits = realise_batch(tokens[:len(chunk)], tags[:len(chunk)], pointers[:len(chunk)],
                              insertions[:len(chunk)], **self.positions)
        tokenizer = self.vocabulary.tokenizer
        size = tokenizer.piece_size()

        def piece(token_id: int) -> str:
            # Embedding rows past the vocabulary (padding to a multiple of 128) have no piece;
            # the vocabulary decodes them as unknown, so they are shown as such.
            return tokenizer.id_to_piece(token_id) if token_id < size else "<unk>"

        results = []
        for (_, ids), edit in zip(chunk, edits, strict=True):
            pieces = tuple(piece(i) for i in ids)
            plan = dataclasses.replace(edit.plan, insertions=tuple(
                (k, tuple(piece(i) for i in span)) for k, span in edit.plan.insertions))
            results.append(EditResult("", self.vocabulary.decode(edit.tokens), "edited",
                                      pieces, plan))
        return results


def _display_piece(piece: str) -> str:
    """A piece as the explanation shows it: a word-initial piece ("▁went") as its text, a
    word-internal one ("ed") as "##ed"."""
    return piece[1:] if piece.startswith("\u2581") else "##" + piece


def _export_vocabulary(export_dir: Path, metadata: dict):
    """The SentencePiece vocabulary an export carries (its assets/ copy)."""
    import seqio

    from textedit.data.vocab.vocabulary import NUM_SENTINELS

    return seqio.SentencePieceVocabulary(str(export_dir / metadata["vocabulary"]),
                                         extra_ids=metadata.get("num_sentinels", NUM_SENTINELS))
