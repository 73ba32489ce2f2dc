"""The engine's shape: subpackages that name the pipeline, and no import circle between modules."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "reviewlint"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_time_imports(path: Path, known: set[str]) -> set[str]:
    """Engine modules imported when ``path`` is imported (not under TYPE_CHECKING, not in functions)."""
    found: set[str] = set()
    for statement in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(statement, ast.ImportFrom) and statement.module and statement.level == 0:
            base = statement.module
            for alias in statement.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in known else base)
        elif isinstance(statement, ast.Import):
            found.update(alias.name for alias in statement.names)
    return {name for name in found if name in known}


def _graph() -> dict[str, set[str]]:
    paths = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    known = set(paths)
    return {name: _import_time_imports(path, known) - {name} for name, path in paths.items()}


def test_no_import_circle() -> None:
    graph = _graph()
    state: dict[str, str] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(name: str) -> None:
        state[name] = "open"
        stack.append(name)
        for imported in sorted(graph[name]):
            if state.get(imported) == "open":
                cycles.append(stack[stack.index(imported):] + [imported])
            elif imported not in state:
                visit(imported)
        stack.pop()
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert cycles == []


def test_the_engine_is_grouped_by_stage() -> None:
    top_level = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert top_level == ["__init__.py", "__main__.py", "api.py", "cli.py"]
    stages = sorted(path.name for path in PACKAGE.iterdir() if path.is_dir() and (path / "__init__.py").exists())
    assert stages == ["analysis", "fixing", "knowledge", "lint", "report", "run", "server", "source"]
    for stage in stages:
        assert ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text(encoding="utf-8")))


def test_analysis_does_not_reach_back_into_running_or_reporting() -> None:
    graph = _graph()
    for name, imported in graph.items():
        if name.startswith(("reviewlint.analysis", "reviewlint.source", "reviewlint.knowledge")):
            assert not {m for m in imported if m.startswith(("reviewlint.run", "reviewlint.report", "reviewlint.fixing", "reviewlint.cli"))}, name
