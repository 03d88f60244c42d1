"""CTC reading loss of an image tower: its vectors, left to right, spell the target pieces.

    losses, feasible = ctc_reading_loss(reading_logits, decoder_target_tokens)

An image tower trained only through the correction loss learns to read slowly: the noisy text is
already about 95% right, so the decoder copies it and the image's gradient is weak (measured: a
tower run was no better than text alone at 3,000 steps). Connectionist Temporal Classification
(Graves et al., 2006) gives the tower a direct, monotone reading target: each of its P vectors,
scored against the vocabulary (`T5WithImageTower.reading_logits`), emits a piece or the blank,
and the loss sums over every alignment whose collapsed output is the target. Pieces are the
target's SentencePiece ids; the blank is the padding id 0, which no target contains.
"""

from __future__ import annotations

from keras import ops

BLANK_ID = 0  # padding: never a target piece
EOS_ID = 1


def reading_labels(target_tokens):
    """target_tokens int [b, t] (pieces, EOS, padding 0) -> (labels int32 [b, t] with EOS and
    padding set to the blank, lengths int32 [b]): the pieces each image should spell."""
    tokens = ops.cast(target_tokens, "int32")
    is_piece = tokens > EOS_ID
    labels = ops.where(is_piece, tokens, ops.zeros_like(tokens))
    return labels, ops.sum(ops.cast(is_piece, "int32"), axis=1)


def ctc_feasible(labels, lengths, num_frames):
    """bool [b]: whether `num_frames` (int or int32 []) frames can spell each label sequence.
    CTC needs a blank between equal neighbours, so it needs length + (number of repeated
    neighbours) frames."""
    repeats = ops.logical_and(labels[:, 1:] == labels[:, :-1], labels[:, 1:] != BLANK_ID)
    needed = lengths + ops.sum(ops.cast(repeats, "int32"), axis=1)
    return needed <= num_frames


def local_classes(log_probs, labels):
    """The CTC problem of each row restricted to the classes its labels use.

    CTC over the full vocabulary (16k classes) made a training step several times slower;
    only the blank and the row's own pieces can appear on an alignment, and the rest of the
    vocabulary only matters through the probability mass it takes. So each row gets the classes
    [blank, its pieces (one per distinct piece), rest], where rest = log(1 - the others' mass):
    a reparametrisation with the same probabilities of every alignment, hence the same loss and
    gradient (up to clamping rest at 1e-20).

    Args:
      log_probs: float32 [b, P, vocab], log-softmax of the reading logits.
      labels: int32 [b, t] pieces, padded with the blank 0.

    Returns:
      (local log-probs float32 [b, P, t + 2], local labels int32 [b, t]): class 0 is the blank,
      class 1 + j the piece at label position j (a repeated piece takes the class of its first
      occurrence, so CTC still needs a blank between equal neighbours), class t + 1 the rest.
    """
    t = labels.shape[1]
    same = labels[:, :, None] == labels[:, None, :]  # [b, t, t]
    first = ops.cast(ops.argmax(ops.cast(same, "int32"), axis=-1), "int32")  # [b, t]
    is_piece = labels != BLANK_ID
    local_labels = ops.where(is_piece, first + 1, ops.zeros_like(first))
    owns_class = ops.logical_and(is_piece, first == ops.arange(t, dtype="int32")[None, :])
    frames = ops.shape(log_probs)[1]
    columns = ops.broadcast_to(labels[:, None, :], (ops.shape(labels)[0], frames, t))
    pieces = ops.take_along_axis(log_probs, columns, axis=2)  # [b, P, t]
    pieces = ops.where(owns_class[:, None, :], pieces, ops.full_like(pieces, -1e9))
    blank = log_probs[:, :, BLANK_ID:BLANK_ID + 1]
    used = ops.logsumexp(ops.concatenate([blank, pieces], axis=-1), axis=-1, keepdims=True)
    rest = ops.log(ops.maximum(-ops.expm1(ops.minimum(used, 0.0)), 1e-20))
    return ops.concatenate([blank, pieces, rest], axis=-1), local_labels


def ctc_reading_loss(reading_logits, target_tokens):
    """Per-example CTC negative log-likelihood of the target pieces (`ctc_label_loss` of
    `reading_labels(target_tokens)`).

    Args:
      reading_logits: float [b, P, vocab] (the tower's P vectors scored against the vocabulary,
        blank = id 0).
      target_tokens: int [b, t] decoder target tokens (pieces, then EOS, then padding 0).

    Returns:
      (losses float32 [b], feasible bool [b]). Losses of infeasible rows (more pieces than
      frames allow) are set to 0; count them with `feasible`.
    """
    return ctc_label_loss(reading_logits, *reading_labels(target_tokens))


def ctc_label_loss(reading_logits, labels, lengths=None):
    """Per-example CTC negative log-likelihood of `labels`.

    Args:
      reading_logits: float [b, P, classes], class 0 the blank.
      labels: int [b, t] classes, 0-padded (e.g. reading_alphabet's characters).
      lengths: int [b], or None: the count of non-zero labels (labels are left-aligned).

    Returns:
      (losses float32 [b], feasible bool [b]), as `ctc_reading_loss`.
    """
    labels = ops.cast(labels, "int32")
    if lengths is None:
        lengths = ops.sum(ops.cast(labels != BLANK_ID, "int32"), axis=1)
    logits, ctc_labels = ops.cast(reading_logits, "float32"), labels
    if reading_logits.shape[-1] > labels.shape[1] + 2:
        # Fewer classes per row than the full set (pieces: 16k); for characters (97 classes,
        # 128 labels) the restriction would enlarge the problem, and the loss is the same.
        logits, ctc_labels = local_classes(ops.log_softmax(logits, axis=-1), labels)
    frames = ops.shape(reading_logits)[1]
    losses = ops.ctc_loss(ctc_labels, logits, lengths,
                          ops.full((ops.shape(reading_logits)[0],), frames, dtype="int32"),
                          mask_index=BLANK_ID)
    feasible = ctc_feasible(labels, lengths, frames)
    return ops.where(feasible, ops.cast(losses, "float32"), ops.zeros_like(losses)), feasible
