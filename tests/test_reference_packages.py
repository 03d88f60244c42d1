"""A missing reference package skips a comparison on a developer's machine and fails it in CI
(CI=true) or under TEXTEDIT_REQUIRE_REFERENCES=1, as `tools/bootstrap.py test` sets."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from reference_packages import references_required, require_reference

MISSING = "textedit_no_such_reference_package"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def local(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("TEXTEDIT_REQUIRE_REFERENCES", raising=False)
    return monkeypatch


def test_a_present_package_is_returned(local):
    assert require_reference("json") is json


def test_missing_skips_locally(local):
    assert not references_required()
    with pytest.raises(pytest.skip.Exception, match=f"{MISSING}.*pip install -e"):
        require_reference(MISSING)


@pytest.mark.parametrize("name, value", [("CI", "true"), ("CI", "True"),
                                         ("TEXTEDIT_REQUIRE_REFERENCES", "1")])
def test_missing_fails_where_references_are_required(local, name, value):
    local.setenv(name, value)
    assert references_required()
    with pytest.raises(pytest.fail.Exception, match=f"{MISSING}.*required"):
        require_reference(MISSING)


def test_ci_false_does_not_require(local):
    local.setenv("CI", "false")
    assert not references_required()


def test_bootstrap_test_command_requires_the_references():
    """The README's test command (`tools/bootstrap.py test`) runs pytest with the requirement
    set: checked on its source, since running it would run the whole suite."""
    source = (ROOT / "tools" / "bootstrap.py").read_text()
    call = source[source.index('"-m", "pytest"'):]
    assert 'TEXTEDIT_REQUIRE_REFERENCES="1"' in call[:call.index("\n\n")]


def test_a_module_level_requirement_fails_collection_in_ci(tmp_path):
    """At a module's top level (as tests/models/test_t5_hf_parity.py uses it) the failure stops
    the run instead of dropping the module."""
    (tmp_path / "test_needs_missing.py").write_text(
        "from reference_packages import require_reference\n"
        f"require_reference({MISSING!r})\n\ndef test_never():\n    pass\n")
    tests_dir = str(Path(__file__).parent)

    def run(**env):
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
            capture_output=True, text=True, cwd=tmp_path, timeout=120,
            env={**os.environ, "PYTHONPATH": tests_dir, "CI": "",
                 "TEXTEDIT_REQUIRE_REFERENCES": "", **env})

    assert "1 skipped" in run().stdout
    required = run(TEXTEDIT_REQUIRE_REFERENCES="1")
    assert required.returncode != 0 and MISSING in required.stdout, required.stdout[-2000:]
