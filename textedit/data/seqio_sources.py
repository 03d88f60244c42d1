"""SeqIO data sources over in-memory examples, and the matching target postprocessor.

Every text task yields examples of this shape (strings are UTF-8 `tf.string` scalars):

    {"inputs": source, "targets": references[0], "references": [n_refs] all references}

`inputs` / `targets` are the output features the model trains on. `references` rides along
untokenised (SeqIO's `tokenize` only touches output features) so that evaluation can score against
every reference: `postprocess_text` turns a target into `{"source", "references"}` for the metrics.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import seqio
import tensorflow as tf

from textedit.data.examples import MultiReferenceExample

_SIGNATURE = {
    "inputs": tf.TensorSpec([], tf.string),
    "targets": tf.TensorSpec([], tf.string),
    "references": tf.TensorSpec([None], tf.string),
}


def examples_source(
    load: Callable[[str], list[MultiReferenceExample]], splits: list[str]
) -> seqio.FunctionDataSource:
    """A SeqIO source calling `load(split)` when a dataset is built (not at registration).

    `shuffle_files=True` shuffles the example order with `seed` (the data are in memory, so this
    is the file-level shuffle SeqIO would otherwise do); the task adds its shuffle buffer on top.
    """

    def dataset_fn(split: str, shuffle_files: bool, seed: int | None = None) -> tf.data.Dataset:
        examples = load(split)
        if shuffle_files:
            examples = list(examples)
            random.Random(seed).shuffle(examples)

        def generate():
            for e in examples:
                yield {"inputs": e.source, "targets": e.references[0],
                       "references": list(e.references)}

        return tf.data.Dataset.from_generator(generate, output_signature=_SIGNATURE)

    return seqio.FunctionDataSource(dataset_fn, splits=splits)


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def postprocess_text(output, example=None, is_target: bool = False):
    """Predictions: the decoded string, stripped. Targets: `{"source", "references"}`.

    Without `example` (e.g. a model's raw output) a target becomes a single-reference dict.
    """
    text = _text(output).strip()
    if not is_target:
        return text
    if example is None:
        return {"source": "", "references": [text]}
    return {
        "source": _text(example["inputs_pretokenized"]),
        "references": [_text(r) for r in example["references"]],
    }

