"""Reference packages of the comparison tests (torch, transformers, safetensors): skipped where
absent on a developer's machine, a failure where the run must hold its references.

    torch = require_reference("torch")

The references are required when CI is set to true (CI=true, as CI services set it) or when
TEXTEDIT_REQUIRE_REFERENCES=1 (what `python3 tools/bootstrap.py test` sets: the README's test
command installs the dev and hf extras, so every comparison must run there). A skipped comparison
would otherwise leave the suite green with nothing compared.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest

INSTALL_HINT = "pip install -e .[dev,hf]"


def references_required() -> bool:
    """True in CI (CI=true) and under TEXTEDIT_REQUIRE_REFERENCES=1."""
    return (os.environ.get("CI", "").strip().lower() == "true"
            or os.environ.get("TEXTEDIT_REQUIRE_REFERENCES", "").strip() == "1")


def require_reference(name: str) -> ModuleType:
    """Imports the reference package `name`; if it is missing, fails the test when references
    are required (module docstring) and skips it otherwise."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        message = (f"the reference package {name!r} is missing ({error}); the comparison needs "
                   f"it: {INSTALL_HINT}")
        if references_required():
            pytest.fail(message + " (required: CI=true or TEXTEDIT_REQUIRE_REFERENCES=1)",
                        pytrace=False)
        pytest.skip(message, allow_module_level=True)  # also at a module's top level
