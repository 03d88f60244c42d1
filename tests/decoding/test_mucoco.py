"""MuCoCO decoding (textedit/decoding/mucoco.py) on the tiny random T5 of the decoding tests:
soft inputs read like hard ones when one-hot, and every returned output either satisfies its
constraints (checked again from its tokens) or is the initial output, flagged.

The searches run eagerly (`jit_compile=False`: the same ops, no compilation); one slow test runs
the compiled search and checks that it returns what the eager one does."""

import numpy as np
import pytest
import tensorflow as tf
from decoding_cases import MAX_LENGTH, VOCAB, eos_processor
from keras import ops

from textedit.decoding.constraint_rerank import hard_constraint_values
from textedit.decoding.greedy import greedy_decode
from textedit.decoding.mucoco import (
    MucocoSettings,
    change_length,
    in_top_k,
    mucoco_decode,
    output_masks,
    soft_nll,
    top_k_tokens,
)
from textedit.models.constraints import KeywordInclusion, LengthBudget
from textedit.objectives.seq2seq import seq2seq_cross_entropy

SETTINGS = MucocoSettings(steps=30, learning_rate=2.0, multiplier_learning_rate=2.0,
                          confidence=6.0)


@pytest.fixture(scope="module")
def initial(model, encoder_tokens):
    """Greedy outputs: rows end with EOS at different steps; one may have none."""
    return np.asarray(greedy_decode(model, encoder_tokens, MAX_LENGTH,
                                    logits_processor=eos_processor))


@pytest.fixture(scope="module")
def constraints(initial):
    """A keyword absent from every initial output, and the length in pieces (absolute)."""
    keyword = next(k for k in range(2, VOCAB) if k not in initial)
    return (KeywordInclusion([keyword]), LengthBudget(np.ones(VOCAB), relative=False))


def lengths_of(tokens):
    return [list(row).index(1) + 1 if 1 in row else MAX_LENGTH for row in tokens]


def test_soft_nll_of_one_hot_equals_teacher_forced_cross_entropy(model, encoder_tokens, initial):
    hidden, encoder_mask = model.encode(encoder_tokens)
    mask, _ = output_masks(ops.convert_to_tensor(initial))
    soft = np.asarray(soft_nll(model, ops.one_hot(initial, VOCAB), mask, hidden, encoder_mask, 0))
    decoder_inputs = np.concatenate([np.zeros((3, 1), np.int32), initial[:, :-1]], axis=1)
    logits = model({"encoder_input_tokens": encoder_tokens, "decoder_input_tokens":
                    decoder_inputs})
    for row in range(3):
        hard = seq2seq_cross_entropy(logits[row:row + 1], initial[row:row + 1],
                                     mask[row:row + 1]).cross_entropy
        np.testing.assert_allclose(soft[row], float(hard), rtol=1e-4)
    assert soft.min() > 0


def test_output_masks_fix_eos_and_padding():
    mask, free = output_masks(ops.convert_to_tensor([[5, 6, 1, 0], [7, 8, 9, 9], [1, 0, 0, 0]]))
    assert np.asarray(mask).tolist() == [[1, 1, 1, 0], [1, 1, 1, 1], [1, 0, 0, 0]]
    assert np.asarray(free).tolist() == [[True, True, False, False], [True] * 4, [False] * 4]


def test_change_length_drops_or_repeats_pieces_before_eos():
    tokens = np.array([[5, 6, 7, 1, 0, 0], [5, 1, 0, 0, 0, 0]], np.int32)
    assert change_length(tokens, -2).tolist() == [[5, 1, 0, 0, 0, 0], [5, 1, 0, 0, 0, 0]]
    assert change_length(tokens, 1).tolist() == [[5, 6, 7, 7, 1, 0], [5, 5, 1, 0, 0, 0]]


def test_keyword_is_reached_and_every_output_is_satisfied_or_flagged(
        model, encoder_tokens, initial, constraints):
    keyword = int(constraints[0].keyword_ids[0])
    result = mucoco_decode(model, encoder_tokens, MAX_LENGTH, constraints, [0.0, MAX_LENGTH],
                           settings=SETTINGS, initial_tokens=initial, jit_compile=False)
    assert result.names == ("keyword", "length")
    assert not result.initial_satisfied.any()
    assert result.satisfied.sum() >= 2  # the search does put the keyword in
    values = hard_constraint_values(constraints, encoder_tokens, result.tokens, VOCAB)
    np.testing.assert_allclose(values, result.values, atol=1e-5)
    assert lengths_of(result.tokens) == lengths_of(initial)  # the length never changes
    for row in range(3):
        if result.satisfied[row]:
            assert keyword in result.tokens[row] and values[row, 0] == 0.0
            assert 0 not in result.tokens[row, :lengths_of(initial)[row] - 1]  # no pad inside
        else:
            np.testing.assert_array_equal(result.tokens[row], initial[row])


def test_an_unreachable_constraint_returns_the_initial_output_flagged(
        model, encoder_tokens, initial, constraints):
    settings = MucocoSettings(steps=3)
    result = mucoco_decode(model, encoder_tokens, MAX_LENGTH, constraints, [1.0, -1.0],
                           settings=settings, initial_tokens=initial, jit_compile=False)
    assert not result.satisfied.any() and result.steps == 3
    np.testing.assert_array_equal(result.tokens, initial)
    np.testing.assert_allclose(result.values[:, 1], lengths_of(initial))


def test_a_fluency_margin_no_iterate_meets_leaves_the_initial_output_flagged(
        model, encoder_tokens, initial, constraints):
    settings = MucocoSettings(steps=5, learning_rate=2.0, multiplier_learning_rate=2.0,
                              confidence=6.0, fluency_margin=-100.0)
    result = mucoco_decode(model, encoder_tokens, MAX_LENGTH, constraints, [0.0, MAX_LENGTH],
                           settings=settings, initial_tokens=initial, jit_compile=False)
    assert not result.satisfied.any() and result.steps == 5
    np.testing.assert_array_equal(result.tokens, initial)


def test_an_initial_output_that_satisfies_is_kept_without_steps(
        model, encoder_tokens, initial, constraints):
    result = mucoco_decode(model, encoder_tokens, MAX_LENGTH, constraints, [1.0, MAX_LENGTH],
                           settings=SETTINGS, initial_tokens=initial, jit_compile=False)
    assert result.satisfied.all() and result.initial_satisfied.all() and result.steps == 0
    np.testing.assert_array_equal(result.tokens, initial)


def test_top_k_tokens_take_the_largest_weight_among_the_models_top_k():
    log_probs = np.log([[[0.5, 0.3, 0.15, 0.05], [0.1, 0.2, 0.3, 0.4]]], dtype=np.float32)
    theta = np.array([[[0.0, 1.0, 2.0, 9.0], [5.0, 4.0, 0.0, 1.0]]], np.float32)
    assert np.asarray(top_k_tokens(theta, log_probs, 1)).tolist() == [[0, 3]]
    assert np.asarray(top_k_tokens(theta, log_probs, 2)).tolist() == [[1, 3]]
    assert np.asarray(top_k_tokens(theta, log_probs, 3)).tolist() == [[2, 1]]
    assert np.asarray(top_k_tokens(theta, log_probs, 4)).tolist() == [[3, 0]]
    # one round: only the largest weight is tried; outside the top k, the model's best piece
    assert np.asarray(top_k_tokens(theta, log_probs, 2, rounds=1)).tolist() == [[0, 3]]
    assert np.asarray(in_top_k(log_probs, [[2, 0]], 3)).tolist() == [[True, False]]
    assert np.asarray(in_top_k(log_probs, [[3, 0]], 4)).tolist() == [[True, True]]


def free_pieces_in_top_k(model, encoder_tokens, tokens, k):
    """[b] bool: every piece before EOS is among the model's k most probable given its own
    prefix (teacher-forced logits of the model's call, not of the search's code)."""
    decoder_inputs = np.concatenate([np.zeros((len(tokens), 1), np.int32), tokens[:, :-1]], 1)
    logits = np.asarray(model({"encoder_input_tokens": encoder_tokens,
                               "decoder_input_tokens": decoder_inputs}))[..., :VOCAB].copy()
    logits[..., :2] = -np.inf  # pad and EOS are never chosen at free positions
    rows = []
    for row, length in enumerate(lengths_of(tokens)):
        ranks = [(logits[row, t] > logits[row, t, tokens[row, t]]).sum()
                 for t in range(length - 1)]
        rows.append(max(ranks, default=0) < k)
    return np.array(rows)


def test_with_top_k_every_returned_iterate_stays_on_the_models_top_k_paths(
        model, encoder_tokens, initial, constraints):
    settings = MucocoSettings(steps=30, learning_rate=2.0, multiplier_learning_rate=2.0,
                              confidence=6.0, top_k=32)
    result = mucoco_decode(model, encoder_tokens, MAX_LENGTH, constraints, [0.0, MAX_LENGTH],
                           settings=settings, initial_tokens=initial, jit_compile=False)
    # The keyword ranks below 16 wherever this random model could put it: with k = 16 no row
    # is satisfied; with k = 32 two are.
    assert result.satisfied.sum() >= 2
    values = hard_constraint_values(constraints, encoder_tokens, result.tokens, VOCAB)
    np.testing.assert_allclose(values, result.values, atol=1e-5)
    on_paths = free_pieces_in_top_k(model, encoder_tokens, result.tokens, 32)
    for row in range(3):
        if result.satisfied[row]:
            assert values[row, 0] == 0.0 and on_paths[row]
        else:
            np.testing.assert_array_equal(result.tokens[row], initial[row])


def test_top_1_can_only_return_the_greedy_output(model, encoder_tokens, initial, constraints):
    """With k = 1 every iterate is the greedy path, which lacks the keyword: all flagged."""
    settings = MucocoSettings(steps=4, learning_rate=2.0, multiplier_learning_rate=2.0,
                              confidence=6.0, top_k=1)
    result = mucoco_decode(model, encoder_tokens, MAX_LENGTH, constraints, [0.0, MAX_LENGTH],
                           settings=settings, initial_tokens=initial, jit_compile=False)
    assert not result.satisfied.any() and result.steps == 4
    np.testing.assert_array_equal(result.tokens, initial)
    with pytest.raises(ValueError, match="top_k"):
        MucocoSettings(top_k=0)


@pytest.mark.slow
def test_the_compiled_search_is_one_xla_loop_and_returns_what_the_eager_one_does(
        model, encoder_tokens, initial, constraints):
    from textedit.decoding.mucoco import mucoco_search_xla

    assert isinstance(mucoco_search_xla, tf.types.experimental.PolymorphicFunction)
    eager, compiled = (mucoco_decode(model, encoder_tokens, MAX_LENGTH, constraints,
                                     [0.0, MAX_LENGTH], settings=SETTINGS, initial_tokens=initial,
                                     jit_compile=jit) for jit in (False, True))
    np.testing.assert_array_equal(compiled.tokens, eager.tokens)
    np.testing.assert_array_equal(compiled.satisfied, eager.satisfied)
    np.testing.assert_allclose(compiled.nll, eager.nll, rtol=1e-4)
