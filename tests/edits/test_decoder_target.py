"""Insertions <-> `<pos_k> span ...` decoder sequences, including malformed decoder output."""

from textedit.edits import EditPlan, convert, decoder_target, parse_decoder_output, realise

FIRST_POSITION_ID = 3  # ids of <pos_k> are 3 + k, as in textedit/data/vocab/vocabulary.py
EOS = 1


def position_id(k):
    return FIRST_POSITION_ID + k


def is_position_id(token):  # content ids below are >= 250, outside this range
    return FIRST_POSITION_ID <= token < FIRST_POSITION_ID + 100


def index_of(token):
    return token - FIRST_POSITION_ID


def parse(tokens, **kwargs):
    return parse_decoder_output(tokens, is_position_id, index_of, **kwargs)


def test_paper_example_decoder_target_with_word_tokens():
    plan = convert("A long user query".split(), "The user query is very long".split())
    tokens = decoder_target(plan, lambda k: f"<pos_{k}>")
    assert tokens == ["<pos_0>", "The", "<pos_2>", "is", "very"]


def test_decoder_target_with_vocabulary_ids_round_trips():
    source = [500, 501, 502, 503]
    target = [600, 502, 503, 601, 602, 501]
    plan = convert(source, target)
    tokens = decoder_target(plan, position_id)
    assert tokens == [position_id(0), 600, position_id(2), 601, 602]
    assert parse(tokens + [EOS], end_token=EOS) == plan.insertions


def test_no_insertions_gives_an_empty_target():
    plan = convert([7, 8], [7, 8])
    assert decoder_target(plan, position_id) == []
    assert parse([EOS, position_id(0), 250], end_token=EOS) == ()


def test_tokens_before_the_first_position_are_dropped():
    assert parse([250, 251, position_id(1), 252]) == ((1, (252,)),)


def test_repeated_position_appends_to_its_span():
    assert parse([position_id(1), 250, position_id(1), 251]) == ((1, (250, 251)),)


def test_decreasing_position_is_honoured_by_a_stable_sort():
    tokens = [position_id(3), 250, position_id(1), 251, position_id(3), 252]
    assert parse(tokens) == ((1, (251,)), (3, (250, 252)))


def test_empty_spans_are_ignored():
    assert parse([position_id(0), position_id(2), 250, position_id(4)]) == ((2, (250,)),)


def test_positions_beyond_the_kept_tokens_are_clamped():
    insertions = parse([position_id(1), 250, position_id(9), 251], num_kept=2)
    assert insertions == ((1, (250,)), (2, (251,)))
    plan = EditPlan.from_order(3, [2, 0], insertions)
    assert realise([10, 11, 12], plan) == [12, 250, 10, 251]
