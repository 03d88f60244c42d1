"""The package layering of docs/architecture.md, read from every module's imports (ast).

A package may import only packages at or below its own layer; below the CLI nothing imports gin,
`tasks` or `textedit.cli`. The layer order is parsed from docs/architecture.md, so the document
and the code cannot drift apart silently.
"""

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ORDER_LINE = re.compile(r"^Layer order \(lowest first\): (.+)$", re.MULTILINE)


def layer_order() -> list[str]:
    match = ORDER_LINE.search((ROOT / "docs" / "architecture.md").read_text())
    assert match, "docs/architecture.md lost its 'Layer order (lowest first): ...' line"
    return [name.strip() for name in match.group(1).split("<")]


def layer_of_module(module: str) -> str | None:
    """The layer of a dotted module name: `textedit.<package>...` or `tasks...`."""
    parts = module.split(".")
    if parts[0] == "tasks":
        return "tasks"
    if parts[0] == "textedit" and len(parts) > 1:
        return parts[1]
    return None


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import in the file, relative imports resolved."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            if module == "textedit":  # `from textedit import cli` names the package in the alias
                found += [(node.lineno, f"textedit.{alias.name}") for alias in node.names]
    return found


def layer_violations(order: list[str]) -> list[str]:
    rank = {name: index for index, name in enumerate(order)}
    problems = []
    files = sorted((ROOT / "textedit").rglob("*.py")) + sorted((ROOT / "tasks").rglob("*.py"))
    for path in files:
        own = layer_of_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        if own not in rank:
            continue  # textedit/__init__.py, textedit/__main__.py: the package entry points
        for line, module in imported_modules(path):
            where = f"{path.relative_to(ROOT)}:{line}"
            target = layer_of_module(module)
            if module.split(".")[0] == "gin" and own != "cli":
                problems.append(f"{where} imports gin below the CLI")
            elif target is not None and target not in rank:
                problems.append(f"{where} imports {module}, a package docs/ does not place")
            elif target is not None and rank[target] > rank[own]:
                problems.append(f"{where}: {own} imports {module} ({target} is above {own})")
    return problems


def test_the_documented_order_places_every_package():
    order = layer_order()
    assert order[-1] == "cli" and "tasks" in order
    packages = {p.name for p in (ROOT / "textedit").iterdir()
                if p.is_dir() and (p / "__init__.py").exists()}
    assert packages | {"tasks"} == set(order)


def test_no_package_imports_one_above_it():
    assert layer_violations(layer_order()) == []


def test_the_check_catches_an_upward_import(tmp_path, monkeypatch):
    """The checker itself: a decoding module importing the trainer, or gin, is reported."""
    order = layer_order()
    fake_root = tmp_path
    (fake_root / "docs").mkdir()
    (fake_root / "textedit" / "decoding").mkdir(parents=True)
    (fake_root / "textedit" / "decoding" / "bad.py").write_text(
        "import gin\nfrom textedit.training import trainer\nfrom textedit.models import x\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", fake_root)
    problems = layer_violations(order)
    assert len(problems) == 2
    assert "imports gin below the CLI" in problems[0]
    assert "decoding imports textedit.training" in problems[1]


@pytest.mark.parametrize("module,layer", [("textedit.data.readers.m2_reader", "data"),
                                          ("tasks.gec", "tasks"), ("numpy", None)])
def test_layer_of_module(module, layer):
    assert layer_of_module(module) == layer
