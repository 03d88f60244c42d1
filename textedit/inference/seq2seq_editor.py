"""`Seq2SeqEditor`: the `Editor` API over a seq2seq T5 run, with or without an image tower.

    editor = Editor.load("workdir/runs/seq2seq_ocr_correct_image")   # returns a Seq2SeqEditor
    editor.edit(["The rnodern office is c1osed ."],
                images=["lines/0.png"])            # or uint8 [32, 512] arrays (render_line)
    editor.edit(texts)                             # a text-only seq2seq run: no images

Pipeline per call: tokenise (SentencePiece, in Python) -> EOS -> group by length bucket -> one
compiled greedy decode per (batch, bucket) shape -> seqio decode -> whitespace normalisation.
With a tower the encoder also reads "encoder_image" float32 [b, H, W]: each text's image,
converted as the task converts it (`line_images.line_image_pixels`: uint8 / 255). Batches always
have `batch_size` rows; filler rows are a lone EOS with an all-zero image (a valid input whose
output is dropped), so each bucket compiles once.

An image tower run needs exactly one image per text, and a run without a tower takes none: the
tower's encoder refuses to run on text alone, and a text-only model would silently ignore an
image, so both mismatches are errors rather than guesses.

Rules for inputs the model does not decode are the EdiT5 Editor's (`status` says which): "empty"
-> "", "too_long" (more than max_input_length - 1 pieces) -> the input, whitespace-normalised.
Results have no edit plan (`EditResult.plan` is None): a seq2seq model writes its output afresh.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from textedit.inference.editor import (
    DEFAULT_BUCKETS,
    EditResult,
    EditStats,
    input_buckets,
    sort_into_buckets,
)
from textedit.inference.line_images import LineImage, check_line_images, line_image_batch
from textedit.runs.run_settings import DEFAULT_DECODE_LENGTH, DEFAULT_INPUT_LENGTH


def is_seq2seq_model(model) -> bool:
    """A plain T5EncoderDecoder or a T5WithImageTower (not EdiT5, reward or policy models)."""
    from textedit.models import T5EncoderDecoder, T5WithImageTower

    return type(model) in (T5EncoderDecoder, T5WithImageTower)


def model_image_shape(model) -> tuple[int, int] | None:
    """(height, width) of the model's image tower input; None without a tower."""
    config = getattr(model, "image_tower_config", None)
    if getattr(model, "image_tower", None) is None or config is None:
        return None
    return (config.image_height, config.image_width)


class _KerasSeq2Seq:
    """Greedy decoding of a model in this process: any bucket length."""

    fixed_length = None

    def __init__(self, model, max_decode_length: int):
        self.model, self.max_decode_length = model, max_decode_length
        # The weights do not change: the output layer is transposed once here, not in every
        # call (None for a tied model). `from_model` admits T5EncoderDecoder and its subclass
        # T5WithImageTower only, both with the method.
        self.output_layer = model.output_layer_by_vocab()

    def __call__(self, tokens: np.ndarray, images: np.ndarray | None) -> np.ndarray:
        if images is None:
            from textedit.decoding.greedy import greedy_decode

            return np.asarray(greedy_decode(self.model, tokens, self.max_decode_length,
                                            eos_id=self.model.config.eos_id,
                                            output_layer=self.output_layer))
        from textedit.decoding.greedy_with_image import greedy_decode_with_image

        return np.asarray(greedy_decode_with_image(self.model, tokens, images,
                                                   self.max_decode_length,
                                                   eos_id=self.model.config.eos_id))


class _MucocoSeq2Seq:
    """MuCoCO decoding of a text-only model in this process (textedit/decoding/mucoco.py, through
    `mucoco_decode_fn` with gin/runs/mucoco.gin's defaults); `last_records` holds the last call's
    constraint record per row."""

    fixed_length = None

    def __init__(self, model, max_decode_length: int, constraints: Sequence[str],
                 classifier: str | None, vocab_dir):
        from textedit.decoding.mucoco_decode_fn import mucoco_decode_fn

        self.model = model
        self.decode_fn = mucoco_decode_fn(max_decode_length, constraints=constraints,
                                          classifier_dir=classifier, vocab_dir=vocab_dir)
        self.last_records: list[dict] = []

    def __call__(self, tokens: np.ndarray, images: np.ndarray | None) -> np.ndarray:
        self.decode_fn.records.clear()
        decoded = self.decode_fn(self.model, {"encoder_input_tokens": tokens})
        self.last_records = list(self.decode_fn.records)  # every row: filler rows hold an EOS
        return decoded


class _SavedModelSeq2Seq:
    """An export's `decode_ids` signature (textedit.inference.seq2seq_export): one input length."""

    def __init__(self, loaded, metadata: dict):
        self.signature = loaded.signatures["decode_ids"]
        self.fixed_length = int(metadata["max_input_length"])

    def __call__(self, tokens: np.ndarray, images: np.ndarray | None) -> np.ndarray:
        import tensorflow as tf

        inputs = {"encoder_input_tokens": tf.constant(tokens, tf.int32)}
        if images is not None:
            inputs["encoder_image"] = tf.constant(images, tf.float32)
        return self.signature(**inputs)["tokens"].numpy()


class Seq2SeqEditor:
    """Greedy seq2seq decoding behind the Editor API (module docstring)."""

    source = "an in-memory model"

    def __init__(self, backend, vocabulary, *, image_shape: tuple[int, int] | None,
                 eos_id: int = 1, pad_id: int = 0, max_input_length: int = DEFAULT_INPUT_LENGTH,
                 batch_size: int = 32, buckets: Sequence[int] = DEFAULT_BUCKETS):
        """Prefer `Editor.load` or `from_model`. `backend(tokens int32 [batch_size, L], images
        float32 [batch_size, H, W] or None) -> int32 [batch_size, D]` (EOS, then padding)."""
        self.max_input_length, self.buckets = input_buckets(backend, max_input_length,
                                                            batch_size, buckets)
        self.backend, self.vocabulary = backend, vocabulary
        self.image_shape = None if image_shape is None else tuple(image_shape)
        self.eos_id, self.pad_id = eos_id, pad_id
        self.batch_size = batch_size
        self.stats = EditStats()
        # The EdiT5 Editor's report fields; a seq2seq model has no word guards.
        self.word_guards, self.delete_threshold = False, None

    @classmethod
    def from_model(cls, model, vocabulary, *, max_input_length: int = DEFAULT_INPUT_LENGTH,
                   max_decode_length: int = DEFAULT_DECODE_LENGTH, batch_size: int = 32,
                   buckets: Sequence[int] = DEFAULT_BUCKETS, constraints: Sequence[str] = (),
                   classifier: str | None = None, vocab_dir=None) -> Seq2SeqEditor:
        """A Seq2SeqEditor over an in-memory T5EncoderDecoder / T5WithImageTower. With
        `constraints` (specs; `classifier` for simple:P; `vocab_dir` the model's vocabulary,
        None: the project's) it decodes with MuCoCO, text-only models only. Its output layer is
        taken once, here: build a new Seq2SeqEditor after the weights change."""
        if not is_seq2seq_model(model):
            raise ValueError(f"expected a T5EncoderDecoder or T5WithImageTower, got "
                             f"{type(model).__name__}")
        config = model.config
        if constraints:
            if model_image_shape(model) is not None:
                raise ValueError("constrained (MuCoCO) decoding reads text only; this model "
                                 "has an image tower")
            backend = _MucocoSeq2Seq(model, max_decode_length, constraints, classifier,
                                     vocab_dir)
        else:
            backend = _KerasSeq2Seq(model, max_decode_length)
        return cls(backend, vocabulary,
                   image_shape=model_image_shape(model), eos_id=config.eos_id,
                   pad_id=config.pad_id, max_input_length=max_input_length,
                   batch_size=batch_size, buckets=buckets)

    @classmethod
    def from_export(cls, export_dir: str | os.PathLike, loaded, metadata: dict, vocabulary, *,
                    batch_size: int = 32) -> Seq2SeqEditor:
        """Over a SavedModel of `export_seq2seq_model` (its input length is fixed)."""
        image_shape = metadata.get("image_shape")
        editor = cls(_SavedModelSeq2Seq(loaded, metadata), vocabulary,
                     image_shape=tuple(image_shape) if image_shape else None,
                     eos_id=metadata["eos_id"], pad_id=metadata["pad_id"], batch_size=batch_size)
        step = metadata.get("metadata", {}).get("step", "?")
        editor.source = f"SavedModel {Path(export_dir)} (step {step})"
        return editor

    @property
    def takes_images(self) -> bool:
        return self.image_shape is not None

    def bucket(self, length: int) -> int:
        """The smallest bucket holding `length` ids (EOS included)."""
        return next(b for b in self.buckets if b >= length)

    def edit(self, texts: Sequence[str], explain: bool = False,
             images: Sequence[LineImage] | None = None) -> list[str] | list[EditResult]:
        """Outputs for `texts` in input order (strings, or EditResults when `explain`);
        `images`: one file path or uint8 [H, W] array per text, for a run with a tower only."""
        results = self.edit_results(texts, images=images)
        return results if explain else [r.output for r in results]

    def check_images(self, count: int, images: Sequence[LineImage] | None) -> None:
        """ValueError unless `images` fits the run: one per text with a tower, None without."""
        check_line_images(count, images, self.image_shape,
                          "this run has no image tower: it reads text only (images=None)")

    def edit_results(self, texts: Sequence[str],
                     images: Sequence[LineImage] | None = None) -> list[EditResult]:
        self.check_images(len(texts), images)
        # Every image is read and checked first, so a bad one stops the call before any decoding.
        pixels = None if images is None else line_image_batch(images, self.image_shape)
        self.stats = EditStats()
        results, by_bucket = sort_into_buckets(texts, self.vocabulary, self.max_input_length,
                                               self.bucket, self.stats)
        for length, items in sorted(by_bucket.items()):
            for start in range(0, len(items), self.batch_size):
                chunk = items[start:start + self.batch_size]
                outputs = self._decode_batch(chunk, length, pixels)
                records = getattr(self.backend, "last_records", None) or [None] * len(chunk)
                for (index, ids), output, record in zip(chunk, outputs, records[:len(chunk)],
                                                        strict=True):
                    results[index] = EditResult(texts[index], output, "edited",
                                                self._pieces(ids), constraints=record)
                self.stats.edited += len(chunk)
        return results  # type: ignore[return-value]

    def _decode_batch(self, chunk: list[tuple[int, list[int]]], length: int,
                      pixels: np.ndarray | None) -> list[str]:
        """One [batch_size, length] call (filler rows: a lone EOS, a zero image)."""
        from textedit.data.vocab.vocabulary import normalize_text

        tokens = np.full((self.batch_size, length), self.pad_id, np.int32)
        tokens[:, 0] = self.eos_id
        images = None
        if pixels is not None:
            images = np.zeros((self.batch_size, *self.image_shape), np.float32)
        for row, (index, ids) in enumerate(chunk):
            tokens[row, :len(ids) + 1] = ids + [self.eos_id]
            if images is not None:
                images[row] = pixels[index]
        decoded = self.backend(tokens, images)
        return [normalize_text(self.vocabulary.decode([int(t) for t in decoded[row]]))
                for row in range(len(chunk))]

    def _pieces(self, ids: list[int]) -> tuple[str, ...]:
        tokenizer = self.vocabulary.tokenizer
        size = tokenizer.piece_size()
        return tuple(tokenizer.id_to_piece(i) if i < size else "<unk>" for i in ids)
