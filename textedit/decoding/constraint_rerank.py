"""Constraint values of hard outputs, and re-ranking a beam by them: the re-ranking baseline of
MuCoCO's comparison, and its optional starting point (`MucocoSettings.initial="rerank"`).

    values = hard_constraint_values(constraints, encoder_tokens, tokens, vocab_size)  # [b, k]
    tokens = rerank_beams(model, constraints, encoder_tokens, 64)                     # [b, 64]
    tokens = rerank_sequences(constraints, encoder_tokens, beams, vocab_size)  # beams [b, n, L]

A beam satisfies the constraints when every value is at most its epsilon (the units of
textedit/decoding/constraint_specs.py); re-ranking keeps the most probable beam that does, and
the best beam where none does.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from keras import ops

from textedit.decoding.beam_search import beam_search_decode
from textedit.decoding.decode_loop import EOS_ID
from textedit.decoding.mucoco import constraint_values, output_masks
from textedit.models.constraints.soft_sequence import Constraint, SoftSequence

RERANK_BEAMS = 4


def hard_constraint_values(constraints: Sequence[Constraint], encoder_tokens, tokens,
                           vocab_size: int, eos_id: int = EOS_ID,
                           rows_per_chunk: int = 64) -> np.ndarray:
    """float32 [b, k]: the constraints' values of hard outputs (read as one-hot soft sequences).

    Args:
      constraints: k `Constraint`s; encoder_tokens: int [b, s] (0 = padding).
      tokens: int [b, L] outputs (pieces, EOS, pad).
      rows_per_chunk: rows scored at once; the one-hot input is [rows, L, vocab_size] floats
        (64 x 64 x 16k: 256 MB), so a whole validation split at once would not fit in memory.
    """
    encoder_tokens = np.asarray(encoder_tokens, np.int32)
    tokens = np.asarray(tokens, np.int32)
    values = []
    for start in range(0, len(tokens), rows_per_chunk):
        chunk = ops.convert_to_tensor(tokens[start:start + rows_per_chunk])
        mask, _ = output_masks(chunk, eos_id)
        soft = SoftSequence(ops.one_hot(chunk, vocab_size), mask, ops.convert_to_tensor(
            encoder_tokens[start:start + rows_per_chunk]))
        values.append(np.asarray(constraint_values(constraints, soft)))
    return np.concatenate(values) if values else np.zeros((0, len(constraints)), np.float32)


def choose_satisfying(values: np.ndarray, epsilons: Sequence[float]) -> np.ndarray:
    """int [b]: per row the first candidate (best first) whose values [b, n, k] are all within
    `epsilons` [k]; candidate 0 where none is."""
    ok = (values <= np.asarray(epsilons, np.float32)).all(axis=-1)  # [b, n]
    return np.where(ok.any(axis=1), ok.argmax(axis=1), 0)


def rerank_sequences(constraints: Sequence[Constraint], encoder_tokens, sequences,
                     vocab_size: int, epsilons: Sequence[float] | None = None) -> np.ndarray:
    """int32 [b, L]: per row the first of its candidates `sequences` int [b, n, L] (best first)
    that satisfies every constraint (epsilons: each constraint's own when None), else the first.
    """
    bounds = [c.epsilon for c in constraints] if epsilons is None else list(epsilons)
    sequences = np.asarray(sequences)
    b, n, length = sequences.shape
    values = hard_constraint_values(constraints, np.repeat(np.asarray(encoder_tokens), n, axis=0),
                                    sequences.reshape(b * n, length), vocab_size)
    return sequences[np.arange(b), choose_satisfying(values.reshape(b, n, -1), bounds)]


def rerank_beams(model, constraints: Sequence[Constraint], encoder_tokens, max_length: int,
                 epsilons: Sequence[float] | None = None,
                 beam_size: int = RERANK_BEAMS) -> np.ndarray:
    """int32 [b, max_length]: per row the most probable of `beam_size` beams that satisfies every
    constraint (epsilons: each constraint's own when None), else the best beam."""
    sequences, _ = beam_search_decode(model, encoder_tokens, max_length, beam_size=beam_size)
    return rerank_sequences(constraints, encoder_tokens, sequences, model.config.vocab_size,
                            epsilons)
