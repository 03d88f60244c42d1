"""An insertion vocabulary: the ids EdiT5's insertion decoder may emit, and logits over them only
(docs/algorithms.md#insertion-vocabulary).

At batch 1 on a CPU an insertion step is mostly the output layer: every step reads all V x d_model
output weights to score V ids (16,128 x 128 to 16,128 x 512 floats here). The decoder only ever
learns to insert a small part of the vocabulary (W&I + FCE train: 7,310 distinct pieces), and a
matrix of those rows is read several times faster per row than the whole one, because it stays
in the processor's caches between steps. So:

    ids = shortlist_ids(inserted, model.config)              # sorted int32 [V_s]
    vocabulary = insertion_vocabulary(model, ids)            # rows [V_s, d], index [V]
    edit_step(model, tokens, T, insertion_vocabulary=vocabulary)

An id outside the list gets the logit `UNLISTED` (-1e9, as the constraints' FORBIDDEN) at every
step: decoding equals the full vocabulary's wherever the full argmax lies in the list (the
position constraint, word guards and argmax then run on [b, V] logits as before).
`shortlist_ids` always keeps padding, EOS, UNK and the `<pos_k>` range, whatever `inserted`
holds. Rows are taken once per model (not per call): build the vocabulary again after the
weights change.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
from keras import ops


class InsertionVocabulary(NamedTuple):
    """What the insertion decoder scores instead of the whole output layer.

    Attributes:
      rows: float [V_s, d_model] (the model's compute dtype): logits_s = hidden @ rows^T equal the
        full output layer's logits at these ids.
      index: int32 [V]: index[id] = the id's row in `rows`, V_s for ids outside the list; None
        when the list is every id in order (`whole_output_layer`: rows [V, d_model]).
    """

    rows: object
    index: object


def shortlist_ids(inserted: Iterable[int], config) -> np.ndarray:
    """Sorted unique int32 [V_s]: the `inserted` ids plus every id below `first_position_id +
    num_position_tokens` (padding, EOS, UNK, `<pos_k>`). `config` is an `Edit5Config`.
    Ids outside [0, vocab_size) are refused."""
    vocab_size = config.t5.vocab_size
    inserted = np.fromiter((int(i) for i in inserted), dtype=np.int64)
    bad = inserted[(inserted < 0) | (inserted >= vocab_size)]
    if bad.size:
        raise ValueError(f"insertion vocabulary: ids outside the vocabulary of {vocab_size}: "
                         f"{sorted(set(bad.tolist()))[:10]}")
    always = np.arange(config.first_position_id + config.num_position_tokens)
    return np.unique(np.concatenate([always, inserted])).astype(np.int32)


def insertion_vocabulary(model, ids) -> InsertionVocabulary:
    """The rows and index of `ids` (int [V_s], e.g. `shortlist_ids`) for an `Edit5Model`."""
    ids = np.asarray(ids, dtype=np.int32)
    vocab_size = model.config.t5.vocab_size
    if ids.ndim != 1 or ids.size == 0 or len(np.unique(ids)) != ids.size:
        raise ValueError("insertion vocabulary: ids must be a non-empty list without repeats")
    if ids.min() < 0 or ids.max() >= vocab_size:
        raise ValueError(f"insertion vocabulary: ids outside the vocabulary of {vocab_size}")
    index = np.full(vocab_size, ids.size, dtype=np.int32)
    index[ids] = np.arange(ids.size, dtype=np.int32)
    return InsertionVocabulary(rows=model.backbone.output_rows(ids),
                               index=ops.convert_to_tensor(index))


def whole_output_layer(model) -> InsertionVocabulary | None:
    """Every id, as rows [V, d_model] made once: the untied output layer transposed
    (`T5EncoderDecoder.output_layer_by_vocab`), so that a call does not transpose it again
    (docs/algorithms.md#precomputed-output-layer). Decoding is unchanged. None for a tied model,
    whose logits read the embedding, already vocabulary-major."""
    rows = model.backbone.output_layer_by_vocab()
    return None if rows is None else InsertionVocabulary(rows=rows, index=None)
