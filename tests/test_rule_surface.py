"""Rules see the engine through one facade: ``reviewlint.api`` (and data in ``reviewlint.knowledge``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from reviewlint import api
from tests.conftest import REPO

RULE_FILES = sorted((REPO / "rules").glob("*.py"))


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda path: path.name)
def test_a_rule_imports_only_the_facade_and_knowledge(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    engine = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("reviewlint"):
            engine.add(node.module)
            if node.module == "reviewlint.api":
                assert all(alias.name in api.__all__ for alias in node.names), [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            engine.update(alias.name for alias in node.names if alias.name.startswith("reviewlint"))
    assert all(module == "reviewlint.api" or module.startswith("reviewlint.knowledge") for module in engine), engine


def test_the_facade_exports_what_it_names() -> None:
    assert all(hasattr(api, name) for name in api.__all__)
