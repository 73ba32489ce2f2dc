"""Results by file state: a re-run of unchanged files reads none of them, a changed file is linted again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reviewlint.lint.registry import all_rules
from reviewlint.run import loop
from reviewlint.run.cache import STATE_INDEX, Cache
from reviewlint.run.config import ConfigResolver, Overrides
from reviewlint.run.result import RunResult

FLIP = "import albumentations as A\naug = A.Compose([A.VerticalFlip(p=0.5)])\n"
SAFE = "import albumentations as A\naug = A.Compose([A.HorizontalFlip(p=.5)])\n"  # same length as FLIP


def _run(paths: list[Path], cache: Cache, jobs: int = 1) -> RunResult:
    rules = all_rules()
    return loop.run_paths(paths, ConfigResolver(rules, Overrides()), rules, jobs=jobs, cache=cache)


def _codes(result: RunResult) -> list[tuple[str, str]]:
    return [(finding.location.path, finding.code) for finding in result.findings]


def _no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    read = loop.Snapshot.read

    def refuse(path: Path, limit: int) -> object:
        if Path(path).suffix == ".py":
            raise AssertionError(f"{path} was read")
        return read(path, limit)  # ignore files and configuration are still read

    monkeypatch.setattr(loop.Snapshot, "read", staticmethod(refuse))


@pytest.mark.parametrize("jobs", [1, 2])
def test_unchanged_files_are_not_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    files = [tmp_path / f"train_{n}.py" for n in range(3)]
    for path in files:
        path.write_text(FLIP)
    cache = Cache.open(tmp_path / "cache", all_rules())
    first = _run([tmp_path], cache, jobs)
    assert (cache.directory / cache.code / STATE_INDEX).is_file()
    _no_reading(monkeypatch)
    again = _run([tmp_path], cache, jobs)
    assert _codes(again) == _codes(first) and len(_codes(first)) == 3
    assert [f.message for f in again.findings] == [f.message for f in first.findings]


def test_a_file_changed_in_place_is_linted_again(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text(FLIP)
    cache = Cache.open(tmp_path / "cache", all_rules())
    assert [code for _, code in _codes(_run([path], cache))] == ["RL102"]
    status = os.stat(path)
    path.write_text(SAFE)  # same size
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))  # and the old modification time
    assert _codes(_run([path], cache)) == []  # the change time still moved


def test_other_settings_are_another_state(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text(FLIP)
    cache = Cache.open(tmp_path / "cache", all_rules())
    assert _codes(_run([path], cache))
    (tmp_path / "pyproject.toml").write_text('[tool.reviewlint]\nignore = ["RL102"]\n')
    assert _codes(_run([path], cache)) == []


def test_a_forged_index_is_ignored_and_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text(FLIP)
    cache = Cache.open(tmp_path / "cache", all_rules())
    first = _codes(_run([path], cache))
    index = cache.directory / cache.code / STATE_INDEX
    forged = index.read_bytes().replace(b"RL102", b"RL999")
    index.write_bytes(forged)  # the signature no longer matches
    assert _codes(_run([path], cache)) == first
    index.write_bytes(b"not a signature\n{]")
    assert _codes(_run([path], cache)) == first
    (cache.directory / cache.code).joinpath("states.json").unlink()
    assert _codes(_run([path], cache)) == first and index.is_file()


def test_results_with_errors_are_not_kept(tmp_path: Path) -> None:
    broken = tmp_path / "gone.py"
    broken.symlink_to(tmp_path / "missing.py")
    cache = Cache.open(tmp_path / "cache", all_rules())
    assert _run([broken], cache).errors
    (tmp_path / "missing.py").write_text(FLIP)  # the link now leads somewhere
    assert [code for _, code in _codes(_run([broken], cache))] == ["RL102"]


def test_an_old_versions_index_goes_with_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text(FLIP)
    old = Cache(tmp_path / "cache", "0" * 32)
    _run([path], old)
    assert (old.directory / old.code / STATE_INDEX).is_file()
    current = Cache.open(tmp_path / "cache", all_rules())
    _run([path], current)
    for entry in (old.directory / old.code).iterdir():
        if entry.is_dir():
            for item in entry.iterdir():
                item.unlink()  # entries the trim would have aged out
    current.trim()
    assert not (old.directory / old.code).exists()
