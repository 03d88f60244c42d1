"""Splicing an image tower's vectors into the T5 encoder input, in front of the text.

    embeddings, mask, is_text = splice_image(token_embeddings, token_mask, image_vectors,
                                             begin_marker, end_marker)

Layout of the spliced sequence, length L = P + 2 + s:

    [<image>] v_1 ... v_P [</image>] t_1 ... t_s
     marker    image vectors   marker   the token embeddings, padding included

The markers are two learned vectors (not vocabulary ids, so the vocabulary and its embedding
table stay as they are) that tell the encoder where the image starts and ends. The text keeps
its order and comes last, so text position j of the tokens is position P + 2 + j of the spliced
sequence (`text_part` takes it back out); image and marker positions are always attended to,
padding tokens keep mask False. `is_text` marks the token positions: anything that scores
encoder positions (an EdiT5 tagger or pointer) must weigh only those; seq2seq losses are on
decoder targets and never see encoder positions at all.
"""

from __future__ import annotations

from keras import ops


def splice_image(token_embeddings, token_mask, image_vectors, begin_marker, end_marker):
    """Image vectors and markers in front of the token embeddings.

    Args:
      token_embeddings: [b, s, d] embedded tokens.
      token_mask: bool [b, s], True on real tokens.
      image_vectors: [b, P, d] the image tower's output.
      begin_marker, end_marker: [d] learned vectors.

    Returns:
      (embeddings [b, P + 2 + s, d], mask bool [b, P + 2 + s], is_text bool [b, P + 2 + s]).
    """
    batch = ops.shape(token_embeddings)[0]
    dtype = token_embeddings.dtype
    begin = ops.broadcast_to(ops.cast(begin_marker, dtype)[None, None, :], (batch, 1, ops.shape(
        token_embeddings)[-1]))
    end = ops.broadcast_to(ops.cast(end_marker, dtype)[None, None, :], ops.shape(begin))
    embeddings = ops.concatenate(
        [begin, ops.cast(image_vectors, dtype), end, token_embeddings], axis=1)
    image_length = ops.shape(image_vectors)[1] + 2
    image_true = ops.ones((batch, image_length), dtype="bool")
    mask = ops.concatenate([image_true, ops.cast(token_mask, "bool")], axis=1)
    is_text = ops.concatenate(
        [ops.zeros((batch, image_length), dtype="bool"), ops.ones_like(token_mask, dtype="bool")],
        axis=1)
    return embeddings, mask, is_text


def text_part(spliced, num_patches: int):
    """The token positions of a spliced sequence: [b, P + 2 + s, ...] -> [b, s, ...]."""
    return spliced[:, num_patches + 2:]
