"""Run one command and measure it: wall time, CPU time, peak memory of its process tree."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measurement:
    """What one run of a command cost."""

    label: str
    wall: float  # seconds
    cpu: float  # user + system seconds of the process and its waited-for children
    peak_mb: float  # peak of the summed memory of the process tree (PSS where available, else RSS)
    largest_mb: float  # peak resident memory of the largest single process (getrusage ru_maxrss)
    returncode: int


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def _memory_kb(pid: int) -> int:
    for name, key in (("smaps_rollup", b"Pss:"), ("status", b"VmRSS:")):
        try:
            with open(f"/proc/{pid}/{name}", "rb") as handle:
                for line in handle:
                    if line.startswith(key):
                        return int(line.split()[1])
        except OSError:
            continue
    return 0


def _tree_memory_kb(root: int) -> int:
    tree = _children()
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _memory_kb(pid)
        stack.extend(tree.get(pid, ()))
    return total


def run(label: str, command: list[str], cwd: Path, env: dict[str, str] | None = None, log: Path | None = None,
        interval: float = 0.1) -> Measurement:
    """Run ``command`` in ``cwd``; stdout and stderr go to ``log`` (or nowhere)."""
    sink = open(log, "wb") if log is not None else subprocess.DEVNULL  # noqa: SIM115
    try:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=sink, stderr=subprocess.STDOUT)
        peak = 0
        done = threading.Event()
        sampling = os.path.isdir("/proc")

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_memory_kb(process.pid))
                done.wait(interval)

        sampler = threading.Thread(target=sample, daemon=True)
        if sampling:
            sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        if sampling:
            sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if log is not None:
            sink.close()  # type: ignore[union-attr]
    largest = usage.ru_maxrss / 1024  # kB on Linux
    return Measurement(label, wall, usage.ru_utime + usage.ru_stime, max(peak / 1024, 0.0) or largest, largest,
                       process.returncode)
