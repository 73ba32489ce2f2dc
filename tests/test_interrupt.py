"""Interrupted runs: SIGINT or SIGTERM in the middle of ``--fix`` leaves every file either exactly
as it was or exactly as a complete fix run makes it, never half-written, and no temporary file
behind; the command says so in one line and exits with 128 + the signal's number. An
interrupted ``check -j 2`` stops its workers and prints no traceback either, and an interrupt
that library code swallowed is raised again at the next file.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import CLI, CLI_ENV, REPO

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

FIXTURES = [REPO / "fixtures" / "student_notebook.py", REPO / "fixtures" / "student_notebook.ipynb"]
COPIES = 60  # of each fixture: far more work than the time before the signal


def _start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([*CLI, *args], cwd=cwd, env=CLI_ENV, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture(scope="module")
def fixed_fixtures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """What a complete ``--fix --unsafe-fixes`` run makes of each fixture."""
    folder = tmp_path_factory.mktemp("complete")
    for fixture in FIXTURES:
        shutil.copy(fixture, folder / fixture.name)
    process = _start(["check", "--fix", "--unsafe-fixes", "--no-cache", "."], folder)
    process.communicate(timeout=300)
    fixed = {fixture.name: (folder / fixture.name).read_bytes() for fixture in FIXTURES}
    assert all(fixed[f.name] != f.read_bytes() for f in FIXTURES), "the fixtures have fixes to apply"
    return fixed


def _tree(folder: Path) -> dict[Path, bytes]:
    originals = {}
    for number in range(COPIES):
        for fixture in FIXTURES:
            path = folder / f"part{number:03d}" / fixture.name
            path.parent.mkdir(exist_ok=True)
            shutil.copy(fixture, path)
            originals[path] = fixture.read_bytes()
    return originals


def _first_change(originals: dict[Path, bytes], process: subprocess.Popen[str], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if any(path.read_bytes() != data for path, data in list(originals.items())[:6]):
            return
        time.sleep(0.02)
    pytest.fail("no file was fixed before the deadline, or the run ended first")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["SIGINT", "SIGTERM", "SIGHUP"])
@pytest.mark.parametrize("delay", [0.0, 0.35])
def test_interrupted_fix_leaves_each_file_old_or_new(
    tmp_path: Path, fixed_fixtures: dict[str, bytes], signum: int, delay: float
) -> None:
    originals = _tree(tmp_path)
    process = _start(["check", "--fix", "--unsafe-fixes", "--no-cache", "."], tmp_path)
    _first_change(originals, process)
    time.sleep(delay)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 128 + signum, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines() == [f"reviewlint: interrupted by {signal.Signals(signum).name}; "
                                           "no file was left half-written"]
    states = {"old": 0, "new": 0}
    for path, data in originals.items():
        now = path.read_bytes()
        if now == data:
            states["old"] += 1
        else:
            assert now == fixed_fixtures[path.name], f"{path} is neither the original nor the fixed file"
            states["new"] += 1
    assert states["new"] >= 1 and states["old"] >= 1, states  # the signal came in the middle of the run
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file() and p not in originals]
    assert leftovers == [], leftovers


def _entries(cache: Path) -> list[Path]:
    return [p for p in cache.rglob("*") if p.is_file() and p.name not in ("CACHEDIR.TAG", ".gitignore")]


def _alive(pid: str) -> bool:
    """Whether the process runs (a zombie waiting for a parent to reap it does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["SIGINT", "SIGTERM", "SIGHUP"])
def test_interrupted_parallel_check_stops_its_workers(tmp_path: Path, signum: int) -> None:
    originals = _tree(tmp_path)
    process = _start(["check", "-j", "2", "."], tmp_path)
    cache = tmp_path / ".reviewlint_cache"
    deadline = time.monotonic() + 120
    workers: list[str] = []
    while time.monotonic() < deadline and process.poll() is None and not (workers and _entries(cache)):
        workers = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True, check=False).stdout.split()
        time.sleep(0.02)
    assert workers, "the run started no worker"
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 128 + signum, stderr
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1, stderr
    assert all(path.read_bytes() == data for path, data in originals.items())
    time.sleep(0.5)
    assert [pid for pid in workers if _alive(pid)] == [], "a worker outlived the run"
    assert not [p for p in cache.rglob(".tmp-*")], "a cache entry was left half-written"


def test_a_lost_interrupt_is_raised_again_at_the_next_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """C code that calls back into Python can swallow the handler's exception; the run still stops."""
    from reviewlint.run import interrupt
    monkeypatch.setattr(interrupt, "_received", [])
    interrupt.checkpoint()  # nothing arrived: nothing happens
    try:
        interrupt._handle(signal.SIGTERM, None)
    except BaseException:  # noqa: BLE001 - what a library that swallows the exception does
        pass
    with pytest.raises(interrupt.Interrupted) as stop:
        interrupt.checkpoint()
    assert stop.value.status == 128 + signal.SIGTERM
