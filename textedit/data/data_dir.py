"""Where the data sets live: `--data_dir`, `TEXTEDIT_DATA_DIR`, or `../shared/data`.

Resolution order (first hit wins):
1. an explicit `data_dir` argument (tools pass their `--data_dir` flag through `set_data_dir`),
2. the `TEXTEDIT_DATA_DIR` environment variable,
3. `shared/data` next to the repository (`../shared/data` from its root) when that folder exists.

An explicit choice (1 or 2) is used as given: a directory that lacks a file fails when the file is
read, with an error naming it (`data_path`). `TEXTEDIT_DATA_DIR` set to the empty string means
"no data directory": step 3 is skipped too, so `find_data_dir()` returns None and `textedit main`
runs on the small embedded default (textedit/data/embedded/).

    find_data_dir()   # the directory, or None when nothing is configured or found
    get_data_dir()    # the directory, or DataFileNotFoundError saying how to point at one
    data_path(rel)    # <data dir>/<rel>, or DataFileNotFoundError naming the missing file
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "TEXTEDIT_DATA_DIR"
_REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = _REPO_ROOT.parent / "shared" / "data"

_override: Path | None = None


class DataFileNotFoundError(FileNotFoundError):
    """A data file is missing; the message names the path and how to point elsewhere."""

    def __init__(self, message: str, path: Path | None = None):
        super().__init__(message)
        self.path = path


def set_data_dir(data_dir: str | os.PathLike | None) -> None:
    """Sets the process-wide data directory (what `--data_dir` does); None clears it."""
    global _override
    _override = Path(data_dir).expanduser() if data_dir else None


def find_data_dir(data_dir: str | os.PathLike | None = None) -> Path | None:
    """The data directory by the resolution order above, or None when none is configured and
    `../shared/data` does not exist (or `TEXTEDIT_DATA_DIR` is set to the empty string)."""
    if data_dir:
        return Path(data_dir).expanduser()
    if _override is not None:
        return _override
    env = os.environ.get(ENV_VAR)
    if env is not None:
        return Path(env).expanduser() if env else None  # "" = no data directory
    return DEFAULT_DATA_DIR if DEFAULT_DATA_DIR.is_dir() else None


def get_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """Returns the data directory; raises DataFileNotFoundError when none can be found."""
    found = find_data_dir(data_dir)
    if found is None:
        raise DataFileNotFoundError(
            f"No data directory: pass --data_dir or set {ENV_VAR} (or create "
            f"{DEFAULT_DATA_DIR}). Without one, `textedit main` runs on its embedded default."
        )
    return found


def data_path(relative: str, data_dir: str | os.PathLike | None = None) -> Path:
    """Returns `<data_dir>/<relative>`, raising a helpful error when the file does not exist."""
    root = get_data_dir(data_dir)
    path = root / relative
    if not path.exists():
        raise DataFileNotFoundError(
            f"Expected data file {path} does not exist. The data directory is {root}; "
            f"point elsewhere with --data_dir or the {ENV_VAR} environment variable.",
            path,
        )
    return path
