"""The settings of a run other commands need, as JSON beside model.json (`run.json`).

    write_run_settings(model_dir, RunSettings(task="edit5_gec_wi_fce", eval_tasks=("gec_jfleg",),
                                              input_length=128, decode_length=128))
    settings = read_run_settings("workdir/runs/edit5_gec")   # defaults when run.json is absent

`textedit train` writes it when a run starts; `Editor`, the report and `textedit edit / export`
read their length defaults from it, so no command guesses what a run was trained for. Fields:

    task            the training task or mixture
    eval_tasks      the tasks the run is evaluated on
    input_length    longest input in pieces (EOS included) at evaluation
    decode_length   longest output in pieces (seq2seq decoding, EdiT5 realisation)
    insert_length   EdiT5 insertion decoder steps (<pos_k>, pieces, EOS)
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

RUN_SETTINGS_FILE = "run.json"
# Used where neither a flag nor the run says otherwise (a run written before run.json existed).
DEFAULT_INPUT_LENGTH = 128
DEFAULT_DECODE_LENGTH = 128
DEFAULT_INSERT_LENGTH = 64


@dataclasses.dataclass(frozen=True)
class RunSettings:
    """A run's task and lengths (module docstring)."""

    task: str | None = None
    eval_tasks: tuple[str, ...] = ()
    input_length: int = DEFAULT_INPUT_LENGTH
    decode_length: int = DEFAULT_DECODE_LENGTH
    insert_length: int = DEFAULT_INSERT_LENGTH


def write_run_settings(model_dir: str | os.PathLike, settings: RunSettings) -> Path:
    """Writes model_dir/run.json atomically; returns its path."""
    path = Path(model_dir) / RUN_SETTINGS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(dataclasses.asdict(settings), indent=1) + "\n")
    os.replace(temporary, path)
    return path


def read_run_settings(model_dir: str | os.PathLike) -> RunSettings:
    """The run's settings; the defaults when it has no run.json. A malformed file is an error
    naming it and the field."""
    path = Path(model_dir) / RUN_SETTINGS_FILE
    if not path.exists():
        return RunSettings()
    try:
        raw = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not JSON ({error})") from None
    fields = {f.name: f for f in dataclasses.fields(RunSettings)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise ValueError(f"{path}: unknown field(s) {unknown}; expected {sorted(fields)}")
    values = dict(raw)
    if "eval_tasks" in values:
        values["eval_tasks"] = tuple(values["eval_tasks"])
    for name in ("input_length", "decode_length", "insert_length"):
        if name in values and not (isinstance(values[name], int) and values[name] > 0):
            raise ValueError(f"{path}: {name} must be a positive integer, got {values[name]!r}")
    return RunSettings(**values)
