"""MuCoCO: decoding under several constraints by continuous optimisation (Kumar et al. 2021).

The output length is fixed (from an initial greedy or beam output, or the beam re-ranked by the
constraints, optionally a few lengths around it); each free position holds a distribution over
the vocabulary, y_t = softmax(theta_t), and the model reads its expected embedding
(`soft_embed`). The search minimises the model's -log P(y | x) subject to f_i(y) <= eps_i through
the Lagrangian (textedit/objectives/lagrangian.py): exponentiated-gradient steps on y, projected
gradient ascent on lam_i >= 0.

    result = mucoco_decode(model, encoder_tokens, 64,
                           [ClassifierConstraint(classifier), SemanticCloseness(model)],
                           settings=MucocoSettings(steps=40))
    result.tokens, result.satisfied, result.values     # [b, L], bool [b], [b, k]

Rules (the algorithm in docs/algorithms.md#mucoco):
- the search starts from the initial output (theta = confidence * one_hot); EOS and the padding
  after it stay fixed, and free positions never take pad or EOS, so the length does not change
  within one search;
- a row whose initial output already satisfies every constraint keeps it;
- after every step the argmax tokens (the hard iterate) are scored exactly (one-hot input):
  among the iterates that satisfy all constraints the one of lowest -log P(y | x) is returned;
- a row with no satisfying iterate returns its initial output with `satisfied` False;
- optionally (`fluency_margin`, not in the paper) an iterate only counts when its -log P per
  position stays within a margin of the initial output's;
- optionally (`top_k`, COLD decoding's discretisation, not in MuCoCO) the hard iterate takes,
  at each position, the piece of largest weight among the model's k most probable ones, and
  counts only when each of its pieces is in the top k given its own prefix.
One search (encoder, loop of `steps` gradient steps, scoring) is one XLA computation; it stops
early when every row has a satisfying iterate (`stop_when_satisfied`) or none needs one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import tensorflow as tf
from keras import ops

from textedit.decoding.beam_search import beam_search_decode
from textedit.decoding.decode_loop import EOS_ID, decode_loop, xla_function
from textedit.decoding.greedy import first_argmax, greedy_decode
from textedit.models.constraints.soft_sequence import Constraint, SoftSequence, soft_embed
from textedit.objectives.lagrangian import (
    exponentiated_gradient_step,
    lagrangian,
    multiplier_ascent,
    satisfied,
)

NO_SCORE = 1e30  # the -log P of "no satisfying iterate yet"
FORBIDDEN = 1e9  # subtracted from the log-weights of pad and EOS at free positions
INITIAL_OUTPUTS = ("greedy", "beam", "rerank")
TOP_K_ROUNDS = 8  # pieces of largest weight tried per position by the top-k discretisation


@dataclasses.dataclass(frozen=True)
class MucocoSettings:
    """Attributes:
      steps: gradient steps per search (the loop's static maximum).
      learning_rate: exponentiated-gradient step size on the soft sequence.
      multiplier_learning_rate: ascent step size on the multipliers lam.
      confidence: initial log-weight margin of the initial tokens (theta = c * one_hot).
      initial: the initial output: "greedy"; "beam" (beam search, beam_size 4, alpha 0.6, the
        best beam); or "rerank" (the most probable of those 4 beams that satisfies the
        constraints, else the best: textedit/decoding/constraint_rerank.py), so the search
        only works on rows that re-ranking leaves unsatisfied.
      length_offsets: output lengths tried, relative to the initial output's (0 first); a
        negative offset drops the last pieces before EOS, a positive one repeats the last piece.
      stop_when_satisfied: stop a search once every row has a satisfying iterate (its first; the
        search otherwise runs all steps and keeps the most probable satisfying one).
      fluency_margin: None (the paper's rule), or nats per token: an iterate counts as
        satisfying only if its -log P per output position is at most the initial output's plus
        this margin, which keeps outputs that fool a constraint model with word salad out.
      top_k: None (the paper's argmax iterates), or k: an iterate's free pieces are chosen
        among the model's k most probable pieces given the argmax prefix (as COLD decoding
        discretises, Qin et al. 2022; the piece of largest weight among them, looked for among
        the TOP_K_ROUNDS largest weights, else the model's most probable piece), and the
        iterate counts only if every free piece is within the top k given the prefix it has:
        outputs stay on the model's own paths.
    """

    steps: int = 40
    learning_rate: float = 1.0
    multiplier_learning_rate: float = 1.0
    confidence: float = 15.0
    initial: str = "greedy"
    length_offsets: tuple[int, ...] = (0,)
    stop_when_satisfied: bool = True
    fluency_margin: float | None = None
    top_k: int | None = None

    def __post_init__(self):
        if self.steps < 1:
            raise ValueError(f"MucocoSettings.steps={self.steps}: expected >= 1")
        if self.initial not in INITIAL_OUTPUTS:
            raise ValueError(f"MucocoSettings.initial={self.initial!r}: expected one of "
                             f"{list(INITIAL_OUTPUTS)}")
        if self.top_k is not None and self.top_k < 1:
            raise ValueError(f"MucocoSettings.top_k={self.top_k}: expected None or >= 1")
        if not self.length_offsets or self.length_offsets[0] != 0:
            raise ValueError(f"MucocoSettings.length_offsets={self.length_offsets}: expected "
                             "a tuple starting with 0 (the initial length)")


@dataclasses.dataclass
class MucocoResult:
    """numpy arrays per row: tokens int32 [b, L] (tokens, EOS, pad), satisfied bool [b] (False:
    the initial output, flagged), initial_satisfied bool [b], values float32 [b, k] (of the
    returned output, in `names` order), nll float32 [b] (-log P of the returned output), steps
    (gradient steps run, summed over the searches)."""

    tokens: np.ndarray
    satisfied: np.ndarray
    initial_satisfied: np.ndarray
    values: np.ndarray
    nll: np.ndarray
    names: tuple[str, ...]
    steps: int


def soft_log_probs(model, probs, encoder_hidden, encoder_mask, start_id: int):
    """log p(v | y_<t, x), float32 [b, L, vocab], teacher-forced on the expected embeddings of
    the soft sequence probs [b, L, vocab] (exactly the model's when probs is one-hot).

    model: a T5EncoderDecoder (`shared`, `decoder`, `project_to_vocab`); encoder_hidden
    [b, s, d_model], encoder_mask bool [b, s]: the encoded source.
    """
    embeddings = soft_embed(probs, model.shared.embeddings)
    start = model.shared(ops.full((probs.shape[0], 1), start_id, "int32"))
    inputs = ops.concatenate([ops.cast(start, embeddings.dtype), embeddings[:, :-1]], axis=1)
    logits = model.project_to_vocab(model.decoder(inputs, encoder_hidden, encoder_mask,
                                                  training=False))
    return ops.log_softmax(logits[..., :probs.shape[-1]], axis=-1)


def soft_nll(model, probs, mask, encoder_hidden, encoder_mask, start_id: int, log_probs=None):
    """-log P(y | x) of a soft sequence, teacher-forced on its expected embeddings.

    Args:
      model: a T5EncoderDecoder; probs: float32 [b, L, vocab]; mask: float32 [b, L] (1 on
        output positions, EOS included); encoder_hidden, encoder_mask: as `soft_log_probs`.
      log_probs: optional [b, L, vocab], `soft_log_probs` of these probs (not recomputed).

    Returns:
      float32 [b]: -sum_t mask_t sum_v y_t(v) log p(v | y_<t, x); the exact -log P of the
      sequence when probs is one-hot.
    """
    if log_probs is None:
        log_probs = soft_log_probs(model, probs, encoder_hidden, encoder_mask, start_id)
    return -ops.sum(ops.sum(probs * log_probs, axis=-1) * mask, axis=-1)


def in_top_k(log_probs, tokens, k: int):
    """bool [b, L]: tokens int [b, L] is among the k most probable pieces of log_probs
    [b, L, vocab] at its position (fewer than k pieces are strictly more probable). One pass
    over the vocabulary: XLA:CPU lowers top_k to a full sort, 10x the cost of a search step."""
    chosen = ops.take_along_axis(log_probs, ops.cast(tokens, "int32")[..., None], axis=-1)
    return ops.sum(ops.cast(log_probs > chosen, "int32"), axis=-1) < k


def top_k_tokens(theta, log_probs, k: int, rounds: int = TOP_K_ROUNDS):
    """int32 [b, L]: per position the piece of largest weight theta [b, L, vocab] among the k
    most probable pieces of log_probs [b, L, vocab] (COLD decoding's top-k discretisation),
    looked for among the `rounds` pieces of largest weight; where none of them is in the top k,
    the model's most probable piece."""
    vocab = ops.arange(theta.shape[-1], dtype="int32")
    tokens = first_argmax(log_probs)
    found = ops.zeros(tokens.shape, "bool")
    for _ in range(rounds):  # unrolled: a few passes over the vocabulary instead of a sort
        candidate = first_argmax(theta)
        take = in_top_k(log_probs, candidate, k) & ~found
        tokens = ops.where(take, candidate, tokens)
        found = found | take
        theta = ops.where(ops.equal(vocab, candidate[..., None]), -2.0 * FORBIDDEN, theta)
    return tokens


def constraint_values(constraints: Sequence[Constraint], soft: SoftSequence):
    """[b, k]: every constraint's value (k = 0 gives [b, 0])."""
    if not constraints:
        return ops.zeros((soft.probs.shape[0], 0), "float32")
    return ops.stack([ops.cast(c(soft), "float32") for c in constraints], axis=-1)


def output_masks(tokens, eos_id: int = EOS_ID):
    """tokens int [b, L] (tokens, EOS, pad) -> (mask float32 [b, L]: positions up to and including
    EOS, free bool [b, L]: positions before EOS). A row without EOS is free everywhere."""
    length = tokens.shape[1]
    is_eos = ops.equal(tokens, eos_id)
    has_eos = ops.any(is_eos, axis=1)
    eos_at = ops.where(has_eos, first_argmax(ops.cast(is_eos, "float32")), length)
    positions = ops.arange(length, dtype="int32")[None, :]
    mask = positions < ops.where(has_eos, eos_at + 1, length)[:, None]
    return ops.cast(mask, "float32"), positions < eos_at[:, None]


def mucoco_search(model, constraints: Sequence[Constraint], encoder_tokens, initial_tokens,
                  epsilons, steps: int, learning_rate, multiplier_learning_rate, confidence,
                  stop_when_satisfied: bool = True, fluency_margin=NO_SCORE, top_k: int = 0,
                  eos_id: int = EOS_ID):
    """One MuCoCO search at the initial output's length (traceable; see the module docstring).

    Args:
      model: a T5EncoderDecoder; constraints: k `Constraint`s.
      encoder_tokens: int32 [b, s]; initial_tokens: int32 [b, L] (tokens, EOS, pad).
      epsilons: float32 [k]; steps: static int; the rates and confidence: float32 [].
      fluency_margin: float32 []: nats per position an iterate's -log P may exceed the initial
        output's (`MucocoSettings.fluency_margin`; NO_SCORE: no limit).
      top_k: static int, `MucocoSettings.top_k` (0: plain argmax iterates).

    Returns:
      dict of tokens int32 [b, L], satisfied / initial_satisfied bool [b], values [b, k],
      nll [b], steps int32 [].
    """
    vocab = model.config.vocab_size
    start_id = model.config.decoder_start_id
    hidden, encoder_mask = model.encode(encoder_tokens)
    mask, free = output_masks(initial_tokens, eos_id)
    fixed = ops.one_hot(initial_tokens, vocab)
    free3 = free[:, :, None]
    # Free positions never take pad or EOS: the length is fixed for the whole search.
    forbidden = ops.convert_to_tensor(
        np.isin(np.arange(vocab), (model.config.pad_id, eos_id)).astype(np.float32) * FORBIDDEN)

    def score(probs, log_probs=None):
        nll = soft_nll(model, probs, mask, hidden, encoder_mask, start_id, log_probs)
        return nll, constraint_values(constraints, SoftSequence(probs, mask, encoder_tokens))

    def hard_log_probs(tokens):
        probs = ops.one_hot(tokens, vocab)
        return probs, soft_log_probs(model, probs, hidden, encoder_mask, start_id)

    def hard(theta):
        """The hard iterate of theta: tokens [b, L], its -log P [b], values [b, k], and
        whether every free piece is within the model's top_k given its own prefix [b]."""
        tokens = ops.where(free, first_argmax(theta), initial_tokens)
        if not top_k:
            nll, values = score(ops.one_hot(tokens, vocab))
            return tokens, nll, values, ops.ones_like(nll, "bool")
        # COLD's discretisation: the top-k of the model given the argmax prefix, then a check
        # of every piece against the top-k given the prefix it really has.
        # Pad and EOS are pushed out of every top-k: free positions never take them.
        _, guide = hard_log_probs(tokens)
        tokens = ops.where(free, top_k_tokens(theta, guide - forbidden, top_k), initial_tokens)
        probs, log_probs = hard_log_probs(tokens)
        nll, values = score(probs, log_probs)
        fluent = ops.all(in_top_k(log_probs - forbidden, tokens, top_k) | ~free, axis=1)
        return tokens, nll, values, fluent

    initial_nll, initial_values = score(fixed)
    initial_ok = satisfied(initial_values, epsilons)
    positions = ops.sum(mask, axis=1)
    nll_limit = initial_nll + fluency_margin * positions
    state = {
        "index": ops.convert_to_tensor(0, "int32"),
        "theta": ops.log_softmax(confidence * fixed - forbidden, axis=-1),
        "multipliers": ops.zeros_like(initial_values),
        "tokens": initial_tokens,
        "nll": ops.where(initial_ok, initial_nll, NO_SCORE),
        "values": initial_values,
        "found": initial_ok,
    }

    def body(state):
        probs = ops.where(free3, ops.softmax(state["theta"], axis=-1), fixed)
        with tf.GradientTape() as tape:
            tape.watch(probs)
            nll, values = score(probs)
            loss = ops.sum(lagrangian(nll, values, epsilons, state["multipliers"]))
        gradient = tape.gradient(loss, probs)
        theta = exponentiated_gradient_step(state["theta"], gradient, learning_rate)
        multipliers = multiplier_ascent(state["multipliers"], values, epsilons,
                                        multiplier_learning_rate)
        tokens, hard_nll, hard_values, fluent = hard(theta)
        ok = satisfied(hard_values, epsilons) & (hard_nll <= nll_limit) & fluent
        better = ok & (hard_nll < state["nll"]) & ~initial_ok
        return {
            "index": state["index"] + 1,
            "theta": theta,
            "multipliers": multipliers,
            "tokens": ops.where(better[:, None], tokens, state["tokens"]),
            "nll": ops.where(better, hard_nll, state["nll"]),
            "values": ops.where(better[:, None], hard_values, state["values"]),
            "found": state["found"] | ok,
        }

    def is_done(state):
        return ops.all(state["found"]) if stop_when_satisfied else ops.all(initial_ok)

    final = decode_loop(body, state, is_done, steps)
    found = final["found"]
    return {"tokens": final["tokens"], "satisfied": found, "initial_satisfied": initial_ok,
            "values": final["values"], "nll": ops.where(found, final["nll"], initial_nll),
            "steps": final["index"]}


mucoco_search_xla = xla_function(mucoco_search)


def change_length(tokens: np.ndarray, offset: int, eos_id: int = EOS_ID) -> np.ndarray:
    """Initial outputs [b, L] at `offset` pieces from their length: offset < 0 drops the last
    pieces before EOS (at least one stays), offset > 0 repeats the last piece; EOS then pad."""
    changed = np.zeros_like(tokens)
    for row, sequence in enumerate(tokens):
        content = list(sequence)
        content = content[:content.index(eos_id)] if eos_id in content else content
        if offset < 0:
            content = content[:max(1, len(content) + offset)]
        elif content:
            content = content + [content[-1]] * offset
        content = content[:tokens.shape[1] - 1] + [eos_id]
        changed[row, :len(content)] = content
    return changed


def initial_output(model, encoder_tokens, max_decode_length: int, initial: str,
                   constraints: Sequence[Constraint] = (),
                   epsilons: Sequence[float] | None = None) -> np.ndarray:
    """The search's starting point, int32 [b, L]: greedy, the best of a 4-beam search, or the
    beam re-ranked by `constraints` under `epsilons` (`MucocoSettings.initial`)."""
    if initial == "rerank":
        # constraint_rerank builds on this module's constraint_values: imported here.
        from textedit.decoding.constraint_rerank import rerank_beams

        return rerank_beams(model, constraints, encoder_tokens, max_decode_length, epsilons)
    if initial == "beam":
        sequences, _ = beam_search_decode(model, encoder_tokens, max_decode_length)
        return np.asarray(sequences[:, 0])
    return np.asarray(greedy_decode(model, encoder_tokens, max_decode_length))


def mucoco_decode(model, encoder_tokens, max_decode_length: int,
                  constraints: Sequence[Constraint], epsilons: Sequence[float] | None = None,
                  settings: MucocoSettings | None = None, initial_tokens=None,
                  jit_compile: bool = True) -> MucocoResult:
    """MuCoCO decoding of a batch (one XLA search per length offset).

    Args:
      model: a T5EncoderDecoder; encoder_tokens: int [b, s] (0 = padding).
      max_decode_length: L, the output buffer (the initial decode's maximum length).
      constraints: k `Constraint`s; epsilons: their bounds (default: each constraint's own).
      settings: `MucocoSettings` (default values if None).
      initial_tokens: optional int [b, L] initial outputs (tokens, EOS, pad) instead of decoding.
      jit_compile: False runs the search eagerly (the same ops, for debugging and fast tests).

    Returns:
      a `MucocoResult`. Across length offsets a row takes the satisfying result of lowest
      -log P; a row whose initial output satisfies every constraint keeps it.
    """
    settings = settings or MucocoSettings()
    constraints = tuple(constraints)
    bounds = [c.epsilon for c in constraints] if epsilons is None else list(epsilons)
    if len(bounds) != len(constraints):
        raise ValueError(f"{len(bounds)} epsilons for {len(constraints)} constraints")
    encoder_tokens = tf.convert_to_tensor(encoder_tokens, tf.int32)
    if initial_tokens is None:
        initial_tokens = initial_output(model, encoder_tokens, max_decode_length,
                                        settings.initial, constraints, bounds)
    initial_tokens = np.asarray(initial_tokens, np.int32)
    arguments = (tf.constant(bounds, tf.float32), settings.steps,
                 tf.constant(settings.learning_rate, tf.float32),
                 tf.constant(settings.multiplier_learning_rate, tf.float32),
                 tf.constant(settings.confidence, tf.float32), settings.stop_when_satisfied,
                 tf.constant(NO_SCORE if settings.fluency_margin is None
                             else settings.fluency_margin, tf.float32),
                 settings.top_k or 0)
    best, steps = None, 0
    for offset in settings.length_offsets:
        start = initial_tokens if offset == 0 else change_length(initial_tokens, offset)
        search = mucoco_search_xla if jit_compile else mucoco_search
        found = {k: np.asarray(v) for k, v in search(
            model, constraints, encoder_tokens, tf.constant(start), *arguments).items()}
        steps += int(found["steps"])
        if best is None:
            best = found
            continue
        take = (found["satisfied"] & ~best["initial_satisfied"]
                & (~best["satisfied"] | (found["nll"] < best["nll"])))
        for key in ("tokens", "values", "nll"):
            best[key] = np.where(take.reshape((-1,) + (1,) * (best[key].ndim - 1)),
                                 found[key], best[key])
        best["satisfied"] = best["satisfied"] | found["satisfied"]
    return MucocoResult(tokens=best["tokens"], satisfied=best["satisfied"],
                        initial_satisfied=best["initial_satisfied"], values=best["values"],
                        nll=best["nll"], names=tuple(c.name for c in constraints), steps=steps)
