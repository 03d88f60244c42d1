#!/usr/bin/env python3
"""Creates (or reuses) the local virtual environment, then runs the main job or the tests.

    python3 tools/bootstrap.py main [ARGS...]   # vocabulary, 2,000 steps of EdiT5 training on GEC,
                                                # then the edit tool (`textedit main ARGS`)
    python3 tools/bootstrap.py test [ARGS...]   # ruff over the code, then the fast pytest suite

Standard library only, so it runs on a machine that has nothing but python3 and a package index.
Each install step leaves a stamp in the environment holding a hash of what it installed from
(setup.py and the t5 pin); a second run skips the steps whose stamp still matches.
Set TEXTEDIT_VENV to put the environment elsewhere (default: .venv in the repository).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(os.environ.get("TEXTEDIT_VENV", ROOT / ".venv"))
PYTHON = VENV / "bin" / "python"


def _t5_pin() -> str:
    match = re.search(r'T5_NO_DEPS = "([^"]+)"', (ROOT / "setup.py").read_text())
    if not match:
        sys.exit("setup.py lost its T5_NO_DEPS pin; tools/bootstrap.py needs it.")
    return match.group(1)


def _step(name: str, key: str, command: list[str]) -> None:
    """Runs `command` unless the stamp `name` already records `key`."""
    stamp = VENV / f".textedit-{name}.stamp"
    if stamp.exists() and stamp.read_text() == key:
        print(f"[bootstrap] {name}: up to date, skipped", flush=True)
        return
    print(f"[bootstrap] {name}: {' '.join(command)}", flush=True)
    subprocess.run(command, check=True, cwd=ROOT)
    stamp.write_text(key)


def ensure_environment() -> None:
    if sys.version_info[:2] != (3, 11):
        version = sys.version.split()[0]
        print(f"[bootstrap] warning: pins are checked on Python 3.11, this is {version}")
    if not PYTHON.exists():
        print(f"[bootstrap] creating virtual environment {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    setup_hash = hashlib.sha256((ROOT / "setup.py").read_bytes()).hexdigest()
    # beam: Apache Beam for `textedit cache_tasks`, so its test runs (about 20 more packages;
    # the whole environment, from nothing, installed in about 7.5 minutes on 2 busy cores).
    _step("packages", setup_hash, pip + ["-e", ".[dev,hf,beam]"])
    t5 = _t5_pin()
    _step("t5", t5, pip + ["--no-deps", t5])


def run(args: list[str], **extra_env: str) -> int:
    env = dict(os.environ, **extra_env)
    env.setdefault("JAX_PLATFORMS", "cpu")  # `import seqio` imports JAX
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    print(f"[bootstrap] $ {' '.join(args)}", flush=True)
    return subprocess.run(args, cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("main", "test"):
        print(__doc__)
        return 2
    ensure_environment()
    command, rest = argv[0], argv[1:]
    if command == "main":
        return run([str(PYTHON), "-m", "textedit", "main", *rest])
    lint = run([str(PYTHON), "-m", "ruff", "check", "."])
    if lint:
        return lint
    # The dev, hf and beam extras are installed above, so a comparison whose reference package
    # (or Beam) is missing fails instead of skipping (tests/reference_packages.py).
    # Two worker processes (pytest-xdist), a file's tests on one worker: most test time is
    # single-threaded tracing and compilation, so two processes use both cores.
    return run([str(PYTHON), "-m", "pytest", "-q", "-m", "not slow", "-n", "2", "--dist",
                "loadfile", "tests", *rest],
               TEXTEDIT_REQUIRE_REFERENCES="1")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
