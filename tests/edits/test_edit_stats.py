"""convert_all, edit_stats and format_alignment."""

from textedit.edits import ConversionFailure, convert, convert_all, edit_stats, format_alignment

PAIRS = [
    ("a b c".split(), "a b c".split()),  # unchanged
    ("a b c".split(), "a x b c".split()),  # one insertion at <pos_1>
    ("a b c d".split(), "c d a b".split()),  # span swap
    ("a b c".split(), "a b c y z".split()),  # needs <pos_3>: 4 position tokens
]


def test_convert_all_reports_pairs_that_need_too_many_positions():
    report = convert_all(PAIRS, max_positions=3)
    assert report.failures == [ConversionFailure(index=3, positions_needed=4, max_positions=3)]
    assert report.plans[3] is None
    assert all(plan is not None for plan in report.plans[:3])


def test_edit_stats_counts_and_means():
    report = convert_all(PAIRS, max_positions=3)
    stats = edit_stats(PAIRS, report)
    assert stats.pairs == 4
    assert stats.failures == 1
    assert stats.max_positions_needed == 4
    assert stats.mean_source_tokens == (3 + 3 + 4) / 3
    assert stats.mean_target_tokens == (3 + 4 + 4) / 3
    assert stats.mean_inserted_tokens == 1 / 3
    assert stats.kept_share == 1.0
    assert stats.reordered_share == 1 / 3
    assert stats.inserted_histogram == {0: 2, 1: 1}
    text = stats.format()
    assert "conversion failures   1" in text
    assert "pair 3 needs 4 > 3" in text


def test_edit_stats_without_failures():
    stats = edit_stats(PAIRS, convert_all(PAIRS))
    assert stats.failures == 0
    assert stats.inserted_histogram == {0: 2, 1: 1, 2: 1}
    assert "conversion failures   0\n" in stats.format()


def test_format_alignment_paper_example():
    source = "A long user query".split()
    plan = convert(source, "The user query is very long".split())
    assert format_alignment(source, plan).splitlines() == [
        "source  [-A-] long user query",
        "order   user query <<long",
        "insert  <pos_0> The | <pos_2> is very",
        "output  {+The+} user query {+is very+} <<long",
    ]


def test_format_alignment_works_on_ids_and_no_insertions():
    plan = convert([1, 2, 3], [1, 3])
    assert format_alignment([1, 2, 3], plan).splitlines()[2:] == ["insert  (none)", "output  1 3"]
