"""`ocr_correct`: OCR post-correction of clean-text sentences, with the image of each line.

    inputs:  OCR-like noisy text (textedit.data.ocr.ocr_noise, default OcrNoiseRates)
    targets: the clean sentence
    image:   float32 [32, 512], the clean sentence rendered with DejaVu Sans (render_line_float)

Sentences come from both clean_text splits (State of the Union, inaugural, MASC) and are split
again by sentence (`ocr_examples`): one line of text, no sentence in both splits. Validation has
the sentences that fit one line; train also has the lines cut from longer sentences, wrapped as a
page would wrap them (about a fifth of the sentences fit one line). Models read
the image through `ImageEncDecFeatureConverter` ("encoder_image"); a text-only model uses the
ordinary EncDecFeatureConverter, which drops it. Metrics: CER (lower is better), exact match.

`edit5_ocr_correct`: its EdiT5 twin (tasks/edit_tasks.py; word-aware conversion to tags,
pointers and insertions), with the same image added after the conversion, cache and length
filter; an EdiT5 model reads it through `ImageEditFeatureConverter`, a text-only one through
EditFeatureConverter. Both EdiT5 runs are evaluated on `ocr_correct` itself.

`ocr_read`: the same lines and images with empty text inputs (only EOS), so a model with an
image tower must read the line from its image alone (plain OCR;
gin/experiments/seq2seq_ocr_read_image.gin). Its metrics are ocr_correct's: CER is then an OCR
error rate.

`ocr_correct_text_dropout25` / `ocr_correct_text_dropout50`: ocr_correct whose examples lose
their text input with probability 25% / 50% (`drop_text`, drawn anew each time an example is
read, from SeqIO's preprocessor seeds): modality dropout. A corrector that always has the noisy
text learns to copy it and leaves the image unread (measured: on a frozen tower that had learnt
to read, the corrector was no better than text only; README); on an example without text it
must read the image, which is the skill a corrector with both inputs needs where the text is
wrong. For training; evaluate on ocr_correct (EVAL_MIXTURE_OR_TASK_NAMES).
"""

from __future__ import annotations

import functools

import seqio
import tensorflow as tf

from tasks.edit_tasks import register_edit_task
from tasks.features import OUTPUT_FEATURES
from tasks.registration import loaded_split
from textedit.data import dataset_catalog
from textedit.data.dataset_catalog import TRAIN, VALIDATION, LoadedSplit
from textedit.data.examples import MultiReferenceExample
from textedit.data.ocr.line_image_features import add_line_image
from textedit.data.ocr.ocr_examples import ocr_examples
from textedit.data.seqio_sources import examples_source, postprocess_text
from textedit.metrics.seqio_adapters import seqio_metric

NAME = "ocr_correct"
READ_NAME = "ocr_read"
TEXT_DROPOUT_SHARES = (25, 50)  # percent of examples without text: ocr_correct_text_dropout<N>


def _clean_sentences(skip_bad_lines: bool) -> tuple[list[str], list[str]]:
    """Every clean_text sentence (both of its splits) and the files read."""
    sentences, files = [], []
    for split in (TRAIN, VALIDATION):
        loaded = loaded_split("clean_text", split, lambda s, skip: dataset_catalog.load_split(
            "clean_text", s, skip_bad_lines=skip))
        sentences += [example.references[0] for example in loaded.examples]
        files += loaded.files
    return sentences, files


def load_ocr_split(split: str, skip_bad_lines: bool) -> LoadedSplit:
    sentences, files = _clean_sentences(skip_bad_lines)
    # Train also reads the lines cut from sentences too long for one line (ocr_examples);
    # validation keeps whole sentences only, as it always had.
    return LoadedSplit(ocr_examples(sentences, split, wrap_long=split == TRAIN), files)


def read_examples(examples: list[MultiReferenceExample]) -> list[MultiReferenceExample]:
    """ocr_correct's examples with the noisy text taken away: source "", same reference."""
    return [MultiReferenceExample("", example.references) for example in examples]


def _register(name: str, load, text_preprocessors=()) -> seqio.Task:
    """Registers an OCR task (replacing an earlier registration): `load(split)`'s examples,
    tokenised with EOS, then `text_preprocessors`, then the line image; ocr_correct's metrics."""
    seqio.TaskRegistry.remove(name)
    return seqio.TaskRegistry.add(
        name,
        source=examples_source(load, [TRAIN, VALIDATION]),
        preprocessors=[seqio.preprocessors.tokenize, seqio.preprocessors.append_eos,
                       *text_preprocessors, add_line_image],
        output_features=OUTPUT_FEATURES,
        postprocess_fn=postprocess_text,
        metric_fns=[seqio_metric("cer"), seqio_metric("exact_match")],
    )


def _ocr_examples(split: str) -> list[MultiReferenceExample]:
    return loaded_split(NAME, split, load_ocr_split).examples


def register_ocr_correct(name: str = NAME) -> seqio.Task:
    """Registers `ocr_correct`, or with name=READ_NAME `ocr_read` (replacing an earlier
    registration)."""
    if name == READ_NAME:
        return _register(name, lambda split: read_examples(_ocr_examples(split)))
    return _register(name, _ocr_examples)


def register_edit5_ocr_correct() -> seqio.Task:
    """Registers `edit5_ocr_correct`: the edit twin, the line image added last."""
    return register_edit_task(NAME, extra_preprocessors=[add_line_image])


@seqio.map_over_dataset(num_seeds=1)
def drop_text(example, seed, share: float):
    """With probability `share`, the example's text input becomes EOS alone (as in ocr_read);
    runs after append_eos, so that EOS is the input's last id."""
    dropped = tf.random.stateless_uniform([], seed) < share
    inputs = example["inputs"]
    return {**example,
            "inputs": tf.cond(dropped, lambda: inputs[-1:], lambda: inputs),
            "inputs_pretokenized": tf.where(dropped, "", example["inputs_pretokenized"])}


def register_text_dropout(percent: int) -> seqio.Task:
    """Registers `ocr_correct_text_dropout<percent>` (module docstring)."""
    return _register(f"{NAME}_text_dropout{percent}", _ocr_examples,
                     [functools.partial(drop_text, share=percent / 100)])


register_ocr_correct()
register_ocr_correct(READ_NAME)
register_edit5_ocr_correct()
for _percent in TEXT_DROPOUT_SHARES:
    register_text_dropout(_percent)
