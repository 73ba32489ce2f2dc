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


def test_rule_descriptions_read_from_source_match_the_loaded_rules() -> None:
    from reviewlint.lint.registry import all_rules
    from reviewlint.lint.rule_meta import rule_index

    described = {meta.code: meta for meta in rule_index()}
    loaded = all_rules()
    assert set(described) == {rule.code for rule in loaded}
    for rule in loaded:
        meta = described[rule.code]
        assert (meta.name, meta.severity, meta.summary, meta.doc, meta.fix, meta.needs, meta.option_infos) == (
            rule.name, rule.severity, rule.summary, rule.doc, rule.fix, rule.needs, rule.option_infos), rule.code
        assert meta.path == rule.path


def test_a_fully_cached_run_imports_neither_libcst_nor_the_rules(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    from tests.conftest import CLI_ENV

    (tmp_path / "train.py").write_text("import albumentations as A\naug = A.VerticalFlip(p=0.5)\n")
    (tmp_path / "pyproject.toml").write_text("[tool.reviewlint]\n")
    probe = ("import runpy, sys, json\nsys.argv = ['reviewlint', 'check', '--format', 'json', '.']\n"
             "try:\n    runpy.run_module('reviewlint', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "sys.stderr.write(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('libcst', 'reviewlint_rules'))))\n")
    runs = [subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=CLI_ENV, capture_output=True, text=True,
                           timeout=120, check=False) for _ in range(2)]
    cold, warm = (json.loads(run.stderr.splitlines()[-1]) for run in runs)
    assert "libcst" in cold and any(name.startswith("reviewlint_rules") for name in cold)
    assert warm == [], warm
    assert json.loads(runs[0].stdout) == json.loads(runs[1].stdout)
