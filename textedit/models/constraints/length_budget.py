"""`LengthBudget`: the output's size relative to the source's, from a per-piece size table."""

from __future__ import annotations

import numpy as np
from keras import ops

from textedit.models.constraints.soft_sequence import Constraint, SoftSequence

WORD_START_MARK = "\u2581"


def piece_char_lengths(vocabulary) -> np.ndarray:
    """float32 [vocab_size]: the characters each id adds to the detokenised text (a word-start
    piece "▁word" counts its space); control ids (pad, EOS, unknown), sentinels and ids beyond
    the SentencePiece model count 0.

    Args:
      vocabulary: a `seqio.SentencePieceVocabulary` whose model file exists.
    """
    processor = vocabulary.tokenizer
    sizes = np.zeros(vocabulary.vocab_size, np.float32)
    for piece_id in range(processor.get_piece_size()):
        if processor.is_control(piece_id) or processor.is_unknown(piece_id):
            continue
        sizes[piece_id] = len(processor.id_to_piece(piece_id).replace(WORD_START_MARK, " "))
    return sizes


class LengthBudget(Constraint):
    """f = expected output size / source size (relative) or expected output size (absolute).

    The size of a position is `sum_v p_v * piece_sizes[v]`, so under a fixed number of pieces
    the decoder can still shorten the text by choosing shorter pieces (or, decoded at a shorter
    length, drop words). With `relative=True`, epsilon = 0.9 asks for at most 90% of the source's
    characters.
    """

    name = "length"

    def __init__(self, piece_sizes, epsilon: float = 0.9, relative: bool = True):
        """piece_sizes: float [vocab_size] (e.g. `piece_char_lengths(vocabulary)`)."""
        self.piece_sizes = np.asarray(piece_sizes, np.float32)
        if self.piece_sizes.ndim != 1:
            raise ValueError(f"piece_sizes: expected a vector [vocab_size], got shape "
                             f"{self.piece_sizes.shape}")
        self.epsilon = float(epsilon)
        self.relative = relative

    def __call__(self, soft: SoftSequence):
        vocab = soft.probs.shape[-1]
        # The model may round its vocabulary up (16,100 ids -> 16,128 rows): extra ids count 0.
        sizes = np.zeros(vocab, np.float32)
        known = min(vocab, self.piece_sizes.size)
        sizes[:known] = self.piece_sizes[:known]
        sizes = ops.convert_to_tensor(sizes)
        output = ops.sum(ops.einsum("btv,v->bt", soft.probs, sizes) * soft.mask, axis=1)
        if not self.relative:
            return output
        source = ops.sum(ops.take(sizes, ops.cast(soft.source_tokens, "int32")), axis=1)
        return output / ops.maximum(source, 1.0)
