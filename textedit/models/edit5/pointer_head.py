"""EdiT5's pointer network: where each kept position points next, as log S after Sinkhorn
(docs/algorithms.md#edit5-sinkhorn).

    log_s = PointerHead(config, pointer_dim, iterations)(h_t, kept, token_mask)   # [b, L, L]

Scores α[m, j] = q(h^t)_m · k(h^t)_j / sqrt(pointer_dim) + b(j - m), with q = one dense layer and
k = one Transformer layer followed by one dense layer. b is an optional learnt scalar per bucket of
the relative position j - m (T5's bidirectional buckets; not in the paper; on by default,
Edit5Config.pointer_position_bias), initialised to 0 except b(+1) = `next_position_prior`: most
pointers go to the next position, so an untrained head already keeps the source order and
training learns the exceptions. Why a prior rather than a zero start: with Adam a scalar moves
about one learning rate per step, so b(+1) would need thousands of steps to outweigh the random
q · k scores, and until then the outputs come out scrambled. START (the EOS position, at the end)
points to the first kept token, at an offset that depends on the length, so no relative bucket
can carry that prior: a constant `start_prior` is added to the score START -> position 0 instead
(not learnt; q · k learns around it).

The square matrix covers every encoder position; position conventions are those of the features
(`textedit.data.edit5.edit_features`): the EOS position
doubles as START, `pointers[p]` is the position that follows p in the output, the last kept
position points back to START and deleted or padding positions point to themselves.

How deleted tokens enter the square matrix (the paper is silent; `pointer_mask`): a row m that
is not kept (deleted or padding) may only point to itself, and no kept row may point to it. Kept
rows (START included) may point to any other kept position, never to themselves, except START
when nothing else is kept (its only option is itself). The gold pointers are always allowed and
the mask always admits a permutation (identity outside the kept block, a cycle inside), so
Sinkhorn can make the matrix doubly stochastic.

`chain_positions` turns a pointer array into re-ordered positions (1 .. K along the chain, 0 for
START, deleted and padding positions), the input of the re-order position embedding.
"""

from __future__ import annotations

import keras
from keras import ops

from textedit.models.edit5.sinkhorn import log_sinkhorn
from textedit.models.edit5.tagger_head import single_layer_encoder
from textedit.models.t5.relative_position_bias import RelativePositionBias, relative_position_bucket
from textedit.models.t5.t5_config import T5Config


def pointer_mask(kept):
    """Allowed pointer entries (module docstring).

    Args:
      kept: bool [b, L], True on kept positions including START (the EOS position); False on
        deleted and padding positions.

    Returns:
      bool [b, L, L]; entry [r, m, j] allows m -> j.
    """
    kept = ops.cast(kept, "bool")
    length = ops.shape(kept)[1]
    eye = ops.eye(length, dtype="bool")[None]  # [1, L, L]
    alone = ops.sum(ops.cast(kept, "int32"), axis=1) <= 1  # only START kept: it loops on itself
    kept_pair = ops.logical_and(kept[:, :, None], kept[:, None, :])
    between_kept = ops.logical_and(kept_pair, ops.logical_not(eye))
    self_loop = ops.logical_and(
        eye, ops.logical_or(ops.logical_not(kept)[:, :, None], alone[:, None, None]))
    return ops.logical_or(between_kept, self_loop)


def chain_positions(pointers, start):
    """Re-ordered positions along the pointer chain from START.

    Args:
      pointers: int [b, L], pointers[r, p] = the position after p (features' convention).
      start: int [b], the START (EOS) position of each row.

    Returns:
      int32 [b, L]: k for the k-th position visited after START (k = 1 .. K), 0 for START and
      every position off the chain (deleted, padding). A chain that never returns to START
      (invalid pointers) is followed for L steps at most.
    """
    pointers = ops.cast(pointers, "int32")
    start = ops.cast(start, "int32")
    length = ops.shape(pointers)[1]  # a Python int when static, else a scalar tensor
    columns = ops.arange(length, dtype="int32")[None, :]

    def body(step, state):
        current, positions, done = state
        following = ops.take_along_axis(pointers, current[:, None], axis=1)[:, 0]
        done = ops.logical_or(done, ops.equal(following, start))
        visit = ops.logical_and(ops.equal(columns, following[:, None]),
                                ops.logical_not(done)[:, None])
        positions = ops.where(visit, step + 1, positions)
        return following, positions, done

    state = (start, ops.zeros_like(pointers), ops.zeros_like(start, dtype="bool"))
    return ops.fori_loop(0, length, body, state)[1]


class PointerHead(keras.layers.Layer):
    """Pointer scores with the mask and Sinkhorn applied.

    Sub-layers: `query` (Dense d_model -> pointer_dim), `key_layer` (a 1-block `T5Encoder`),
    `key` (Dense d_model -> pointer_dim); both dense layers have a bias; `position_bias` (a
    1-head RelativePositionBias, 0 but for the +1 bucket) when `position_bias`.

    Call: hidden [b, L, d_model] (the tag-conditioned states h^t), kept bool [b, L] (START
    included), token_mask bool [b, L] -> log S float32 [b, L, L] (`sinkhorn.MASKED` where masked;
    every row an exact log-distribution).
    """

    def __init__(self, config: T5Config, pointer_dim: int, sinkhorn_iterations: int,
                 position_bias: bool = False, next_position_prior: float = 0.0,
                 start_prior: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.config = config
        self.pointer_dim = pointer_dim
        self.sinkhorn_iterations = sinkhorn_iterations
        self.use_position_bias = position_bias
        self.next_position_prior = next_position_prior
        self.start_prior = start_prior

    def build(self, input_shape=None):
        d_model, policy = self.config.d_model, self.dtype_policy
        self.query = keras.layers.Dense(self.pointer_dim, name="query", dtype=policy)
        self.query.build((None, None, d_model))
        self.key_layer = single_layer_encoder(self.config, "key_layer", policy)
        self.key = keras.layers.Dense(self.pointer_dim, name="key", dtype=policy)
        self.key.build((None, None, d_model))
        if self.use_position_bias:
            self.position_bias = RelativePositionBias(
                1, self.config.relative_attention_num_buckets,
                self.config.relative_attention_max_distance, bidirectional=True,
                embeddings_stddev=0.0, name="position_bias", dtype=policy)
            self.position_bias.build()
            next_bucket = relative_position_bucket(
                ops.ones((), "int32"), True, self.config.relative_attention_num_buckets,
                self.config.relative_attention_max_distance)
            initial = ops.zeros_like(self.position_bias.embeddings)
            self.position_bias.embeddings.assign(ops.where(
                ops.arange(ops.shape(initial)[0])[:, None] == next_bucket,
                self.next_position_prior, initial))

    def scores(self, hidden, token_mask, training=False):
        """Raw α [b, L, L] (float32), before masking and Sinkhorn."""
        queries = self.query(hidden)
        keys = self.key(self.key_layer(hidden, token_mask, training=training))
        scores = ops.einsum("bmd,bjd->bmj", ops.cast(queries, "float32"),
                            ops.cast(keys, "float32"))
        scores = scores * (self.pointer_dim**-0.5)
        if self.use_position_bias:
            positions = ops.arange(ops.shape(hidden)[1], dtype="int32")
            scores = scores + ops.cast(self.position_bias(positions, positions)[0], "float32")
        return scores

    def call(self, hidden, kept, token_mask, training=False):
        token_mask = ops.cast(token_mask, "bool")
        mask = pointer_mask(ops.logical_and(ops.cast(kept, "bool"), token_mask))
        scores = self.scores(hidden, token_mask, training)
        if self.start_prior:
            # START is the last unpadded position; its prior goes to column 0.
            length = ops.shape(token_mask)[1]
            start = ops.maximum(ops.sum(ops.cast(token_mask, "int32"), axis=1) - 1, 0)
            rows = ops.equal(ops.arange(length, dtype="int32")[None, :], start[:, None])
            columns = ops.equal(ops.arange(length, dtype="int32"), 0)
            prior = ops.logical_and(rows[:, :, None], columns[None, None, :])
            scores = scores + ops.cast(prior, "float32") * self.start_prior
        return log_sinkhorn(scores, mask, self.sinkhorn_iterations)
