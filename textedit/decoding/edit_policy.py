"""An EdiT5 model as an RL policy: sampled edits, their realised text and log-probability, all
in-graph, so online RL (REINFORCE, J-BOND) and Best-of-N run on an edit model inside one XLA
train step as they do on a seq2seq one (textedit/training/online_rl.py).

    outputs, log_p = sample_edit_loop(model, tokens, T, seed, word_start=ws, ...)  # the sampler
    responses = realise_in_graph(tokens, outputs.order, outputs.insertion_tokens, ...)  # [b, t]
    log_pi = edit_log_probs(model, tokens, outputs, word_start=ws, ...)  # = log_p, differentiable

The edit's probability is that of the decisions the sampler draws (`sample_edit_loop`): the tags
(one Bernoulli per word under the word guards: sigmoid of its mean DELETE-vs-KEEP log-odds) and
the insertion tokens (under the position constraint). The order is decoded from the pointer
(the unique best chain through the kept pieces), not drawn, so it contributes no factor:

    log π(edit | x) = Σ_words log σ(±ℓ̄_w) + Σ_t log softmax(constrained z_t)[y_t]

`edit_log_probs` recomputes this by teacher forcing the model on the sampled tags, chain and
insertion tokens (`Edit5Model.call`), applying the same position constraint at every decoder
position, so it equals the sampler's own sum (tested) and its gradient is the policy gradient of
the distribution the samples came from. A sampled edit of another model (J-BOND's anchor) is
scored alike: its chain is taken as given. The pointer therefore gets no policy gradient; RL
trains the tagger, the insertion decoder and the shared encoder, and leaves the pointer (given an
exact zero gradient, as the trainer wants one for every weight) as supervised training left it.
"""

from __future__ import annotations

from typing import NamedTuple

from keras import ops

from textedit.decoding.decode_loop import EOS_ID
from textedit.decoding.edit_inference import (
    EditOutputs,
    insertion_constraint,
    sample_edit_loop,
    tagged_positions,
)
from textedit.decoding.policy import Policy
from textedit.decoding.response_samples import response_features
from textedit.decoding.word_guards import gather_word_starts, tag_log_prob


def realise_in_graph(tokens, order, insertion_tokens, *, first_position_id: int,
                     num_position_tokens: int, max_length: int, eos_id: int = EOS_ID):
    """The realised ids of sampled edits, in-graph (`edit_inference.realise_batch` reads the same
    rows in numpy).

    Args:
      tokens: int [b, L] the inputs (pieces, EOS, padding).
      order: int [b, L] kept positions in output order (START excluded), then -1.
      insertion_tokens: int [b, T] `<pos_k> span ... EOS`, then padding, with k non-decreasing
        and at most the kept count (what the position constraint lets a decoder emit).
      max_length: the output length t.

    Returns:
      int32 [b, max_length]: kept pieces in order with the spans inserted (span k after the k-th
      kept piece; tokens before the first `<pos_k>` dropped, as the parser drops them), EOS, then
      padding. An output of t or more pieces is cut to t - 1 and ends in EOS.
    """
    tokens, order = ops.cast(tokens, "int32"), ops.cast(order, "int32")
    insertions = ops.cast(insertion_tokens, "int32")
    k_of = insertions - first_position_id
    is_position = ops.logical_and(k_of >= 0, k_of < num_position_tokens)
    is_eos = ops.cast(ops.equal(insertions, eos_id), "int32")
    before_eos = ops.equal(ops.cumsum(is_eos, axis=1) - is_eos, 0)
    before_eos = ops.logical_and(before_eos, ops.equal(is_eos, 0))
    span_k = ops.cumsum(ops.cast(is_position, "int32"), axis=1) > 0  # a <pos_k> came before
    content = ops.logical_and(ops.logical_and(before_eos, span_k), ops.logical_not(is_position))
    # k of each token's span: the last <pos_k> so far, i.e. the running max (k never decreases);
    # a [b, T, T] max since keras has no cummax (T is the short insertion length).
    steps = ops.shape(insertions)[1]
    earlier = (ops.arange(steps, dtype="int32")[None, :, None]
               >= ops.arange(steps, dtype="int32")[None, None, :])  # [1, t, s]: s <= t
    k = ops.max(ops.where(earlier, ops.where(is_position, k_of, -1)[:, None, :], -1), axis=2)
    content_int = ops.cast(content, "int32")
    content_before = ops.cumsum(content_int, axis=1) - content_int
    insert_at = k + content_before  # [b, T]: k kept pieces and the earlier content precede it
    kept = order >= 0  # [b, L]
    length = ops.shape(order)[1]
    j = ops.arange(length, dtype="int32")[None, :, None]  # [1, L, 1]
    spans_before = ops.sum(ops.cast(ops.logical_and(content[:, None, :], k[:, None, :] <= j),
                                    "int32"), axis=2)  # [b, L]: content in spans with k <= j
    keep_at = ops.arange(length, dtype="int32")[None, :] + spans_before
    kept_ids = ops.take_along_axis(tokens, ops.maximum(order, 0), axis=1)
    total = ops.sum(ops.cast(kept, "int32"), axis=1) + ops.sum(content_int, axis=1)  # [b]
    values = ops.concatenate([ops.where(kept, kept_ids, 0),
                              ops.where(content, insertions, 0)], axis=1)  # [b, L + T]
    where = ops.concatenate([ops.where(kept, keep_at, -1), ops.where(content, insert_at, -1)],
                            axis=1)
    slots = ops.arange(max_length, dtype="int32")[None, None, :]  # [1, 1, t]
    hits = ops.logical_and(ops.equal(where[:, :, None], slots), slots < max_length - 1)
    out = ops.sum(ops.where(hits, values[:, :, None], 0), axis=1)  # [b, t]
    eos_at = ops.minimum(total, max_length - 1)
    return ops.where(ops.equal(slots[0], eos_at[:, None]), eos_id, out)


def edit_log_probs(model, tokens, outputs: EditOutputs, *, word_start=None,
                   word_start_table=None, strict_spans: bool | None = None,
                   training: bool = False):
    """log π(edit | tokens) of sampled edits by teacher forcing, float32 [b] (module docstring).

    Args:
      model: an `Edit5Model` (no image tower).
      tokens: int [b, L] the inputs (pieces, EOS, padding).
      outputs: the sampled `EditOutputs` (tags, pointers, order, insertion_tokens [b, T]).
      word_start, word_start_table, strict_spans: the word guards the edits were sampled under
        (as `sample_edit_loop`'s).
      training: dropout on (False for RL: the log-probability of the sampling distribution).

    Differentiable in the model's weights.
    """
    return _teacher_forced(model, tokens, outputs, word_start, word_start_table, strict_spans,
                           training)[0]


def _teacher_forced(model, tokens, outputs, word_start, word_start_table, strict_spans,
                    training):
    """(`edit_log_probs`, the model's teacher-forced outputs)."""
    config = model.config
    tokens = ops.cast(tokens, "int32")
    insertions = ops.cast(outputs.insertion_tokens, "int32")
    decoder_inputs, weights = response_features(insertions, config.t5.decoder_start_id,
                                                config.t5.eos_id)
    result = model({"encoder_input_tokens": tokens, "tags": outputs.tags,
                    "pointers": outputs.pointers, "decoder_input_tokens": decoder_inputs},
                   training=training)
    _, _, members = tagged_positions(ops.not_equal(tokens, 0))
    tags = ops.cast(outputs.tags, "int32")
    log_p = tag_log_prob(result["tag_logits"], tags, members, word_start)
    processor = insertion_constraint(config, tags, outputs.order, word_start, word_start_table,
                                     strict_spans)
    logits = ops.cast(result["insertion_logits"], "float32")  # [b, T, V]
    steps = ops.shape(insertions)[1]
    constrained = ops.stack([processor(logits[:, t], t, insertions) for t in range(steps)],
                            axis=1)
    token_log_p = ops.take_along_axis(ops.log_softmax(constrained, axis=-1),
                                      insertions[:, :, None], axis=2)[:, :, 0]
    return log_p + ops.sum(token_log_p * weights, axis=1), result


class EditSample(NamedTuple):
    """A sampled edit per row: what `edit_log_probs` needs besides the inputs."""

    outputs: EditOutputs
    word_start: object  # bool [b, L] or None


def edit5_policy(max_insert_length: int = 32, word_start_table=None):
    """An EdiT5 `Policy` for textedit/training/online_rl.py (`seq2seq_policy`'s counterpart).

    Args:
      max_insert_length: insertion decoder steps T per sampled edit.
      word_start_table: optional bool [V'] (the vocabulary's `word_start_table`): sample under
        the word guards, as `textedit edit` decodes (whole words kept or deleted, spans between
        words).
    """
    def sample(model, prompts, max_length: int, seed, temperature: float = 1.0):
        word_start = (None if word_start_table is None
                      else gather_word_starts(prompts, word_start_table))
        outputs, _ = sample_edit_loop(model, prompts, max_insert_length, seed,
                                      temperature=temperature, word_start=word_start,
                                      word_start_table=word_start_table)
        responses = realise_in_graph(
            prompts, outputs.order, outputs.insertion_tokens,
            first_position_id=model.config.first_position_id,
            num_position_tokens=model.config.num_position_tokens, max_length=max_length,
            eos_id=model.config.t5.eos_id)
        return responses, EditSample(outputs, word_start)

    def log_probs(model, prompts, sample: EditSample, training: bool = False):
        log_p, result = _teacher_forced(model, prompts, sample.outputs, sample.word_start,
                                        word_start_table, None, training)
        # The order is decoded, not drawn, so the pointer has no factor in π and RL leaves it as
        # trained. The trainer wants a gradient for every trainable weight: the pointer gets an
        # exact zero (a zero gradient moves no weight under Adam without weight decay).
        pointer = ops.cast(result["pointer_logits"], "float32")
        zero = 0.0 * ops.sum(ops.where(ops.abs(pointer) < 1e8, pointer, 0.0), axis=(1, 2))
        return log_p + zero

    return Policy("edit5", sample, log_probs)
