"""The pre-commit hooks in ``.pre-commit-hooks.yaml``, run the way users run them.

``pre-commit try-repo`` installs this repository's hooks into a fresh virtualenv (``pip install``
of the repository, which needs libcst, click and rich from the package index) and runs them on a
throwaway git repository holding a bad file: ``reviewlint`` fails, ``reviewlint-fix`` fixes the
file (and so fails, as pre-commit hooks that modify files do), then ``reviewlint`` passes. Each
try-repo installs the hooks anew (about half a minute); the test makes two runs.

try-repo installs what is *committed* in the repository it is given (for a local repository
with uncommitted changes it adds the tracked, modified files, not new ones). So that the test
checks the hooks of the working tree — on a developer's machine with new, uncommitted files as
on a fresh CI clone — it first copies the working tree (tracked and untracked, not ignored files)
into a new git repository with one commit, and points try-repo at that. Nothing is fetched from
GitHub: the hook repository is a local path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytest.importorskip("pre_commit", reason="pre-commit is in the [test] extra")
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")

BAD = (
    "import albumentations as A\n"
    "\n"
    "\n"
    "def build():\n"
    "    aug = A.Compose([A.Rotate(limit=10, value=0)])\n"
    "    return (aug, 1)\n"
)
FIXED = BAD.replace("value=0", "fill=0").replace("return (aug, 1)", "return aug, 1")

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "reviewlint tests", "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "reviewlint tests", "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}
_SKIP = {".git", "__pycache__", ".pytest_cache", ".hypothesis", ".reviewlint_cache", "build", "dist", ".venv", "venv"}


def _git(*args: str, cwd: Path) -> str:
    env = {**os.environ, **_GIT_ENV, "HOME": str(cwd)}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def _working_tree_files() -> list[str]:
    if (REPO / ".git").exists():
        listed = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO)
        return [name for name in listed.split("\0") if name and (REPO / name).is_file()]
    return [
        path.relative_to(REPO).as_posix()
        for path in REPO.rglob("*")
        if path.is_file() and not _SKIP & set(path.relative_to(REPO).parts) and ".egg-info" not in str(path)
    ]


def _snapshot(destination: Path) -> Path:
    for name in _working_tree_files():
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    _git("init", "-q", cwd=destination)
    _git("add", "-A", cwd=destination)
    _git("commit", "-q", "-m", "snapshot of the working tree", cwd=destination)
    return destination


def _try_repo(hook_repo: Path, hook: str | None, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **_GIT_ENV, "HOME": str(cwd.parent), "PRE_COMMIT_HOME": str(cwd.parent / "pre-commit-home"),
           "PRE_COMMIT_COLOR": "never", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), *([hook] if hook else []), "--all-files", "--verbose"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False,
    )


def test_hooks_fail_fix_and_pass(tmp_path: Path) -> None:
    hook_repo = _snapshot(tmp_path / "hook-repo")
    work = tmp_path / "work"
    work.mkdir()
    _git("init", "-q", cwd=work)
    (work / "train.py").write_text(BAD)
    _git("add", "train.py", cwd=work)

    # Without a hook id, try-repo runs every hook of the manifest (one install): reviewlint
    # reports the findings, then reviewlint-fix fixes them.
    both = _try_repo(hook_repo, None, work)
    output = both.stdout + both.stderr
    assert both.returncode == 1, output
    assert "train.py:5:" in both.stdout and "RL103" in both.stdout and "RL402" in both.stdout
    assert "files were modified by this hook" in both.stdout
    assert both.stdout.count("Failed") == 2, output
    assert (work / "train.py").read_text() == FIXED

    again = _try_repo(hook_repo, "reviewlint", work)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Passed" in again.stdout


def test_the_pre_commit_hooks_never_oversubscribe() -> None:
    hooks = (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert hooks.count("require_serial: true") == 2 and "require_serial: false" not in hooks
