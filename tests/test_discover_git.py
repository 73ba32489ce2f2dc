"""Discovery ignores exactly what git ignores: compared with git itself on the same trees.

Each tree is a git work tree (``git init``) whose files are all untracked; git's verdict is
``git ls-files --others --exclude-standard`` (the files git does not ignore) and, file by file,
``git check-ignore --no-index``. Git's configuration is isolated from the machine's (a home of the
test's own), so that a developer's global ignore file cannot change the answer.
"""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

import pytest

from reviewlint.source.discover import discover

pytestmark = pytest.mark.skipif(subprocess.run(["git", "--version"], capture_output=True).returncode != 0,
                                reason="git is not installed")

FILES = [
    "train.py", "eval.py", "notes.ipynb", "keep.py", "a/model.py", "a/b/deep.py", "a/b/c/deeper.ipynb",
    "build_tools/gen.py", "data/load.py", "data/raw/dump.py", "docs/conf.py", "src/pkg/__init__.py",
    "src/pkg/generated_pb2.py", "src/pkg/sub/x.py", "logs/run.py", "logs/keep/me.py", "x/y/z/w.py",
    "tmp_a.py", "tmpb.py", "#hash.py", "!bang.py", "space name.py", "[ab].py", "b.py",
]
PATTERNS = [
    "*.ipynb", "!notes.ipynb", "/train.py", "a/b/", "data/", "!data/load.py", "**/generated_*.py", "logs/*",
    "!logs/keep/", "x/**/w.py", "tmp?.py", "tmp_*", "\\#hash.py", "\\!bang.py", "docs", "src/pkg/sub",
    "[ab].py", "deep.py", "*.py", "!keep.py", "build_*/", "/a/model.py", "eval.py ", "**/c", "z/",
]


def _git(root: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *arguments], cwd=root, capture_output=True, text=True, check=False,
                          env={**os.environ, "HOME": str(root.parent / "home"), "XDG_CONFIG_HOME": str(root.parent / "xdg"),
                               "GIT_CONFIG_NOSYSTEM": "1"})


def _tree(root: Path, files: list[str]) -> None:
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n", encoding="utf-8")


def _linted(root: Path, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    monkeypatch.setenv("HOME", str(root.parent / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(root.parent / "xdg"))
    return {path.relative_to(root).as_posix() for path in discover([root], lambda path: False)}


def _not_ignored_by_git(root: Path) -> set[str]:
    listed = _git(root, "ls-files", "--others", "--exclude-standard", "-z")
    assert listed.returncode == 0, listed.stderr
    return {name for name in listed.stdout.split("\0") if name.endswith((".py", ".ipynb"))}


def _git_check_ignore(root: Path, names: list[str]) -> set[str]:
    result = subprocess.run(["git", "check-ignore", "--no-index", "-z", "--stdin"], cwd=root, input="\0".join(names),
                            capture_output=True, text=True, check=False,
                            env={**os.environ, "HOME": str(root.parent / "home"), "XDG_CONFIG_HOME": str(root.parent / "xdg"),
                                 "GIT_CONFIG_NOSYSTEM": "1"})
    assert result.returncode in (0, 1), result.stderr
    return set(result.stdout.split("\0")) - {""}


@pytest.mark.parametrize("seed", range(12))
def test_random_gitignores_agree_with_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    rng = random.Random(seed)
    root = tmp_path / "repo"
    root.mkdir()
    assert _git(root, "init", "-q").returncode == 0
    _tree(root, FILES)
    for folder in ("", "a", "src", "logs", "a/b"):
        if rng.random() < 0.7:
            (root / folder / ".gitignore").write_text("\n".join(rng.sample(PATTERNS, rng.randint(1, 6))) + "\n", encoding="utf-8")
    if rng.random() < 0.5:
        (root / ".git" / "info").mkdir(exist_ok=True)
        (root / ".git" / "info" / "exclude").write_text("\n".join(rng.sample(PATTERNS, 2)) + "\n", encoding="utf-8")
    linted = _linted(root, monkeypatch)
    assert linted == _not_ignored_by_git(root)
    ignored = _git_check_ignore(root, FILES)
    assert linted == {name for name in FILES if name.endswith((".py", ".ipynb"))} - ignored - {
        name for name in FILES if any(name.startswith(ignored_dir.rstrip("/") + "/") for ignored_dir in ignored)}


def test_a_gitignore_above_the_work_tree_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parent = tmp_path / "parent"
    root = parent / "proj"
    root.mkdir(parents=True)
    (parent / ".gitignore").write_text("*\n", encoding="utf-8")
    assert _git(root, "init", "-q").returncode == 0
    _tree(root, ["train.py", "sub/model.py"])
    assert _linted(root, monkeypatch) == {"train.py", "sub/model.py"} == _not_ignored_by_git(root)
    monkeypatch.chdir(root)
    assert {path.as_posix() for path in discover([Path(".")], lambda path: False)} == {"train.py", "sub/model.py"}
    assert {path.as_posix() for path in discover([Path("sub")], lambda path: False)} == {"sub/model.py"}


def test_info_exclude_and_core_excludes_file_are_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    assert _git(root, "init", "-q").returncode == 0
    _tree(root, ["train.py", "scratch.py", "personal.py", "sub/kept.py"])
    (root / ".git" / "info" / "exclude").write_text("scratch.py\n", encoding="utf-8")
    (tmp_path / "my-ignores").write_text("personal.py\n", encoding="utf-8")
    assert _git(root, "config", "core.excludesFile", str(tmp_path / "my-ignores")).returncode == 0
    assert _linted(root, monkeypatch) == {"train.py", "sub/kept.py"} == _not_ignored_by_git(root)
    (tmp_path / "xdg" / "git").mkdir(parents=True)
    (tmp_path / "xdg" / "git" / "ignore").write_text("train.py\n", encoding="utf-8")
    assert _git(root, "config", "--unset", "core.excludesFile").returncode == 0
    assert _linted(root, monkeypatch) == {"personal.py", "sub/kept.py"} == _not_ignored_by_git(root)


def test_outside_a_work_tree_gitignores_from_the_linted_folder_down(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".gitignore").write_text("*\n", encoding="utf-8")
    root = tmp_path / "proj"
    _tree(root, ["train.py", "out/gen.py", "sub/model.py"])
    (root / ".gitignore").write_text("out/\n", encoding="utf-8")
    (root / "sub" / ".gitignore").write_text("model.py\n", encoding="utf-8")
    assert _linted(root, monkeypatch) == {"train.py"}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_a_fifo_or_device_named_gitignore_is_passed_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "proj"
    _tree(root, ["train.py", "sub/model.py", "dev/x.py"])
    os.mkfifo(root / "sub" / ".gitignore")
    (root / "dev" / ".gitignore").symlink_to("/dev/zero")
    assert _linted(root, monkeypatch) == {"train.py", "sub/model.py", "dev/x.py"}
