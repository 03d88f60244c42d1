"""Where the data sets live: `--data_dir`, `TEXTEDIT_DATA_DIR`, or `../shared/data`.

Resolution order (first hit wins):
1. an explicit `data_dir` argument (tools pass their `--data_dir` flag through `set_data_dir`),
2. the `TEXTEDIT_DATA_DIR` environment variable,
3. `shared/data` next to the repository (`../shared/data` from its root) when that folder exists,
4. the workplace's shared copy, `/work/shared/data`, when it exists: a clone made elsewhere
   (say in a temporary directory, as a clean CI checkout is) still finds the data.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "TEXTEDIT_DATA_DIR"
_REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = _REPO_ROOT.parent / "shared" / "data"
WORKPLACE_DATA_DIR = Path("/work/shared/data")

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


def get_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """Returns the data directory; raises DataFileNotFoundError when none can be found."""
    if data_dir:
        return Path(data_dir).expanduser()
    if _override is not None:
        return _override
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    for candidate in (DEFAULT_DATA_DIR, WORKPLACE_DATA_DIR):
        if candidate.is_dir():
            return candidate
    raise DataFileNotFoundError(
        f"No data directory: pass --data_dir, set {ENV_VAR}, or create {DEFAULT_DATA_DIR}."
    )


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
