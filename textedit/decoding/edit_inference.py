"""EdiT5 inference: encode, tag, point, order, insert - one XLA computation per length bucket.

    outputs = edit_step(model, encoder_input_tokens, max_insert_length)   # compiled (XLA)
    edits = realise_batch(encoder_input_tokens, *outputs[:2], outputs.insertion_tokens,
                          first_position_id=3, num_position_tokens=513)
    edits = edit_batch(model, encoder_input_tokens, max_insert_length)    # both steps
    edits[r].tokens                                                       # realised ids

`edit_step` runs, inside one `tf.function(jit_compile=True)`:
1. the encoder and the tagger; tags = argmax, with START (the EOS position, the last unpadded
   one) always KEEP and padding always DELETE;
2. the tag-conditioned states and the pointer head with the predicted tags (log S, Sinkhorn);
3. `order_decoding.decode_order`: a chain from START through every kept position exactly once;
4. the re-order embedding and layer, then greedy insertion decoding with the backbone's cache,
   under `position_constraint` (only `<pos_k>` with previous k <= k <= kept count).
Static shapes throughout: [b, L] inputs from a length bucket, [b, T] insertions; a new (b, L, T)
or a new model traces and compiles once more (the model and max_insert_length are part of the
trace key). Rows are source pieces, EOS, then padding (0), as the feature converter makes them;
tokenisation happens outside.

`realise_batch` (Python, numpy in) turns each row into an `EditPlan` (textedit.edits) and the
realised target ids: kept pieces in chain order with the parsed insertions, EOS/START dropped.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np
import tensorflow as tf
from keras import ops

from textedit.data.edit_features import plan_from_features
from textedit.decoding.decode_loop import EOS_ID, PAD_ID, xla_function
from textedit.decoding.greedy import greedy_loop
from textedit.decoding.order_decoding import decode_order
from textedit.decoding.position_constraint import position_constraint
from textedit.edits import KEEP, EditPlan, parse_decoder_output, realise
from textedit.models.edit5_model import start_positions


class EditOutputs(NamedTuple):
    """What `edit_step` predicts, int32 each.

    Attributes:
      tags: [b, L] KEEP 1 / DELETE 0 (START KEEP, padding 0).
      pointers: [b, L] next position in output order (features' convention: START -> first kept
        -> ... -> START, other positions point to themselves).
      order: [b, L] kept positions in output order (START excluded), then -1.
      insertion_tokens: [b, T] `<pos_k> span ... EOS`, then padding.
    """

    tags: object
    pointers: object
    order: object
    insertion_tokens: object


def edit_loop(model, encoder_input_tokens, max_insert_length: int) -> EditOutputs:
    """The traceable body of `edit_step`, for use inside other compiled graphs.

    Args:
      model: an `Edit5Model` (or anything with its stage methods and `config`).
      encoder_input_tokens: int [b, L]: pieces, EOS, padding 0 (L static; b static, or dynamic
        under a [None, L] input signature - XLA then compiles once per batch size).
      max_insert_length: T, insertion decoding steps and the cache length (a Python int).
    """
    config = model.config
    tokens = ops.cast(encoder_input_tokens, "int32")
    # ops.shape: static ints where known, a tensor for a dynamic batch (a SavedModel signature
    # on [None, L]; textedit.decoding.edit_export).
    batch, length = ops.shape(tokens)[0], ops.shape(tokens)[1]
    hidden, token_mask = model.encode(tokens)
    start = start_positions(token_mask)
    is_start = ops.equal(ops.arange(length, dtype="int32")[None, :], start[:, None])
    tags = ops.cast(ops.argmax(model.tag(hidden, token_mask), axis=-1), "int32")
    tags = ops.where(is_start, KEEP, tags)
    tags = ops.where(token_mask, tags, 0)
    kept = ops.equal(tags, KEEP)
    tag_states = model.condition_on_tags(hidden, tags)
    decoded = decode_order(model.point(tag_states, kept, token_mask), kept, start)
    reordered = model.reorder(tag_states, decoded.new_positions, kept, token_mask)
    cache = model.init_cache(batch, max_insert_length, reordered, token_mask)
    num_kept = ops.maximum(ops.sum(ops.cast(kept, "int32"), axis=1) - 1, 0)
    processor = position_constraint(num_kept, first_position_id=config.first_position_id,
                                    num_position_tokens=config.num_position_tokens)
    t5 = config.t5
    insertions = greedy_loop(model.decode_step, cache, batch, max_insert_length,
                             eos_id=t5.eos_id, pad_id=t5.pad_id, start_id=t5.decoder_start_id,
                             logits_processor=processor)
    return EditOutputs(tags=tags, pointers=decoded.next_positions, order=decoded.order,
                       insertion_tokens=insertions)


# `edit_loop` compiled with XLA: (model, encoder_input_tokens int32 tensor [b, L],
# max_insert_length) -> EditOutputs of int32 tensors ([b, L] x 3, [b, T]).
edit_step = xla_function(edit_loop)


class RealisedEdit(NamedTuple):
    """One row's edit: the plan over its source pieces and the realised ids (no EOS)."""

    plan: EditPlan[int]
    tokens: list[int]


def realise_batch(encoder_input_tokens, tags, pointers, insertion_tokens, *,
                  first_position_id: int, num_position_tokens: int, eos_id: int = EOS_ID,
                  pad_id: int = PAD_ID) -> list[RealisedEdit]:
    """Plans and realised ids of a batch of `edit_step` outputs.

    Args:
      encoder_input_tokens: int [b, L] the inputs (pieces, EOS, padding).
      tags, pointers: int [b, L] (EditOutputs.tags / .pointers).
      insertion_tokens: int [b, T] (EditOutputs.insertion_tokens).
      first_position_id, num_position_tokens: the `<pos_k>` id range.
      eos_id, pad_id: ids of EOS (ends the insertions) and padding.

    Returns:
      one RealisedEdit per row. Insertions are read with `parse_decoder_output`, positions above
      the kept count clamped to it (the constrained decoder never emits them).
    """
    inputs, tags, pointers, insertions = (np.asarray(x) for x in (
        encoder_input_tokens, tags, pointers, insertion_tokens))
    results = []
    for row in range(inputs.shape[0]):
        num_inputs = int(np.sum(inputs[row] != pad_id))
        if num_inputs == 0:
            results.append(RealisedEdit(EditPlan(tags=(), pointers=(0,)), []))
            continue
        plan = plan_from_features(
            tags[row], pointers[row], insertions[row], num_inputs=num_inputs,
            first_position_id=first_position_id, num_position_tokens=num_position_tokens,
            eos_id=eos_id)
        parsed = parse_decoder_output(
            (int(t) for t in insertions[row]),
            lambda t: first_position_id <= t < first_position_id + num_position_tokens,
            lambda t: t - first_position_id, end_token=eos_id, num_kept=plan.num_kept())
        plan = dataclasses.replace(plan, insertions=parsed)
        source = [int(t) for t in inputs[row, :num_inputs - 1]]
        results.append(RealisedEdit(plan, realise(source, plan)))
    return results


def edit_batch(model, encoder_input_tokens, max_insert_length: int) -> list[RealisedEdit]:
    """`edit_step` then `realise_batch` with the model's position-token range and ids."""
    tokens = tf.convert_to_tensor(encoder_input_tokens, tf.int32)
    outputs = edit_step(model, tokens, max_insert_length)
    config = model.config
    return realise_batch(tokens.numpy(), outputs.tags.numpy(), outputs.pointers.numpy(),
                         outputs.insertion_tokens.numpy(),
                         first_position_id=config.first_position_id,
                         num_position_tokens=config.num_position_tokens,
                         eos_id=config.t5.eos_id, pad_id=config.t5.pad_id)


def edit5_decode_fn(max_decode_length: int, max_insert_length: int = 64):
    """An evaluation decode function (textedit.training.evaluation) for an `Edit5Model`.

    `decode(model, features)` edits `features["encoder_input_tokens"]` [b, L] (a plain text
    task's inputs: pieces, EOS, padding) and returns the realised ids int32 [b, max_decode_length]
    (then EOS, then padding), so an EdiT5 run is scored on the same examples, postprocessing and
    metrics as a seq2seq run. Realisations longer than max_decode_length - 1 pieces are cut there
    (as a seq2seq decoder stops there).
    """

    def decode(model, features):
        edits = edit_batch(model, features["encoder_input_tokens"], max_insert_length)
        eos_id, pad_id = model.config.t5.eos_id, model.config.t5.pad_id
        rows = np.full((len(edits), max_decode_length), pad_id, np.int32)
        for row, edit in enumerate(edits):
            ids = edit.tokens[:max_decode_length - 1] + [eos_id]
            rows[row, :len(ids)] = ids
        return rows

    return decode
