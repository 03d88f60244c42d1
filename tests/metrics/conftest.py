"""Fixtures for the metric tests: line-aligned files read in place from the shared data folder.

The files are read with plain Python (not the project's readers), so that a metric test checks the
metric alone. Tests that need a file skip when the data directory is absent.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from textedit.data.data_dir import DataFileNotFoundError, data_path


@pytest.fixture(scope="session")
def read_lines() -> Callable[[str], list[str]]:
    """`read_lines("gec/jfleg.dev.src")` -> the file's lines, without line endings."""

    def read(relative: str) -> list[str]:
        try:
            path = data_path(relative)
        except DataFileNotFoundError as e:
            pytest.skip(str(e))
        with open(path, encoding="utf-8") as f:
            return f.read().splitlines()

    return read


@pytest.fixture(scope="session")
def read_m2_blocks() -> Callable[[str], list[str]]:
    """`read_m2_blocks("gec/conll13.test.m2")` -> the file's sentence blocks, as errant_compare
    splits them (strip, then split on blank lines)."""

    def read(relative: str) -> list[str]:
        try:
            path = data_path(relative)
        except DataFileNotFoundError as e:
            pytest.skip(str(e))
        with open(path, encoding="utf-8") as f:
            return f.read().strip().split("\n\n")

    return read
