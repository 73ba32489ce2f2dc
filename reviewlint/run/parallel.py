"""Linting many files on several cores: worker processes, files handed out in chunks.

Files are sorted largest first and grouped into chunks of about equal size (a large file is a
chunk of its own), so the slowest file starts first and no worker is left with a long tail.
Each worker lints a chunk with :func:`reviewlint.run.loop.lint_path` (which also reads and writes
the cache) and sends back plain results; no syntax tree leaves a worker. Results come back in
completion order, tagged with each file's index, so the caller can report in file order.

On Linux the workers are forked (they inherit the loaded rules); elsewhere they are spawned and
load the rules from the registry by code. If a worker dies, the chunks it had not finished are
linted in this process.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reviewlint.lint.rule import RuleInfo
    from reviewlint.run.cache import Cache
    from reviewlint.run.config import Settings
    from reviewlint.run.result import FileResult

Task = tuple[int, Path, "Settings"]

_CHUNKS_PER_JOB = 8  # enough chunks that the last ones are small, few enough that overhead is nil

_worker_rules: Sequence[RuleInfo] = ()
_worker_cache: Cache | None = None


def chunks(tasks: Sequence[Task], jobs: int) -> list[list[Task]]:
    """Tasks grouped largest file first into chunks of roughly ``total / (jobs * 8)`` bytes."""
    sized = []
    for task in tasks:
        try:
            size = task[1].stat().st_size
        except OSError:
            size = 0
        sized.append((size, task))
    sized.sort(key=lambda item: -item[0])
    total = sum(size for size, _ in sized)
    target = max(1, total // max(1, jobs * _CHUNKS_PER_JOB))
    grouped: list[list[Task]] = []
    current: list[Task] = []
    filled = 0
    for size, task in sized:
        current.append(task)
        filled += size
        if filled >= target:
            grouped.append(current)
            current, filled = [], 0
    if current:
        grouped.append(current)
    return grouped


def _leave(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds: a cache entry being written is removed, not left half-done


def _initialize(rules: Sequence[RuleInfo] | None, codes: Sequence[str], cache: Cache | None) -> None:
    global _worker_rules, _worker_cache
    # Ctrl-C reaches the whole process group: the parent alone handles it and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _leave)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, _leave)
    if rules is None:
        from reviewlint.lint.registry import all_rules

        by_code = {rule.code: rule for rule in all_rules()}
        rules = [by_code[code] for code in codes]
    _worker_rules = rules
    _worker_cache = cache


def _lint_chunk(chunk: list[Task]) -> list[tuple[int, FileResult]]:
    from reviewlint.run.loop import lint_path

    return [(index, lint_path(path, settings, _worker_rules, _worker_cache)) for index, path, settings in chunk]


def _context() -> tuple[multiprocessing.context.BaseContext, bool]:
    """The start method, and whether workers inherit this process's memory (fork)."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork"), True
    return multiprocessing.get_context("spawn"), False


def lint_parallel(
    tasks: Sequence[Task], rules: Sequence[RuleInfo], jobs: int, cache: Cache | None
) -> Iterator[tuple[int, FileResult]]:
    """Lint ``tasks`` on up to ``jobs`` worker processes; yields (index, result) as chunks finish."""
    from reviewlint.run.loop import lint_path

    grouped = chunks(tasks, jobs)
    context, inherits = _context()
    if not inherits:
        from reviewlint.lint.registry import all_rules

        known = {id(rule) for rule in all_rules()}
        if not all(id(rule) in known for rule in rules):  # rules a spawned worker could not load
            for index, path, settings in tasks:
                yield index, lint_path(path, settings, rules, cache)
            return
    codes = [rule.code for rule in rules]
    pending: dict[Future[list[tuple[int, FileResult]]], list[Task]] = {}
    pool = ProcessPoolExecutor(
        max_workers=min(jobs, len(grouped)),
        mp_context=context,
        initializer=_initialize,
        initargs=(rules if inherits else None, codes, cache),
    )
    try:
        pending = {pool.submit(_lint_chunk, chunk): chunk for chunk in grouped}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                results = future.result()
                del pending[future]
                yield from results
    except BrokenProcessPool:
        pool.shutdown(wait=True)
        for chunk in pending.values():
            for index, path, settings in chunk:
                yield index, lint_path(path, settings, rules, cache)
    except BaseException:  # interrupted (or the consumer stopped): do not wait for the queued chunks
        _stop(pool)
        raise
    else:
        pool.shutdown(wait=True)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the workers (they only read files and write the cache)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)
