"""Reading files: what is read, what is refused and what is skipped, each said in one line.

- FIFOs, devices, unreadable directories, odd and very long paths are one-line errors, never a hang
  or a traceback; a read error exits 2 whatever ``--exit-zero`` says;
- size limits measure a notebook's code, not its outputs;
- a file that is not linted (too big, excluded but named) is reported in every format;
- no file found is said in one line.
"""

from __future__ import annotations

import base64
import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from reviewlint.lint.registry import all_rules
from reviewlint.run.config import Settings
from reviewlint.run.loop import lint_path
from tests.conftest import CLI_ENV, REPO, run_cli

SCHEMA = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
FLIP = "import albumentations as A\ntrain_aug = A.Compose([A.VerticalFlip(p=0.5)])\n"
TUPLE = "def f(a, b):\n    return (a, b)\n"
FORMATS = ("text", "concise", "json", "sarif", "github")
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX files")


def _memory_bounded() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))


def _bounded_run(args: list[str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """reviewlint in a subprocess with 3 GB of address space and a time limit."""
    return subprocess.run([sys.executable, "-m", "reviewlint", *args], cwd=cwd, env=CLI_ENV, capture_output=True,
                          text=True, timeout=timeout, check=False, preexec_fn=_memory_bounded)


def _plot_output(size: int) -> dict[str, object]:
    """A display_data output holding a PNG of ``size`` random bytes (base64)."""
    return {"data": {"image/png": base64.b64encode(os.urandom(size)).decode()}, "metadata": {},
            "output_type": "display_data"}


def _big_notebook(path: Path, code: str, output_bytes: int = 3_000_000) -> Path:
    notebook = {
        "cells": [{"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [_plot_output(output_bytes)],
                   "source": code}],
        "metadata": {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    return path


def _skips(output_format: str, stdout: str) -> list[str]:
    """The skipped files an output names (their paths)."""
    if output_format == "json":
        return [item["path"] for item in json.loads(stdout)["skipped"]]
    if output_format == "sarif":
        log = json.loads(stdout)
        jsonschema.validate(log, SCHEMA)
        notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        return [note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for note in notes]
    if output_format == "github":
        return [line.split("file=", 1)[1].split(",", 1)[0] for line in stdout.splitlines()
                if line.startswith(("::warning file=", "::notice file=")) and "title=reviewlint::" in line]
    if output_format == "concise":
        return [line.split(": skipped", 1)[0] for line in stdout.splitlines() if ": skipped: " in line]
    return [line.split(": ", 2)[1] for line in stdout.splitlines() if line.startswith(("skipped: ", "note: "))]


@posix_only
@pytest.mark.parametrize("fix", [False, True], ids=["check", "fix"])
def test_fifos_and_devices_are_refused_not_read(tmp_path: Path, fix: bool) -> None:
    (tmp_path / "good.py").write_text(FLIP)
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    (tmp_path / "sub").mkdir()
    os.mkfifo(tmp_path / "sub" / ".gitignore")
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev" / ".gitignore").symlink_to("/dev/zero")
    (tmp_path / "sub" / "kept.py").write_text(FLIP)
    run = _bounded_run(["check", "--no-cache", "--format", "concise", *(["--fix"] if fix else []), "."], tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    lines = run.stdout.splitlines()
    assert "pipe.py: error: cannot read: a FIFO, not a regular file: not read" in lines
    assert "zero.py: error: cannot read: a character device, not a regular file: not read" in lines
    assert any(line.startswith("good.py:2:") for line in lines) and any(line.startswith("sub/kept.py:2:") for line in lines)
    named = _bounded_run(["check", "--no-cache", "--format", "concise", "pipe.py"], tmp_path)
    assert named.returncode == 2 and "a FIFO" in named.stdout


def test_odd_paths_are_one_line_errors(tmp_path: Path) -> None:
    run = run_cli(["check", "--no-cache", "a" * 300 + ".py"], cwd=tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stdout + run.stderr and "File name too long" in run.stdout
    gone = tmp_path / "gone"
    gone.mkdir()
    script = f"import os, sys; os.chdir({str(gone)!r}); os.rmdir({str(gone)!r}); sys.argv = ['reviewlint', 'check', '.']; " \
             "import runpy; runpy.run_module('reviewlint', run_name='__main__')"
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=CLI_ENV, timeout=60, check=False)
    assert run.returncode == 2 and run.stderr.strip() == "reviewlint: error: the working directory cannot be used (No such file or directory)"


@posix_only
@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root to become another user")
def test_an_unsearchable_directory_as_another_user(tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o755)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "h.py").write_text(FLIP)
    (tmp_path / "good.py").write_text(FLIP)
    os.chmod(tmp_path / "d", 0o644)
    become = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable]
    probe = subprocess.run([*become, "-c", "import reviewlint"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                           check=False, env={**CLI_ENV, "HOME": str(tmp_path)})
    if probe.returncode != 0:
        pytest.skip(f"the other user cannot import reviewlint from this installation: {probe.stderr.strip()[-200:]}")
    command = [*become, "-m", "reviewlint", "check", "--no-cache", "--format", "concise"]
    for target in (".", "d/h.py"):
        run = subprocess.run([*command, target], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
                             env={**CLI_ENV, "HOME": str(tmp_path)})
        assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
        assert "d/h.py: error: cannot read: Permission denied" in run.stdout


def test_a_file_with_the_longest_name_can_be_fixed(tmp_path: Path) -> None:
    name = "a" * 251 + ".py"
    try:
        (tmp_path / name).write_text(TUPLE)
    except OSError:
        pytest.skip("the file system allows shorter names")
    run = run_cli(["check", "--no-cache", "--fix", "."], cwd=tmp_path)
    assert "Traceback" not in run.stderr and (tmp_path / name).read_text() == "def f(a, b):\n    return a, b\n"


def test_a_read_error_still_exits_2(tmp_path: Path) -> None:
    (tmp_path / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    run = run_cli(["check", "--no-cache", "--exit-zero", "--format", "concise", "."], cwd=tmp_path)
    assert run.returncode == 2 and "dangling.py: error: broken symbolic link" in run.stdout


@pytest.mark.parametrize("output_format", FORMATS)
def test_a_3mb_notebook_with_two_lines_of_code_is_linted(tmp_path: Path, output_format: str) -> None:
    _big_notebook(tmp_path / "plots.ipynb", FLIP)
    assert (tmp_path / "plots.ipynb").stat().st_size > 3_000_000
    run = run_cli(["check", "--no-cache", "--format", output_format, "plots.ipynb"], cwd=tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "RL102" in run.stdout and _skips(output_format, run.stdout) == []


def test_a_notebooks_code_over_max_file_size_is_skipped_and_outputs_never_count(tmp_path: Path) -> None:
    rules = all_rules()
    path = _big_notebook(tmp_path / "plots.ipynb", FLIP, output_bytes=200_000)
    assert lint_path(path, Settings(root=tmp_path, max_file_size=len(FLIP)), rules).findings
    result = lint_path(path, Settings(root=tmp_path, max_file_size=len(FLIP) - 1), rules)
    assert result.findings == [] and [item.reason for item in result.skipped] == [
        f"skipped: its code is {len(FLIP)} bytes, over max-file-size ({len(FLIP) - 1})"]
    small_json = lint_path(path, Settings(root=tmp_path, max_notebook_size=100_000), rules)
    assert "over max-notebook-size (100000 bytes)" in small_json.skipped[0].reason


@pytest.mark.parametrize("output_format", FORMATS)
def test_a_skipped_file_is_named_in_every_format_and_fails_the_run(tmp_path: Path, output_format: str) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.reviewlint]\nmax-file-size = 2000\nmax-notebook-size = 500000\n")
    (tmp_path / "big.py").write_text(FLIP + "".join(f"X{i} = {i}\n" for i in range(400)))
    _big_notebook(tmp_path / "plots.ipynb", FLIP, output_bytes=600_000)
    (tmp_path / "clean.py").write_text("x = 1\n")
    run = run_cli(["check", "--no-cache", "--format", output_format, "."], cwd=tmp_path)
    assert run.returncode == 1, "a skipped file is not a pass: " + run.stdout + run.stderr
    assert sorted(_skips(output_format, run.stdout)) == ["big.py", "plots.ipynb"]
    assert run_cli(["check", "--no-cache", "--exit-zero", "--format", output_format, "."], cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("output_format", FORMATS)
def test_a_named_file_that_exclude_matches_is_reported_and_passes(tmp_path: Path, output_format: str) -> None:
    """Excludes apply to files named on the command line (ruff's --force-exclude, always on), and say so."""
    (tmp_path / "pyproject.toml").write_text('[tool.reviewlint]\nexclude = ["legacy/**"]\n')
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "old.py").write_text(FLIP)
    run = run_cli(["check", "--no-cache", "--format", output_format, "legacy/old.py"], cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert _skips(output_format, run.stdout) == ["legacy/old.py"]
    assert "RL102" not in run.stdout if output_format != "sarif" else json.loads(run.stdout)["runs"][0]["results"] == []
    assert "no Python files" not in run.stderr


def test_no_file_found_is_said_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("nothing to lint\n")
    run = run_cli(["check", "--no-cache", "--format", "json", "."], cwd=tmp_path)
    assert run.returncode == 0 and json.loads(run.stdout)["findings"] == []
    assert run.stderr == "reviewlint: warning: no Python files or notebooks found under the given path(s)\n"
