"""`textedit benchmark random`: every generator and the multiply are timed for each shape, and the
table shows them (no timing is asserted: the machines are shared)."""

import pytest

from textedit.benchmarks.random_numbers import ALGORITHMS, format_generators, time_generators
from textedit.cli.main import main as cli


def test_every_generator_is_timed_for_each_shape():
    report = time_generators([(4, 8), (2, 3, 5)], repeats=2, threads=None)
    assert [row["shape"] for row in report["rows"]] == [[4, 8], [2, 3, 5]]
    for row in report["rows"]:
        assert all(row[f"{alg}_ms"] > 0 for alg in ALGORITHMS) and row["multiply_ms"] > 0
    table = format_generators(report)
    assert "| 4 x 8 |" in table and "| 2 x 3 x 5 |" in table and "philox ms" in table


def test_bad_shapes_are_refused():
    with pytest.raises(SystemExit, match="expected shapes like 1280x512"):
        cli(["benchmark", "random", "--shapes", "4xz"])
