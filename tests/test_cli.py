"""The command line: exit codes and ``--fail-on``, selection, config errors, rules and explain."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reviewlint.cli import cli
from tests.conftest import REPO, run_cli

BAD = "import albumentations as A\nA.ShiftScaleRotate(scale_limit=0.01)\n"
GOOD = "import albumentations as A\nA.HorizontalFlip(p=0.5)\n"
FLIP = "import albumentations as A\ntrain_aug = A.Compose([A.VerticalFlip(p=0.5)])\n"


def run(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reviewlint", *args], capture_output=True, text=True, cwd=cwd, check=False
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "bad.py").write_text(BAD)
    (tmp_path / "good.py").write_text(GOOD)
    return tmp_path


def test_exit_codes(tree: Path) -> None:
    assert run(["check", str(tree / "good.py")]).returncode == 0
    assert run(["check", str(tree / "bad.py")]).returncode == 1
    assert run(["check", "--exit-zero", str(tree / "bad.py")]).returncode == 0
    (tree / "broken.py").write_text("import albumentations as A\ndef f(:\n")
    broken = run(["check", str(tree)])
    assert broken.returncode == 1, "code that does not parse is a finding (RL001)"
    assert "broken.py" in broken.stdout and "RL001" in broken.stdout and "syntax error" in broken.stdout
    assert "bad.py" in broken.stdout, "the other files are still linted"
    assert "Traceback" not in broken.stdout + broken.stderr


def test_usage_errors_exit_2(tree: Path) -> None:
    assert run(["check", "--select", "XX999", str(tree)]).returncode == 2
    assert run(["check", "--format", "yaml", str(tree)]).returncode == 2
    assert run(["explain", "RL999"]).returncode == 2


def test_no_paths_checks_current_directory(tree: Path) -> None:
    result = run(["check", "--format", "concise"], cwd=tree)
    assert result.returncode == 1
    assert "bad.py:2:" in result.stdout


def test_select_and_ignore(tree: Path) -> None:
    assert run(["check", "--select", "RL102", str(tree)]).returncode == 0
    assert run(["check", "--ignore", "RL1", str(tree)]).returncode == 0
    assert run(["check", "--select", "RL1", str(tree)]).returncode == 1


def test_quiet_prints_nothing_when_clean(tree: Path) -> None:
    result = run(["check", "--quiet", str(tree / "good.py")])
    assert result.returncode == 0 and result.stdout == ""


def test_fixtures_show_the_five_review_rules() -> None:
    result = run(["check", "--format", "json", str(REPO / "fixtures")])
    assert result.returncode == 1
    data = json.loads(result.stdout)
    codes = {finding["code"] for finding in data["findings"]}
    assert {"RL101", "RL102", "RL201", "RL301", "RL401"} <= codes
    notebook_codes = {f["code"] for f in data["findings"] if f["path"].endswith("student_notebook.ipynb")}
    script_codes = {f["code"] for f in data["findings"] if f["path"].endswith("student_notebook.py")}
    assert {"RL101", "RL102", "RL201", "RL301", "RL401"} <= notebook_codes
    assert {"RL101", "RL102", "RL201", "RL301", "RL401"} <= script_codes
    assert not data["errors"]


def test_corrected_fixture_is_clean() -> None:
    result = run(["check", "--format", "concise", str(REPO / "fixtures" / "corrected")])
    assert result.returncode == 0, result.stdout


def test_rules_lists_every_rule() -> None:
    result = CliRunner().invoke(cli, ["rules", "--format", "json"])
    assert result.exit_code == 0
    rules = json.loads(result.output)
    codes = [rule["code"] for rule in rules]
    assert {"RL101", "RL102", "RL201", "RL301", "RL401"} <= set(codes)
    assert codes == sorted(codes)


@pytest.mark.parametrize("key", ["RL101", "rl101", "near-zero-scale"])
def test_explain_renders_the_docs(key: str) -> None:
    result = CliRunner().invoke(cli, ["explain", key])
    assert result.exit_code == 0
    for section in ("What it does", "Why it matters", "Example", "Use instead", "threshold"):
        assert section in result.output


def test_python_dash_m_and_console_script_agree(tree: Path) -> None:
    module = run(["check", "--format", "concise", str(tree)])
    script = subprocess.run(
        [str(Path(sys.executable).with_name("reviewlint")), "check", "--format", "concise", str(tree)],
        capture_output=True, text=True, check=False,
    )
    assert module.stdout == script.stdout and module.returncode == script.returncode == 1


def test_linting_a_directory_skips_venvs_git_and_gitignored(tmp_path: Path) -> None:
    for folder in (".git", "venv", "build", "node_modules", "ignored", "kept"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "bad.py").write_text(BAD)
    (tmp_path / "envdir").mkdir()
    (tmp_path / "envdir" / "pyvenv.cfg").write_text("home = /usr\n")
    (tmp_path / "envdir" / "bad.py").write_text(BAD)
    (tmp_path / ".gitignore").write_text("ignored/\n*.generated.py\n")
    (tmp_path / "x.generated.py").write_text(BAD)
    result = run(["check", "--select", "RL101", "--format", "concise", str(tmp_path)], cwd=tmp_path)
    assert [line.split(": ")[0] for line in result.stdout.strip().splitlines()] == ["kept/bad.py:2:20"]


def test_fail_on(tmp_path: Path) -> None:
    (tmp_path / "style.py").write_text("def pair(a, b):\n    return (a, b)\n")  # RL402: info
    assert run_cli(["check", "--no-cache", "style.py"], cwd=tmp_path).returncode == 0, "info does not fail by default"
    assert "RL402" in run_cli(["check", "--no-cache", "style.py"], cwd=tmp_path).stdout, "but it is reported"
    assert run_cli(["check", "--no-cache", "--fail-on", "info", "style.py"], cwd=tmp_path).returncode == 1
    (tmp_path / "flip.py").write_text(FLIP)  # RL102: warning
    assert run_cli(["check", "--no-cache", "--fail-on", "error", "flip.py"], cwd=tmp_path).returncode == 0
    assert run_cli(["check", "--no-cache", "flip.py"], cwd=tmp_path).returncode == 1
    (tmp_path / "pyproject.toml").write_text('[tool.reviewlint]\nfail-on = "error"\n')
    assert run_cli(["check", "--no-cache", "flip.py"], cwd=tmp_path).returncode == 0
    assert run_cli(["check", "--no-cache", "--fail-on", "warning", "flip.py"], cwd=tmp_path).returncode == 1
    (tmp_path / "broken.py").write_text("x = (\n")  # RL001: error
    assert run_cli(["check", "--no-cache", "broken.py"], cwd=tmp_path).returncode == 1
    (tmp_path / "pyproject.toml").write_text('[tool.reviewlint]\nfail-on = "never"\n')
    bad = run_cli(["check", "--no-cache", "flip.py"], cwd=tmp_path)
    assert bad.returncode == 2 and "fail-on must be one of info, warning, error" in bad.stderr
