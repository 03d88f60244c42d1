"""The SeqIO source of an LMCor task: corrector inputs over candidate examples.

Every example (strings are UTF-8 `tf.string` scalars):

    {"inputs": "source <extra_id_0> c_1 ... <extra_id_{k-1}> c_k",   (textedit/data/lmcor_inputs.py)
     "targets": references[0], "references": [n_refs], "source": the original source}

`source` rides along untokenised so that `postprocess_lmcor` gives the metrics the original
source (GLEU and ERRANT compare a prediction with the source, not with the long corrector input).
In the shuffled split (training) the candidate order of every example is drawn anew on every pass
over the data, from `seed`: the corrector sees each candidate in every slot.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import seqio
import tensorflow as tf

from textedit.data import lmcor_inputs
from textedit.data.readers.candidates_reader import CandidateExample
from textedit.data.seqio_sources import postprocess_text

_SIGNATURE = {
    "inputs": tf.TensorSpec([], tf.string),
    "targets": tf.TensorSpec([], tf.string),
    "references": tf.TensorSpec([None], tf.string),
    "source": tf.TensorSpec([], tf.string),
}


def candidates_source(
    load: Callable[[str], list[CandidateExample]], splits: list[str],
    shuffled_splits: tuple[str, ...] = ("train",), default_seed: int = 0,
) -> seqio.FunctionDataSource:
    """A SeqIO source calling `load(split)` when a dataset is built.

    Args:
      load: split -> candidate examples, each with at least one reference.
      splits: the split names.
      shuffled_splits: splits whose candidate order is shuffled per example and per pass.
      default_seed: the shuffle seed when SeqIO passes none.
    """

    # SeqIO requires these argument names (split, shuffle_files, seed).
    def dataset_fn(split: str, shuffle_files: bool, seed: int | None = None) -> tf.data.Dataset:
        examples = load(split)
        base_seed = default_seed if seed is None else seed
        if shuffle_files:
            examples = list(examples)
            random.Random(base_seed).shuffle(examples)
        # One RNG per dataset, advanced by each pass: a repeated dataset re-runs `generate`.
        rng = random.Random(base_seed + 1) if split in shuffled_splits else None

        def generate():
            for e in examples:
                candidates = lmcor_inputs.shuffled(e.candidates, rng) if rng else e.candidates
                yield {"inputs": lmcor_inputs.assemble(e.source, candidates),
                       "targets": e.references[0], "references": list(e.references),
                       "source": e.source}

        return tf.data.Dataset.from_generator(generate, output_signature=_SIGNATURE)

    return seqio.FunctionDataSource(dataset_fn, splits=splits)


def postprocess_lmcor(output, example=None, is_target: bool = False):
    """`postprocess_text`, with the example's original `source` in a target's dict."""
    result = postprocess_text(output, example, is_target)
    if is_target and example is not None and "source" in example:
        source = example["source"]
        result["source"] = source.decode("utf-8") if isinstance(source, bytes) else str(source)
    return result


def fit_whole_candidates(dataset: tf.data.Dataset, sequence_length=None,
                         output_features=None) -> tf.data.Dataset:
    """Drops trailing candidates, whole, from token `inputs` longer than the input length.

    Runs after `tokenize`, before `append_eos`: an input of more than L − 1 ids (L =
    sequence_length["inputs"], one id left for EOS) is cut just before the last separator that
    leaves at most L − 1 ids, so the model reads the source and the candidates that fit, each
    complete, instead of an input cut inside a candidate (which SeqIO's trimming would do: a
    corrector never trains on such inputs, and an EdiT5 corrector then rewrites the source).
    An input whose source alone is too long is left as it is (trimmed later, as for any task).
    Without an input length (e.g. caching) the dataset is returned unchanged.

    inputs int32 [n] -> int32 [m], m ≤ n.
    """
    if not sequence_length or sequence_length.get("inputs") is None or not output_features:
        return dataset
    from textedit.data.vocab.vocabulary import sentinel_table

    limit = int(sequence_length["inputs"]) - 1
    is_separator = tf.constant(sentinel_table(output_features["inputs"].vocabulary))

    def fit(example):
        ids = example["inputs"]
        positions = tf.cast(tf.range(tf.size(ids)), tf.int32)
        cuts = tf.boolean_mask(positions, tf.logical_and(
            tf.gather(is_separator, ids), positions <= limit))
        keep = tf.where(tf.logical_and(tf.size(ids) > limit, tf.size(cuts) > 0),
                        tf.reduce_max(tf.concat([cuts, [0]], axis=0)), tf.size(ids))
        return {**example, "inputs": ids[:keep]}

    return dataset.map(fit, num_parallel_calls=tf.data.AUTOTUNE)
