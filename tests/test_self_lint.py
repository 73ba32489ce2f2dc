"""The project lints itself: the reference pipeline and the linter have zero findings."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_reference_pipeline_and_linter_have_zero_findings() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reviewlint", "check", "--format", "concise", "--no-cache",
         "reference_pipeline", "reviewlint", "rules", "bench"],
        capture_output=True, text=True, cwd=REPO, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().startswith("0 findings") or result.stdout.strip() == "", result.stdout


def test_project_sources_compile_without_warnings() -> None:
    """No invalid escape sequence or other SyntaxWarning in our own code (they become errors later)."""
    import warnings

    for folder in ("reviewlint", "rules", "reference_pipeline", "bench", "tests"):
        for path in sorted((REPO / folder).rglob("*.py")):
            if "bad_inputs" in path.parts:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                compile(path.read_text(encoding="utf-8"), str(path), "exec", dont_inherit=True)
