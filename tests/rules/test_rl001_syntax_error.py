"""RL001 (syntax-error) is a finding like any other: ignored per file, baselined."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli


def test_rl001_can_be_ignored_per_file_and_baselined(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def f(:\n")
    (tmp_path / "legacy.py").write_text("print 'python 2'\n")
    (tmp_path / "pyproject.toml").write_text('[tool.reviewlint.per-file-ignores]\n"legacy.py" = ["RL001"]\n')
    run = run_cli(["check", "--no-cache", "--format", "concise", "."], cwd=tmp_path)
    assert run.returncode == 1 and run.stdout.startswith("broken.py:1:7: RL001 syntax error") and "legacy" not in run.stdout
    assert run_cli(["check", "--no-cache", "--write-baseline", "b.json", "."], cwd=tmp_path).returncode == 0
    assert run_cli(["check", "--no-cache", "--baseline", "b.json", "."], cwd=tmp_path).returncode == 0
    (tmp_path / "broken.py").write_text("def g(:\n")
    assert run_cli(["check", "--no-cache", "--baseline", "b.json", "."], cwd=tmp_path).returncode == 1
    assert run_cli(["check", "--no-cache", "--exit-zero", "."], cwd=tmp_path).returncode == 0
