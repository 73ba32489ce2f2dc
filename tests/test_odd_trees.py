"""Odd trees: symlink loops, directories named like files, unreadable and vanishing files, odd
names, thousands of files. The run finishes, reports what it could not read, loses nothing.

The tests run as root in CI, where ``chmod 000`` does not stop a read: unreadable files and
directories are simulated by patching the calls that read them (``Path.read_bytes``,
``os.scandir``, ``os.stat``); the real ``chmod`` test runs only as an ordinary user.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import reviewlint.run.loop
from reviewlint.cli import cli
from tests.conftest import check_in_process, run_cli

FLIP = "import albumentations as A\ntrain_aug = A.Compose([A.VerticalFlip(p=0.5)])\n"
needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="POSIX symlinks")






def report(run: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert "Traceback" not in run.stdout + run.stderr, run.stderr
    return json.loads(run.stdout)


def error_map(data: dict[str, object]) -> dict[str, str]:
    return {error["path"]: error["message"] for error in data["errors"]}  # type: ignore[index, union-attr]


def finding_paths(data: dict[str, object]) -> list[str]:
    return sorted(finding["path"] for finding in data["findings"])  # type: ignore[index, union-attr]


@needs_symlinks
def test_symlink_loops_and_broken_links_are_reported_and_the_rest_linted(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(FLIP)
    (tmp_path / "a.py").symlink_to("b.py")
    (tmp_path / "b.py").symlink_to("a.py")
    (tmp_path / "self.py").symlink_to("self.py")
    (tmp_path / "dangling.py").symlink_to(tmp_path / "no-such-target.py")
    (tmp_path / "alias.py").symlink_to("good.py")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "inner.py").write_text(FLIP)
    (tmp_path / "sub" / "up").symlink_to("..")
    (tmp_path / "sub" / "again").symlink_to("../sub")
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")

    run = run_cli(["check", "--no-cache", "--format", "json", "."], cwd=tmp_path, timeout=60)
    data = report(run)
    assert run.returncode == 2
    errors = error_map(data)
    assert set(errors) == {"a.py", "b.py", "self.py", "dangling.py"}
    assert all("symbolic link" in errors[name] for name in ("a.py", "b.py", "self.py"))
    assert errors["dangling.py"] == "broken symbolic link: its target does not exist"
    assert finding_paths(data) == ["good.py", "sub/inner.py"], "each real file once, loops not followed"

    named = run_cli(["check", "--no-cache", "--format", "json", "a.py", "self.py", "dangling.py", "good.py"],
                           cwd=tmp_path, timeout=60)
    data = report(named)
    assert named.returncode == 2
    assert set(error_map(data)) == {"a.py", "self.py", "dangling.py"}
    assert finding_paths(data) == ["good.py"]


def test_directory_named_like_a_python_file_is_walked(tmp_path: Path) -> None:
    (tmp_path / "x.py").mkdir()
    (tmp_path / "x.py" / "inner.py").write_text(FLIP)
    (tmp_path / "empty.ipynb").mkdir()
    for args in (["."], ["x.py", "empty.ipynb"]):
        run = run_cli(["check", "--no-cache", "--format", "json", *args], cwd=tmp_path, timeout=60)
        data = report(run)
        assert run.returncode == 1, data
        assert data["errors"] == []
        assert finding_paths(data) == ["x.py/inner.py"]


def test_missing_path_on_the_command_line_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(FLIP)
    run = run_cli(["check", "--no-cache", "--format", "json", "missing.py", "gone/", "good.py"], cwd=tmp_path)
    data = report(run)
    assert run.returncode == 2
    assert set(error_map(data)) == {"missing.py", "gone"}
    assert finding_paths(data) == ["good.py"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_unreadable_file_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str) -> None:
    (tmp_path / "good.py").write_text(FLIP)
    (tmp_path / "secret.py").write_text(FLIP)
    secret = (tmp_path / "secret.py").resolve()
    real_open = os.open

    def open_file(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if Path(os.fspath(path)).resolve() == secret:  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", os.fspath(path))  # type: ignore[arg-type]
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", open_file)
    code, out, err = check_in_process(["--no-cache", "--jobs", jobs, "--format", "json", "."], tmp_path, monkeypatch)
    data = json.loads(out)
    assert code == 2, out + err
    assert error_map(data) == {"secret.py": "cannot read: Permission denied"}
    assert finding_paths(data) == ["good.py"]


def _deny_directory(monkeypatch: pytest.MonkeyPatch, denied: Path, stat_inside: bool) -> None:
    """Make ``denied`` behave as a directory without read (and, if ``stat_inside``, search) rights."""
    denied = denied.resolve()
    real_scandir, real_stat = os.scandir, os.stat

    def scandir(path: object = ".") -> object:
        if Path(os.fspath(path)).resolve() == denied:  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", os.fspath(path))  # type: ignore[arg-type]
        return real_scandir(path)  # type: ignore[arg-type]

    def stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if stat_inside and Path(os.path.abspath(os.fspath(path))).parent == denied:  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", os.fspath(path))  # type: ignore[arg-type]
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "stat", stat)


def test_unreadable_directory_simulated_is_reported_not_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "good.py").write_text(FLIP)
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "hidden.py").write_text(FLIP)
    _deny_directory(monkeypatch, tmp_path / "private", stat_inside=False)
    code, out, err = check_in_process(["--no-cache", "--jobs", "1", "--format", "json", "."], tmp_path, monkeypatch)
    data = json.loads(out)
    assert code == 2, out + err
    assert error_map(data) == {"private": "cannot read: Permission denied"}
    assert finding_paths(data) == ["good.py"]


def test_unsearchable_directory_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "good.py").write_text(FLIP)
    (tmp_path / "sub" / "private").mkdir(parents=True)  # the only entry of its folder
    (tmp_path / "sub" / "private" / "hidden.py").write_text(FLIP)
    _deny_directory(monkeypatch, tmp_path / "sub" / "private", stat_inside=True)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["check", "--no-cache", "--jobs", "1", "--format", "json", "."])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    data = json.loads(result.stdout)
    assert result.exit_code == 2
    assert error_map(data) == {"sub/private": "cannot read: Permission denied"}


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="running as root: chmod 000 does not stop root from reading (see the simulated tests)")
def test_unreadable_file_for_real(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(FLIP)
    secret = tmp_path / "secret.py"
    secret.write_text(FLIP)
    secret.chmod(0)
    try:
        run = run_cli(["check", "--no-cache", "--format", "json", "."], cwd=tmp_path)
    finally:
        secret.chmod(0o644)
    data = report(run)
    assert run.returncode == 2
    assert error_map(data) == {"secret.py": "cannot read: Permission denied"}
    assert finding_paths(data) == ["good.py"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_files_that_vanish_during_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str) -> None:
    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / name).write_text(FLIP)
    (tmp_path / "later").mkdir()
    (tmp_path / "later" / "d.py").write_text(FLIP)
    real_discover = reviewlint.run.loop.discover

    def discover_then_delete(*args: object, **kwargs: object) -> Iterator[Path]:
        for index, path in enumerate(real_discover(*args, **kwargs)):  # type: ignore[arg-type]
            if index == 0:  # the walk is under way: a directory it has not reached yet goes
                shutil.rmtree(tmp_path / "later")
            yield path
        (tmp_path / "b.py").unlink()  # found, then gone before it is read

    monkeypatch.setattr(reviewlint.run.loop, "discover", discover_then_delete)
    code, out, err = check_in_process(["--no-cache", "--jobs", jobs, "--format", "json", "."], tmp_path, monkeypatch)
    data = json.loads(out)
    assert code == 2, out + err
    assert error_map(data) == {"b.py": "no such file (or it vanished during the run)"}
    assert finding_paths(data) == ["a.py", "c.py"]


def _odd_names(root: Path) -> dict[str, str]:
    """Files with odd names -> how each is shown in reports."""
    names = {
        "with space/my file.py": "with space/my file.py",
        "dönnées/étude ü.py": "dönnées/étude ü.py",
        "日本語/ノート.ipynb": "日本語/ノート.ipynb",
        "tab\tname.py": "tab\\tname.py",
        "esc\x1b[31mred.py": "esc\\x1b[31mred.py",
        "new\nline.py": "new\\nline.py",
    }
    notebook = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": FLIP.splitlines(True)}]})
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(notebook if name.endswith(".ipynb") else FLIP, encoding="utf-8")
    try:  # a name that is not UTF-8 (POSIX file systems allow any bytes)
        with open(os.path.join(os.fsencode(root), b"caf\xe9.py"), "w", encoding="utf-8") as handle:
            handle.write(FLIP)
        names["caf\udce9.py"] = "caf\\xe9.py"
    except (OSError, UnicodeError):
        pass
    return names


def test_paths_with_spaces_non_ascii_and_control_characters(tmp_path: Path) -> None:
    names = _odd_names(tmp_path)
    run = run_cli(["check", "--no-cache", "--format", "json", "."], cwd=tmp_path)
    data = report(run)
    assert run.returncode == 1, run.stderr
    assert data["errors"] == []
    assert finding_paths(data) == sorted(names.values())
    for output_format in ("concise", "text", "github"):
        run = run_cli(["check", "--no-cache", "--format", output_format, "."], cwd=tmp_path)
        assert run.returncode == 1 and "Traceback" not in run.stdout + run.stderr, run.stderr
        assert "\x1b" not in run.stdout, f"{output_format}: a raw escape sequence from a file name"
        for shown in names.values():
            assert any(line.startswith(shown) or f"file={shown}," in line for line in run.stdout.splitlines()), shown
    concise = run_cli(["check", "--no-cache", "--format", "concise", "."], cwd=tmp_path)
    assert len(concise.stdout.splitlines()) == len(names), "one line a finding, whatever the name"


def test_odd_gitignore_patterns_do_not_break_discovery(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("[z-a].py\n[]]\nfoo[\n[!a]b.py\n\\#hash.py\n[[:alpha:]]\n", encoding="utf-8")
    for name in ("ab.py", "cb.py", "#hash.py", "keep.py"):
        (tmp_path / name).write_text(FLIP)
    run = run_cli(["check", "--no-cache", "--format", "json", "."], cwd=tmp_path)
    data = report(run)
    assert run.returncode == 1, run.stderr
    assert finding_paths(data) == ["ab.py", "keep.py"], "[!a]b.py ignores cb.py, \\#hash.py ignores #hash.py"


def test_thousands_of_files(tmp_path: Path) -> None:
    flagged = set()
    for index in range(3000):
        directory = tmp_path / f"pkg{index % 30:02d}" / f"sub{index % 7}"
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"m{index:04d}.py"
        if index % 50 == 0:
            path.write_text(FLIP)
            flagged.add(path.relative_to(tmp_path).as_posix())
        else:
            path.write_text(f"VALUE_{index} = {index}\n")
    (tmp_path / "pyproject.toml").write_text("[tool.reviewlint]\n")
    started = time.monotonic()
    first = run_cli(["check", "--format", "json", "."], cwd=tmp_path)  # default jobs, with the cache
    elapsed = time.monotonic() - started
    data = report(first)
    assert first.returncode == 1
    assert data["errors"] == []
    assert finding_paths(data) == sorted(flagged)
    assert elapsed < 120, f"3,000 files took {elapsed:.0f}s"
    again = run_cli(["check", "--format", "json", "."], cwd=tmp_path)  # from the cache
    assert json.loads(again.stdout) == data
    text = run_cli(["check", "--no-cache", "--jobs", "1", "--format", "text", "."], cwd=tmp_path)
    assert text.returncode == 1 and "in 3000 files." in text.stdout
