"""An EdiT5 model as an RL policy: the in-graph realisation equals the numpy one, and the
teacher-forced log-probability of a sampled edit equals the sampler's own, with and without the
word guards; it is differentiable in the weights."""

import numpy as np
import pytest
import tensorflow as tf
from test_edit_inference import BATCH, INSERT, LENGTH, RANDOM_VOCAB  # tests/decoding: on the path

from textedit.decoding.edit_inference import realise_batch, sample_edit_loop
from textedit.decoding.edit_policy import edit5_policy, edit_log_probs, realise_in_graph
from textedit.decoding.word_guards import gather_word_starts

OUTPUT = LENGTH + INSERT


def _table():  # ids 33 .. 36 open words, 37 .. 39 continue them
    table = np.zeros(RANDOM_VOCAB, bool)
    table[33:37] = True
    return table


# One XLA compilation each (about 12 and 23 s); the word-guard case, which `textedit edit` and
# the RL gin files use, runs by default.
@pytest.mark.parametrize("word_guards", [pytest.param(False, marks=pytest.mark.slow), True])
def test_sampled_edit_log_prob_and_realisation_match(model_and_tokens, word_guards):
    model, tokens = model_and_tokens
    table = _table() if word_guards else None
    config = model.config

    @tf.function(jit_compile=True)
    def run(tokens, seed):
        word_start = None if table is None else gather_word_starts(tokens, table)
        outputs, sampled = sample_edit_loop(model, tokens, INSERT, seed, word_start=word_start,
                                            word_start_table=table)
        realised = realise_in_graph(tokens, outputs.order, outputs.insertion_tokens,
                                    first_position_id=config.first_position_id,
                                    num_position_tokens=config.num_position_tokens,
                                    max_length=OUTPUT)
        forced = edit_log_probs(model, tokens, outputs, word_start=word_start,
                                word_start_table=table)
        return outputs, sampled, realised, forced

    inserted = 0
    for seed in range(3):
        outputs, sampled, realised, forced = run(tf.constant(tokens), tf.constant([seed, 7]))
        np.testing.assert_allclose(forced.numpy(), sampled.numpy(), rtol=1e-4, atol=1e-3)
        expected = realise_batch(tokens, outputs.tags.numpy(), outputs.pointers.numpy(),
                                 outputs.insertion_tokens.numpy(),
                                 first_position_id=config.first_position_id,
                                 num_position_tokens=config.num_position_tokens)
        for row, edit in enumerate(expected):
            ids = realised.numpy()[row].tolist()
            assert ids[:ids.index(1)] == edit.tokens, row
            assert set(ids[ids.index(1) + 1:]) <= {0}
            inserted += sum(len(span) for _, span in edit.plan.insertions)
    assert inserted > 0  # the rows insert, so the insertion part of the realisation is checked


def test_realise_in_graph_on_a_constructed_edit():
    # Inputs: 11 12 13 EOS; keep 13 then 11 (order 2, 0); insert <pos_0> 21 <pos_1> 22 23 EOS.
    # <pos_k>: id 3 + k. Tokens before the first <pos_k> (20) are dropped, as the parser does.
    tokens = np.array([[11, 12, 13, 1, 0]])
    order = np.array([[2, 0, -1, -1, -1]])
    insertions = np.array([[20, 3, 21, 4, 22, 23, 1, 0]])
    out = realise_in_graph(tokens, order, insertions, first_position_id=3,
                           num_position_tokens=8, max_length=8)
    assert out.numpy().tolist() == [[21, 13, 22, 23, 11, 1, 0, 0]]
    cut = realise_in_graph(tokens, order, insertions, first_position_id=3,
                           num_position_tokens=8, max_length=4)
    assert cut.numpy().tolist() == [[21, 13, 22, 1]]  # t - 1 pieces, then EOS


def test_edit_policy_log_probs_are_differentiable(model_and_tokens):
    model, tokens = model_and_tokens
    policy = edit5_policy(max_insert_length=INSERT)
    responses, sample = policy.sample(model, tf.constant(tokens), OUTPUT, tf.constant([0, 1]))
    assert responses.shape == (BATCH, OUTPUT)
    with tf.GradientTape() as tape:
        log_pi = policy.log_probs(model, tf.constant(tokens), sample)
        loss = -tf.reduce_sum(log_pi)
    grads = tape.gradient(loss, model.trainable_variables)
    norms = [float(tf.norm(g)) for g in grads if g is not None]
    assert len(norms) > len(model.trainable_variables) // 2 and max(norms) > 0
