"""Word guards of EdiT5 inference (issue 14, textedit.decoding.word_guards): each guard on
hand-built logits and scores, compiled with XLA, then the Editor end to end on the tiny random
EdiT5 run with the guards on."""

import numpy as np
import pytest
import tensorflow as tf

from textedit.decoding.order_decoding import decode_order
from textedit.decoding.position_constraint import FORBIDDEN, position_constraint
from textedit.decoding.word_guards import (
    boundary_positions,
    continuation_positions,
    delete_log_odds_threshold,
    gather_word_starts,
    word_starts,
    word_tags,
)

xla = tf.function(jit_compile=True)  # every guard runs inside the compiled edit step


def tag_logits(log_odds):
    """[b, L, 2] logits whose DELETE-vs-KEEP log-odds are `log_odds` [b, L]."""
    log_odds = np.asarray(log_odds, np.float32)
    return tf.constant(np.stack([log_odds, np.zeros_like(log_odds)], axis=-1))


# Pieces ▁a b c ▁d e EOS pad: words (0 1 2) and (3 4); START (EOS) at 5.
WORD_START = np.array([[True, False, False, True, False, False, False]])
MEMBERS = np.array([[True, True, True, True, True, False, False]])


def test_a_word_whose_pieces_disagree_gets_one_decision():
    logits = tag_logits([[2.0, -1.0, 2.0, -3.0, 1.0, 0.0, 0.0]])  # > 0: DELETE wins the piece
    run = xla(lambda lo, m, w: word_tags(lo, m, w))
    per_piece = xla(lambda lo, m: word_tags(lo, m))(logits, tf.constant(MEMBERS)).numpy()
    assert per_piece.tolist() == [[0, 1, 0, 1, 0, 1, 1]]  # today: argmax per piece
    per_word = run(logits, tf.constant(MEMBERS), tf.constant(WORD_START)).numpy()
    # word (0 1 2): mean log-odds +1 -> all deleted; word (3 4): mean -1 -> all kept.
    assert per_word.tolist() == [[0, 0, 0, 1, 1, 1, 1]]


def test_the_first_piece_opens_a_word_whatever_its_flag():
    logits = tag_logits([[3.0, -1.0, -1.0, 0.0]])
    word_start = tf.constant([[False, False, True, False]])
    members = tf.constant([[True, True, True, False]])
    # (0 1): mean +1 -> deleted; (2) alone: kept.
    assert word_tags(logits, members, word_start).numpy().tolist() == [[0, 0, 1, 1]]


def test_the_delete_threshold_changes_a_borderline_deletion():
    p_delete = 0.6
    logits = tag_logits([[np.log(p_delete / (1 - p_delete)), -2.0, 0.0]])
    members = tf.constant([[True, True, False]])
    for threshold, expected in ((0.5, [0, 1, 1]), (0.7, [1, 1, 1]), (0.55, [0, 1, 1])):
        tags = xla(lambda lo, m, t=threshold: word_tags(lo, m, delete_threshold=t))(
            logits, members)
        assert tags.numpy().tolist() == [expected], threshold
    assert delete_log_odds_threshold(0.5) == 0.0
    assert delete_log_odds_threshold(1.0) == float("inf")
    with pytest.raises(ValueError, match="probability"):
        delete_log_odds_threshold(1.5)


def tempting_scores():
    """scores [1, 6, 6] (▁a b ▁c d e EOS, START 5) that tempt the chain into the middle of
    words: START -> e (4) best, then START -> ▁c (2); e -> ▁a (0), d -> b (1)."""
    scores = np.full((1, 6, 6), -5.0, np.float32)
    scores[0, 5, 4], scores[0, 5, 2], scores[0, 4, 0], scores[0, 3, 1] = 0.0, -1.0, 0.0, 0.0
    return tf.constant(scores)


def test_order_keeps_the_pieces_of_a_kept_word_together_and_in_order():
    # ▁a b ▁c d e EOS: words (0 1) and (2 3 4), START 5; everything kept.
    word_start = tf.constant([[True, False, True, False, False, False]])
    kept = tf.constant([[True] * 6])
    start = tf.constant([5])
    scores = tempting_scores()
    free = decode_order(scores, kept, start).order.numpy()[0].tolist()
    assert free[:5] == [4, 0, 1, 2, 3]  # without the guard "e" leaves its word

    def guarded(s, k, st, w):
        return decode_order(s, k, st, continuation_positions(w, k, st))

    decoded = xla(guarded)(scores, kept, start, word_start)
    order = decoded.order.numpy()[0].tolist()
    assert order == [2, 3, 4, 0, 1, -1]  # the words swapped, neither split
    assert decoded.next_positions.numpy()[0].tolist() == [1, 5, 3, 4, 0, 2]


def test_order_with_a_deleted_piece_inside_a_word_restarts_the_run():
    # ▁a b c EOS with b deleted (per-piece tags): c no longer continues a kept predecessor.
    word_start = tf.constant([[True, False, False, False]])
    kept = tf.constant([[True, False, True, True]])
    start = tf.constant([3])
    continuation = continuation_positions(word_start, kept, start).numpy().tolist()
    assert continuation == [[False, False, False, False]]
    kept = tf.constant([[True, True, True, True]])
    continuation = continuation_positions(word_start, kept, start).numpy().tolist()
    assert continuation == [[False, True, True, False]]


def processor_logits(vocab=16):
    return tf.zeros((1, vocab), tf.float32)


FIRST, POSITIONS, EOS = 3, 6, 1  # <pos_0> .. <pos_5> = ids 3 .. 8


def allowed_positions(processor, index, generated, vocab=16):
    out = processor(processor_logits(vocab), tf.constant(index, tf.int32),
                    tf.constant(generated, tf.int32)).numpy()[0]
    return [k for k in range(POSITIONS) if out[FIRST + k] > FORBIDDEN / 2], out


def test_position_tokens_inside_a_word_are_masked():
    # Kept pieces in output order: position 2 (▁c), 3 (d), 0 (▁a), 1 (b): K = 4.
    word_start = tf.constant([[True, False, True, False, False, False]])
    order = tf.constant([[2, 3, 0, 1, -1, -1]])
    boundaries = xla(boundary_positions)(word_start, order)
    assert boundaries.numpy().tolist() == [[True, False, True, False, True, True]]
    processor = position_constraint(tf.constant([4]), first_position_id=FIRST,
                                    num_position_tokens=POSITIONS, boundaries=boundaries)
    allowed, _ = allowed_positions(processor, 1, [[FIRST + 0, 0, 0, 0]])
    assert allowed == [0, 2, 4]  # <pos_1>, <pos_3> fall inside words; <pos_5> > K
    allowed, _ = allowed_positions(processor, 1, [[FIRST + 2, 0, 0, 0]])
    assert allowed == [2, 4]  # the old constraint (k >= previous k) still applies


def test_first_token_is_a_position_or_eos_and_no_position_follows_a_position():
    processor = position_constraint(tf.constant([3]), first_position_id=FIRST,
                                    num_position_tokens=POSITIONS, strict_spans=True, eos_id=EOS)
    compiled = xla(processor)
    out = compiled(processor_logits(), tf.constant(0), tf.zeros((1, 4), tf.int32)).numpy()[0]
    assert [i for i in range(16) if out[i] > FORBIDDEN / 2] == [EOS, 3, 4, 5, 6]  # k <= 3
    # Right after <pos_1>: no position token (an empty span), words and EOS allowed.
    out = compiled(processor_logits(), tf.constant(1),
                   tf.constant([[FIRST + 1, 0, 0, 0]])).numpy()[0]
    assert [i for i in range(16) if out[i] > FORBIDDEN / 2] == [0, 1, 2] + list(range(9, 16))
    # After a word piece positions are back (k >= 1).
    out = compiled(processor_logits(), tf.constant(2),
                   tf.constant([[FIRST + 1, 12, 0, 0]])).numpy()[0]
    assert [k for k in range(POSITIONS) if out[FIRST + k] > FORBIDDEN / 2] == [1, 2, 3]
    # Without strict_spans: everything but the out-of-range positions, as before.
    plain = position_constraint(tf.constant([3]), first_position_id=FIRST,
                                num_position_tokens=POSITIONS)
    out = plain(processor_logits(), tf.constant(0), tf.zeros((1, 4), tf.int32)).numpy()[0]
    assert [i for i in range(16) if out[i] <= FORBIDDEN / 2] == [7, 8]


def test_a_span_starts_with_a_word_initial_piece():
    table = np.zeros(14, bool)  # shorter than the 16 logits: ids 14, 15 count as not initial
    table[[9, 11]] = True
    processor = xla(position_constraint(tf.constant([3]), first_position_id=FIRST,
                                        num_position_tokens=POSITIONS,
                                        span_start_table=tf.constant(table), eos_id=EOS))
    out = processor(processor_logits(), tf.constant(1),
                    tf.constant([[FIRST, 0, 0, 0]])).numpy()[0]
    assert [i for i in range(16) if out[i] > FORBIDDEN / 2] == [EOS, 9, 11]
    out = processor(processor_logits(), tf.constant(2), tf.constant([[FIRST, 9, 0, 0]])).numpy()[0]
    assert out[10] > FORBIDDEN / 2 and out[15] > FORBIDDEN / 2  # inside a span: anything


def test_word_start_lookups_agree():
    table = np.array([False, False, True, False, True])
    ids = np.array([[2, 3, 4, 7, 0, -1]])
    expected = [[True, False, True, False, False, False]]
    assert word_starts(ids, table).tolist() == expected
    assert xla(lambda t: gather_word_starts(t, tf.constant(table)))(
        tf.constant(ids, tf.int32)).numpy().tolist() == expected


# End to end --------------------------------------------------------------------------------------


def broken_words(result):
    """The output words of an EditResult that are neither a whole source word nor made only of
    inserted pieces. Words are pieces grouped by a leading "▁" (the first piece opens one), on
    both sides; an output word is a source word when its pieces are exactly the source pieces
    i..j of one source word, in order."""
    from textedit.edits import realise

    pieces = result.pieces
    source = [("src", i) for i in range(len(pieces))]
    plan = result.plan
    plan = type(plan)(tags=plan.tags, pointers=plan.pointers, insertions=tuple(
        (k, tuple(("ins", p) for p in span)) for k, span in plan.insertions))
    output = realise(source, plan)

    def text(item):
        return pieces[item[1]] if item[0] == "src" else item[1]

    def group(items):
        words = []
        for item in items:
            if not words or text(item).startswith("\u2581"):
                words.append([])
            words[-1].append(item)
        return words

    source_words = {tuple(word) for word in group(source)}
    return [[text(i) for i in word] for word in group(output)
            if not (all(i[0] == "ins" for i in word) or tuple(word) in source_words)]


@pytest.fixture(scope="module")
def dev_sources():
    from textedit.data import readers
    from textedit.data.data_dir import data_path

    return [p.source for p in readers.read_m2_pairs(data_path("gec/wi.A.dev.m2"))[:40]]


def test_the_editor_never_breaks_a_word_with_the_guards_on(tiny_edit5_run, dev_sources):
    from textedit.inference.editor import Editor

    run_dir, _ = tiny_edit5_run
    editor = Editor.load(run_dir, batch_size=8, buckets=(32, 64))
    assert editor.word_guards and editor.delete_threshold == 0.5
    texts = dev_sources + ["She go to school yesterday .", "unbelievably, ministrations!"]
    results = [r for r in editor.edit(texts, explain=True) if r.status == "edited"]
    assert len(results) >= 30
    assert {i: broken_words(r) for i, r in enumerate(results) if broken_words(r)} == {}
    # Not vacuous: the random model does edit (deletions, moves or insertions happen).
    assert any(r.output != " ".join(r.source.split()) for r in results)


def test_the_guards_can_be_turned_off_and_a_savedmodel_keeps_its_own(tiny_edit5_run):
    from textedit.inference.editor import Editor

    run_dir, _ = tiny_edit5_run
    editor = Editor.load(run_dir, batch_size=2, buckets=(16,), word_guards=False,
                         delete_threshold=0.9)
    assert not editor.word_guards and editor.delete_threshold == 0.9
    assert len(editor.edit(["She go to school ."])) == 1


def test_edit5_decode_fn_takes_the_word_start_table(tiny_edit5_run):
    from textedit.data.vocab.vocabulary import get_vocabulary, word_start_table
    from textedit.decoding.edit_inference import edit5_decode_fn

    _, model = tiny_edit5_run
    vocabulary = get_vocabulary()
    ids = list(vocabulary.encode("She go to school yesterday ."))
    tokens = np.zeros((2, 16), np.int32)
    tokens[0, :len(ids) + 1] = ids + [1]
    decode = edit5_decode_fn(16, 8, word_start_table=word_start_table(vocabulary))
    rows = decode(model, {"encoder_input_tokens": tokens})
    assert rows.shape == (2, 16) and rows.dtype == np.int32 and (rows[:, :].max() >= 1)


def test_an_insert_bias_makes_the_editor_open_more_insertion_spans(tiny_edit5_run, dev_sources):
    """Editor.load(insert_bias=B) reaches the compiled step: a large bias on every `<pos_k>`
    logit opens more insertion spans (one per `<pos_k>` emitted) than the argmax on the same
    sources and weights."""
    from textedit.inference.editor import Editor

    run_dir, _ = tiny_edit5_run

    def inserted(bias):
        editor = Editor.load(run_dir, batch_size=8, buckets=(32, 64), insert_bias=bias)
        assert editor.backend.insert_bias == bias
        results = editor.edit(dev_sources[:16], explain=True)
        return sum(len(r.plan.insertions) for r in results if r.status == "edited")

    assert inserted(30.0) > inserted(0.0)
