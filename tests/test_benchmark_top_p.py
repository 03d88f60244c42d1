"""`textedit benchmark top_p`: each kind of row needs the tier it is built for, both filters
keep the same tokens, and the table shows them (no timing is asserted: the machines are
shared)."""

import pytest

from textedit.benchmarks.top_p_filter import format_top_p, time_top_p
from textedit.cli.main import main as cli


def test_rows_of_each_kind_are_timed_with_tiers_and_full_sort():
    report = time_top_p(batch=4, vocab=4000, top_p=0.9, repeats=1, threads=None)
    rows = {row["kind"]: row for row in report["rows"]}
    assert list(rows) == ["peaked", "medium", "flat"]
    assert rows["peaked"]["nucleus"] < 64 < rows["medium"]["nucleus"] < 1024
    assert rows["flat"]["nucleus"] > 1024
    for row in rows.values():
        assert row["same"] and row["tiers_ms"] > 0 and row["full_sort_ms"] > 0
    assert report["tiers"] == [64, 1024] and report["matmul_ms"] > 0
    table = format_top_p(report)
    assert "| medium | " in table and "| yes |" in table and "[4, 4000]" in table


def test_bad_arguments_are_refused():
    with pytest.raises(SystemExit, match="expected 0 < --top_p < 1"):
        cli(["benchmark", "top_p", "--top_p", "1.0"])
