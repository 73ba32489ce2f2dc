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
    peak_mb: float  # peak of the summed memory of the process tree (PSS where available, else RSS), sampled
    largest_mb: float  # the largest peak resident memory (VmHWM) of one process of the tree
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


def _field_kb(pid: int, name: str, key: bytes) -> int | None:
    try:
        with open(f"/proc/{pid}/{name}", "rb") as handle:
            for line in handle:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _tree_memory_kb(root: int) -> tuple[int, int]:
    """(memory of the process tree now: PSS, else RSS; the largest peak RSS of one of its processes)."""
    tree = _children()
    total = largest = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        now = _field_kb(pid, "smaps_rollup", b"Pss:")
        total += now if now is not None else (_field_kb(pid, "status", b"VmRSS:") or 0)
        largest = max(largest, _field_kb(pid, "status", b"VmHWM:") or 0)
        stack.extend(tree.get(pid, ()))
    return total, largest


def run(label: str, command: list[str], cwd: Path, env: dict[str, str] | None = None, log: Path | None = None,
        interval: float = 0.1) -> Measurement:
    """Run ``command`` in ``cwd``; stdout and stderr go to ``log`` (or nowhere)."""
    sink = open(log, "wb") if log is not None else subprocess.DEVNULL  # noqa: SIM115
    try:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=sink, stderr=subprocess.STDOUT)
        peak = largest = 0
        done = threading.Event()
        sampling = os.path.isdir("/proc")

        def sample() -> None:
            nonlocal peak, largest
            while not done.is_set():
                total, high = _tree_memory_kb(process.pid)
                peak, largest = max(peak, total), max(largest, high)
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
    # Without /proc, getrusage's maxrss (which on Linux can include the parent's at fork time).
    largest_mb = largest / 1024 if largest else usage.ru_maxrss / 1024
    return Measurement(label, wall, usage.ru_utime + usage.ru_stime, peak / 1024 or largest_mb, largest_mb,
                       process.returncode)
