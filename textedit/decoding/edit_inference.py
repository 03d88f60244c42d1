"""EdiT5 inference: encode, tag, point, order, insert - one XLA computation per length bucket.

    outputs = edit_step(model, encoder_input_tokens, max_insert_length)   # compiled (XLA)
    edits = realise_batch(encoder_input_tokens, *outputs[:2], outputs.insertion_tokens,
                          first_position_id=3, num_position_tokens=513)
    edits = edit_batch(model, encoder_input_tokens, max_insert_length)    # both steps
    edits, log_probs = sample_edit_batch(model, encoder_input_tokens, 64, seed=0,
                                         temperature=0.7)                  # a sampled edit
    edits[r].tokens                                                       # realised ids

`edit_step` runs, inside one `tf.function(jit_compile=True)`:
1. the encoder and the tagger; tags = argmax, with START (the EOS position, the last unpadded
   one) always KEEP and padding always DELETE;
2. the tag-conditioned states and the pointer head with the predicted tags (log S, Sinkhorn);
3. `order_decoding.decode_order`: a chain from START through every kept position exactly once;
4. the re-order embedding and layer, then greedy insertion decoding with the backbone's cache,
   under `position_constraint` (only `<pos_k>` with previous k <= k <= kept count).
Optional guards (issue 14; `textedit.decoding.word_guards`): `word_start` [b, L] makes the tags
per word, keeps each kept word's pieces together and in order in the chain, and allows `<pos_k>`
only between words (plus strict spans: first token `<pos_k>` or EOS, no empty span);
`word_start_table` [V'] makes every inserted span start with a word-initial piece;
`delete_threshold` deletes only above that P(DELETE). Without them: exactly the steps above.
A model with an image tower (Edit5Config.image_tower) also takes `image` float [b, H, W]: the
encoder reads it with the text, tags and order stay on text positions, and the insertion decoder
attends to the image states too (Edit5Model's docstring).
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

from textedit.data.edit5.edit_features import plan_from_features
from textedit.decoding.decode_loop import EOS_ID, PAD_ID, xla_function
from textedit.decoding.greedy import greedy_loop
from textedit.decoding.order_decoding import decode_order
from textedit.decoding.position_constraint import position_constraint
from textedit.decoding.sampling import sampling_loop, stateless_seed
from textedit.decoding.word_guards import (
    DEFAULT_DELETE_THRESHOLD,
    boundary_positions,
    continuation_positions,
    tag_log_prob,
    word_starts,
    word_tags,
)
from textedit.edits import KEEP, EditPlan, parse_decoder_output, realise
from textedit.models.edit5.edit5_model import start_positions

IMAGE_MODEL_FEATURE = "encoder_image"


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


def edit_loop(model, encoder_input_tokens, max_insert_length: int, word_start=None,
              delete_threshold: float = DEFAULT_DELETE_THRESHOLD, word_start_table=None,
              strict_spans: bool | None = None, insert_bias: float = 0.0,
              image=None, insertion_vocabulary=None) -> EditOutputs:
    """The traceable body of `edit_step`, for use inside other compiled graphs.

    Args:
      model: an `Edit5Model` (or anything with its stage methods and `config`).
      encoder_input_tokens: int [b, L]: pieces, EOS, padding 0 (L static; b static, or dynamic
        under a [None, L] input signature - XLA then compiles once per batch size).
      max_insert_length: T, insertion decoding steps and the cache length (a Python int).
      word_start: optional bool [b, L], True where the input piece begins a word
        (`word_guards.word_starts(tokens, word_start_table(vocabulary))`). Turns on the word
        guards (textedit.decoding.word_guards): one tag per word, each word's kept pieces
        together and in order, `<pos_k>` only between words. None: piece by piece (as before).
      delete_threshold: a piece (word) is deleted only when its (word-mean) P(DELETE) is above
        this; 0.5 is the argmax decision, higher is more conservative (a Python float).
      word_start_table: optional bool [V'] over the vocabulary: each inserted span must start
        with a word-initial piece (or be empty), so it cannot glue onto the word before it.
      strict_spans: the insertion decoder's first token is a `<pos_k>` or EOS and no `<pos_k>`
        follows a `<pos_k>`; None: on exactly when `word_start` is given.
      insert_bias: added to every `<pos_k>` logit of the insertion decoder (a Python float; 0 =
        the plain argmax): above 0 it inserts more readily (`position_constraint`).
      image: float [b, H, W] line images, for a model with an image tower (required there;
        Edit5Model.encode_all refuses a tower model without one).
      insertion_vocabulary: optional `InsertionVocabulary` (rows [V_s, d_model], index int32
        [V]; textedit.decoding.insertion_vocabulary): the insertion decoder scores only those
        ids, the others are never emitted.
    """
    outputs, _ = _edit_loop(model, encoder_input_tokens, max_insert_length, word_start,
                            delete_threshold, word_start_table, strict_spans, insert_bias, image,
                            insertion_vocabulary=insertion_vocabulary)
    return outputs


def sample_edit_loop(model, encoder_input_tokens, max_insert_length: int, seed, *,
                     temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0,
                     word_start=None, delete_threshold: float = DEFAULT_DELETE_THRESHOLD,
                     word_start_table=None, strict_spans: bool | None = None):
    """`edit_loop` that samples its edit (LMCor candidates) instead of deciding it.

    Each tag (word, under the word guards) is deleted with probability sigmoid(log-odds /
    temperature), the decision shifted by delete_threshold (`word_guards.word_tags` with
    logistic noise); the insertion tokens are sampled (`sampling.sampling_loop` with
    temperature / top_k / top_p, under the same position constraint); the order is still
    decoded from the pointer, not sampled.

    Args:
      seed: int [2] stateless seed (a tensor: a new seed does not compile again).
      temperature, top_k, top_p: the sampling settings (Python numbers).
      others: as `edit_loop`.

    Returns:
      (EditOutputs, float32 [b] log-probabilities of the sampled decisions under the model: the
      tags' (per word under the guards) plus the insertion tokens' after the position constraint;
      untempered, so that candidates drawn at any temperature are ranked alike).
    """
    return _edit_loop(model, encoder_input_tokens, max_insert_length, word_start,
                      delete_threshold, word_start_table, strict_spans, 0.0, None,
                      sampling=(seed, float(temperature), int(top_k), float(top_p)))


def _edit_loop(model, encoder_input_tokens, max_insert_length, word_start, delete_threshold,
               word_start_table, strict_spans, insert_bias, image, sampling=None,
               insertion_vocabulary=None):
    """`edit_loop` / `sample_edit_loop` (sampling = (seed, temperature, top_k, top_p)):
    (EditOutputs, log-probabilities [b] or None)."""
    config = model.config
    tokens = ops.cast(encoder_input_tokens, "int32")
    # ops.shape: static ints where known, a tensor for a dynamic batch (a SavedModel signature
    # on [None, L]; textedit.inference.edit_export).
    batch = ops.shape(tokens)[0]
    hidden, token_mask, image_states = model.encode_all(tokens, image=image)
    start, is_start, members = tagged_positions(token_mask)
    tag_logits = model.tag(hidden, token_mask)
    if sampling is not None:
        sample_seed, temperature, top_k, top_p = sampling
        seeds = tf.random.experimental.stateless_split(tf.cast(sample_seed, tf.int32), 2)
        uniform = tf.random.stateless_uniform(
            tf.shape(tokens), seed=seeds[0], minval=1e-6, maxval=1.0 - 1e-6, alg="philox")
        logistic = ops.log(uniform) - ops.log(1.0 - uniform)
        tags = word_tags(tag_logits, members, word_start, delete_threshold, noise=logistic,
                         temperature=temperature)
    elif word_start is None and delete_threshold == DEFAULT_DELETE_THRESHOLD:
        tags = ops.cast(ops.argmax(tag_logits, axis=-1), "int32")
    else:
        tags = word_tags(tag_logits, members, word_start, delete_threshold)
    tags = ops.where(is_start, KEEP, tags)
    tags = ops.where(token_mask, tags, 0)
    kept = ops.equal(tags, KEEP)
    tag_states = model.condition_on_tags(hidden, tags)
    continuation = None if word_start is None else continuation_positions(word_start, kept, start)
    decoded = decode_order(model.point(tag_states, kept, token_mask), kept, start, continuation)
    reordered = model.reorder(tag_states, decoded.new_positions, kept, token_mask)
    # What the model's <pos_k> options read: the states of the k-th kept piece.
    context = model.insertion_context(reordered, decoded.new_positions, kept, image_states)
    cache = model.init_cache(batch, max_insert_length, reordered, token_mask, **context)
    if insertion_vocabulary is not None:
        # The listed rows replace the whole output layer (Edit5Model.decode_step), so the
        # transposed lm_head an untied model's cache carries is not made at all.
        cache.pop("lm_head_by_vocab", None)
        cache["insertion_rows"] = insertion_vocabulary.rows
        if insertion_vocabulary.index is not None:  # None: every id (`whole_output_layer`)
            cache["insertion_index"] = insertion_vocabulary.index
    t5 = config.t5
    processor = insertion_constraint(config, tags, decoded.order, word_start, word_start_table,
                                     strict_spans, insert_bias)
    ids = dict(eos_id=t5.eos_id, pad_id=t5.pad_id, start_id=t5.decoder_start_id,
               logits_processor=processor)
    log_prob = None
    if sampling is None:
        insertions = greedy_loop(model.decode_step, cache, batch, max_insert_length, **ids)
    else:
        insertions, insertion_log_prob = sampling_loop(
            model.decode_step, cache, batch, max_insert_length, seeds[1],
            temperature=temperature, top_k=top_k, top_p=top_p, return_log_probs=True, **ids)
        log_prob = tag_log_prob(tag_logits, tags, members, word_start) + insertion_log_prob
    return EditOutputs(tags=tags, pointers=decoded.next_positions, order=decoded.order,
                       insertion_tokens=insertions), log_prob


def tagged_positions(token_mask):
    """token_mask bool [b, L] -> (START int32 [b], is_start bool [b, L], members bool [b, L]):
    the positions whose tags are decided (unpadded, not START, which is always KEEP)."""
    start = start_positions(token_mask)
    length = ops.shape(token_mask)[1]
    is_start = ops.equal(ops.arange(length, dtype="int32")[None, :], start[:, None])
    return start, is_start, ops.logical_and(token_mask, ops.logical_not(is_start))


def insertion_constraint(config, tags, order, word_start=None, word_start_table=None,
                         strict_spans: bool | None = None, insert_bias: float = 0.0):
    """The insertion decoder's logits processor for edits with these `tags` [b, L] (START
    KEEP) and `order` [b, L] (`DecodedOrder.order`) under the word guards (`edit_loop`'s
    arguments): `position_constraint` with the kept count, and with `word_start` the word
    boundaries and strict spans (unless `strict_spans` says otherwise)."""
    num_kept = ops.maximum(ops.sum(ops.cast(ops.equal(tags, KEEP), "int32"), axis=1) - 1, 0)
    if strict_spans is None:
        strict_spans = word_start is not None
    boundaries = None if word_start is None else boundary_positions(word_start, order)
    return position_constraint(num_kept, first_position_id=config.first_position_id,
                               num_position_tokens=config.num_position_tokens,
                               boundaries=boundaries, strict_spans=strict_spans,
                               span_start_table=word_start_table, eos_id=config.t5.eos_id,
                               insert_bias=insert_bias)


# `edit_loop` compiled with XLA: (model, encoder_input_tokens int32 tensor [b, L],
# max_insert_length) -> EditOutputs of int32 tensors ([b, L] x 3, [b, T]).
edit_step = xla_function(edit_loop)
# `sample_edit_loop` compiled with XLA: -> (EditOutputs, log-probabilities float32 [b]).
sample_edit_step = xla_function(sample_edit_loop)


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


def edit_batch(model, encoder_input_tokens, max_insert_length: int, *,
               word_start_table=None, delete_threshold: float = DEFAULT_DELETE_THRESHOLD,
               strict_spans: bool | None = None, insert_bias: float = 0.0,
               images=None, insertion_vocabulary=None) -> list[RealisedEdit]:
    """`edit_step` then `realise_batch` with the model's position-token range and ids.

    With `word_start_table` (bool [V'], `textedit.data.vocab.vocabulary.word_start_table`) the
    word guards are on: `word_start` is looked up here (numpy) and the table also constrains the
    spans' first pieces (`edit_loop`). `delete_threshold`, `strict_spans` and `insert_bias` as
    in `edit_loop`. `images` float [b, H, W]: the line images of a model with an image tower.
    `insertion_vocabulary`: an `InsertionVocabulary` of this model, as in `edit_loop`.
    """
    tokens = tf.convert_to_tensor(encoder_input_tokens, tf.int32)
    arguments = guard_arguments(tokens.numpy(), word_start_table, delete_threshold,
                                strict_spans, insert_bias)
    if images is not None:  # left out otherwise, so text-only traces stay as they were
        arguments["image"] = tf.convert_to_tensor(images, tf.float32)
    if insertion_vocabulary is not None:  # likewise
        arguments["insertion_vocabulary"] = insertion_vocabulary
    return _realise_outputs(model, tokens, edit_step(model, tokens, max_insert_length,
                                                     **arguments))


def sample_edit_batch(model, encoder_input_tokens, max_insert_length: int, *, seed,
                      temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0,
                      word_start_table=None,
                      delete_threshold: float = DEFAULT_DELETE_THRESHOLD,
                      ) -> tuple[list[RealisedEdit], np.ndarray]:
    """One sampled edit per row (`sample_edit_step`) and its log-probability.

    Args:
      encoder_input_tokens: int [b, L] (pieces, EOS, padding).
      seed: a Python int; the same seed gives the same edits, and the seed is a tensor argument
        of the compiled step, so a new one does not compile again.
      temperature, top_k, top_p: sampling settings (tags and insertions; `edit_loop`).
      word_start_table, delete_threshold: the word guards, as in `edit_batch`.

    Returns:
      (one RealisedEdit per row, float [b] log-probabilities of the sampled decisions:
      `sample_edit_loop`).
    """
    tokens = tf.convert_to_tensor(encoder_input_tokens, tf.int32)
    arguments = guard_arguments(tokens.numpy(), word_start_table, delete_threshold)
    outputs, log_probs = sample_edit_step(
        model, tokens, max_insert_length, stateless_seed(seed),
        temperature=float(temperature), top_k=int(top_k), top_p=float(top_p), **arguments)
    return _realise_outputs(model, tokens, outputs), log_probs.numpy()


def _realise_outputs(model, tokens, outputs: EditOutputs) -> list[RealisedEdit]:
    config = model.config
    return realise_batch(tokens.numpy(), outputs.tags.numpy(), outputs.pointers.numpy(),
                         outputs.insertion_tokens.numpy(),
                         first_position_id=config.first_position_id,
                         num_position_tokens=config.num_position_tokens,
                         eos_id=config.t5.eos_id, pad_id=config.t5.pad_id)


def guard_arguments(tokens, word_start_table=None,
                    delete_threshold: float = DEFAULT_DELETE_THRESHOLD,
                    strict_spans: bool | None = None, insert_bias: float = 0.0) -> dict:
    """`edit_step`'s guard keyword arguments for numpy ids [b, L]: word_start (looked up in
    word_start_table, as a tensor), the table as a constant, the threshold, strict_spans and
    insert_bias. No table: only the threshold, strict_spans and insert_bias (word guards off)."""
    arguments = dict(delete_threshold=float(delete_threshold), strict_spans=strict_spans)
    if insert_bias:  # left out at 0, so the compiled function's cache keys stay as before
        arguments["insert_bias"] = float(insert_bias)
    if word_start_table is not None:
        table = np.asarray(word_start_table, dtype=bool)
        arguments.update(word_start=tf.constant(word_starts(tokens, table)),
                         word_start_table=tf.constant(table))
    return arguments


def edit5_decode_fn(max_decode_length: int, max_insert_length: int = 64,
                    word_start_table=None, delete_threshold: float = DEFAULT_DELETE_THRESHOLD,
                    insert_bias: float = 0.0, insertion_vocabulary_ids=None):
    """An evaluation decode function (textedit.training.evaluation) for an `Edit5Model`.

    `decode(model, features)` edits `features["encoder_input_tokens"]` [b, L] (a plain text
    task's inputs: pieces, EOS, padding) and returns the realised ids int32 [b, max_decode_length]
    (then EOS, then padding), so an EdiT5 run is scored on the same examples, postprocessing and
    metrics as a seq2seq run. Realisations longer than max_decode_length - 1 pieces are cut there
    (as a seq2seq decoder stops there). `word_start_table` (optional numpy bool [V'], the task
    vocabulary's `word_start_table`) turns the word guards on; `delete_threshold` and
    `insert_bias` as in `edit_loop`. A model with an image tower reads `features["encoder_image"]`
    [b, H, W] (the evaluation converter must carry it: ImageEncDecFeatureConverter).
    `insertion_vocabulary_ids` (optional int ids): the insertion decoder emits only these
    (`insertion_vocabulary.shortlist_ids` adds the special and position ids); its rows are taken
    from the model at every call, so evaluation during training sees the current weights.
    """
    # Imported here: edit_loop's argument of the same name would shadow a module-level import.
    from textedit.decoding.insertion_vocabulary import insertion_vocabulary, shortlist_ids

    def decode(model, features):
        images = None
        if getattr(model, "has_image_tower", False):
            images = features[IMAGE_MODEL_FEATURE]
        listed = None
        if insertion_vocabulary_ids is not None:
            listed = insertion_vocabulary(
                model, shortlist_ids(insertion_vocabulary_ids, model.config))
        edits = edit_batch(model, features["encoder_input_tokens"], max_insert_length,
                           word_start_table=word_start_table, delete_threshold=delete_threshold,
                           insert_bias=insert_bias, images=images,
                           insertion_vocabulary=listed)
        eos_id, pad_id = model.config.t5.eos_id, model.config.t5.pad_id
        rows = np.full((len(edits), max_decode_length), pad_id, np.int32)
        for row, edit in enumerate(edits):
            ids = edit.tokens[:max_decode_length - 1] + [eos_id]
            rows[row, :len(ids)] = ids
        return rows

    return decode
