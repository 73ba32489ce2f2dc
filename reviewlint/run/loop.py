"""From paths to a run's result: discovery, reading, the cache, and linting what the cache lacks.

Nothing here needs the syntax tree: a run whose every file comes from the cache never imports
libcst nor the rules (:mod:`reviewlint.lint.runner` and :mod:`reviewlint.lint.registry` are imported on the
first file that must be linted).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING

from reviewlint.lint.finding import SYNTAX_ERROR_CODE, FileError, Finding, Skipped, syntax_finding
from reviewlint.lint.rule_meta import DescribedRule
from reviewlint.run.cache import Cache, settings_fingerprint
from reviewlint.run.config import ConfigResolver, Settings
from reviewlint.run.interrupt import checkpoint
from reviewlint.run.result import FileResult, RunResult
from reviewlint.run.state_index import StateIndex
from reviewlint.source.atomic import Snapshot
from reviewlint.source.discover import discover
from reviewlint.source.files import NotPythonNotebook, SourceError, SourceFile, load_source
from reviewlint.source.paths import display_path, path_uri
from reviewlint.source.project import dependencies, forget_file_system

if TYPE_CHECKING:
    from reviewlint.fixing.fixer import FixMode
    from reviewlint.lint.rule import RuleInfo


@dataclass
class RuleSet:
    """The rules of a run: described without importing them, loaded on the first file to lint."""

    described: Sequence[DescribedRule]
    load: Callable[[], Sequence[RuleInfo]] = field(repr=False)

    @classmethod
    def of(cls, rules: Sequence[RuleInfo] | RuleSet) -> RuleSet:
        """Rules already loaded (tests, the fixer) as a set."""
        if isinstance(rules, RuleSet):
            return rules
        return cls(rules, lambda: rules)

    @cached_property
    def loaded(self) -> Sequence[RuleInfo]:
        return self.load()


def file_limit(path: Path, settings: Settings) -> int:
    """How many bytes of a file are read at most: a notebook's JSON has its own, larger bound
    (outputs do not count towards ``max-file-size``, which is checked on its code)."""
    return settings.max_notebook_size if path.suffix == ".ipynb" else settings.max_file_size


def too_large(path: Path, settings: Settings) -> str:
    """Why a file over its size limit (:func:`file_limit`) is skipped."""
    if path.suffix == ".ipynb":
        return f"skipped: the notebook file is over max-notebook-size ({settings.max_notebook_size} bytes)"
    return f"skipped: over max-file-size ({settings.max_file_size} bytes)"


def _read(path: Path, settings: Settings, shown: str) -> bytes | FileResult:
    """A file's bytes, or the result that says why there are none."""
    try:
        if path.is_dir():
            with os.scandir(path):  # discovery hands over a directory only when it cannot be read
                pass
            return FileResult(shown, errors=[FileError(shown, "is a directory, not a file")])
        snapshot = Snapshot.read(path, file_limit(path, settings))
    except FileNotFoundError:
        if os.path.islink(path):
            return FileResult(shown, errors=[FileError(shown, "broken symbolic link: its target does not exist")])
        return FileResult(shown, errors=[FileError(shown, "no such file (or it vanished during the run)")])
    except OSError as error:
        return FileResult(shown, errors=[FileError(shown, f"cannot read: {error.strerror or error}")])
    if snapshot is None:
        return FileResult(shown, skipped=[Skipped(shown, too_large(path, settings))])
    return snapshot.data


def load(path: Path, raw: bytes, settings: Settings, shown: str) -> SourceFile | FileResult:
    """A file's bytes as a module, or the result that says why it cannot be linted: code that
    cannot be decoded is an RL001 finding; a notebook whose code is over ``max-file-size``, or
    whose kernel runs another language, is skipped."""
    try:
        source = load_source(path, raw)
    except NotPythonNotebook as error:
        return FileResult(shown, skipped=[Skipped(shown, f"skipped: {error}", fails=False)])
    except SourceError as error:
        enabled = settings.enabled(SYNTAX_ERROR_CODE, path if settings.per_file_ignores else None)
        return FileResult(shown, findings=[syntax_finding(shown, str(error), error.line)] if enabled else [])
    if source.kind == "notebook":
        size = len(source.text.encode("utf-8", "surrogatepass"))
        if size > settings.max_file_size:
            return FileResult(shown, skipped=[Skipped(shown, f"skipped: its code is {size} bytes, over max-file-size ({settings.max_file_size})")])
    return source


def enabled(settings: Settings, rule: DescribedRule, path: Path) -> bool:
    """Whether a rule is selected for a file."""
    # Without per-file ignores the path cannot matter: skip resolving it once per rule.
    return settings.enabled(rule.code, path if settings.per_file_ignores else None)


_ENABLED: dict[tuple[int, int], tuple[Settings, Sequence[DescribedRule], list[str]]] = {}


def _codes(path: Path, settings: Settings, rules: Sequence[DescribedRule]) -> list[str]:
    """The codes of the rules enabled for a file."""
    if settings.per_file_ignores:
        return [rule.code for rule in rules if enabled(settings, rule, path)]
    # The same codes for every file under these settings: work them out once.
    known = _ENABLED.get((id(settings), id(rules)))
    if known is None or known[0] is not settings or known[1] is not rules:
        known = _ENABLED[(id(settings), id(rules))] = (settings, rules, [rule.code for rule in rules if settings.enabled(rule.code)])
    return known[2]


def _cache_key(cache: Cache, raw: bytes, shown: str, path: Path, settings: Settings, rules: Sequence[DescribedRule]) -> str:
    return cache.key(raw, shown, settings, _codes(path, settings, rules))


def _state_key(path: Path, settings: Settings, rules: Sequence[DescribedRule]) -> str | None:
    return StateIndex.key(path, display_path(path), settings_fingerprint(settings), ",".join(_codes(path, settings, rules)))


def lint_path(path: Path, settings: Settings, rules: Sequence[RuleInfo] | RuleSet, cache: Cache | None = None) -> FileResult:
    """Read and lint one file; unreadable or undecodable files become errors, never exceptions.

    With a cache, a result stored for the same bytes, path, settings and code is returned
    instead, and a new result is stored (except one with a rule's internal error).
    """
    rules = RuleSet.of(rules)
    shown = display_path(path)
    raw = _read(path, settings, shown)
    if isinstance(raw, FileResult):
        return replace(raw, uri=path_uri(path))
    key = None
    if cache is not None:
        key = _cache_key(cache, raw, shown, path, settings, rules.described)
        cached = cache.get(key)
        if cached is not None and dependencies_unchanged(path, cached):
            return cached
    source = load(path, raw, settings, shown)
    if isinstance(source, FileResult):
        result = source
    else:
        from reviewlint.lint import runner  # the syntax tree: libcst and the rules, only now

        result = runner.lint_source(source, settings, rules.loaded, shown)
    result.uri = path_uri(path)
    if cache is not None and key is not None and not any(error.code for error in result.errors):
        cache.put(key, result)
    return result


def cached_result(path: Path, settings: Settings, rules: Sequence[DescribedRule], cache: Cache) -> FileResult | None:
    """The cached result of a file as it is now on disk, or None."""
    shown = display_path(path)
    raw = _read(path, settings, shown)
    if isinstance(raw, FileResult):
        return None
    found = cache.get(_cache_key(cache, raw, shown, path, settings, rules))
    return found if found is not None and dependencies_unchanged(path, found) else None


def dependencies_unchanged(path: Path, result: FileResult) -> bool:
    """Whether a stored result still holds for the project modules its file imports: the same
    imports lead to the same files, with the same bytes (always, for a result that followed none)."""
    return result.imports is None or dependencies(path, result.imports) == result.depends


def available_cores() -> int:
    """The cores this process may run on (the default number of jobs)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def discover_files(paths: Sequence[Path], resolver: ConfigResolver) -> tuple[list[Path], list[Path]]:
    """The files to lint under ``paths``, in order, and those of ``paths`` the configuration excludes."""
    named_excluded: list[Path] = []

    def excluded(path: Path) -> bool:
        settings = resolver.for_path(path)
        if not (settings.exclude and settings.excluded(path)):  # no patterns: skip resolving the path
            return False
        if path in paths:
            named_excluded.append(path)
        return True

    return list(discover(list(paths), excluded)), named_excluded


def run_paths(
    paths: Sequence[Path], resolver: ConfigResolver, rules: Sequence[RuleInfo] | RuleSet, jobs: int = 1,
    cache: Cache | None = None, fixing: FixMode | None = None,
) -> RunResult:
    """Discover and lint every file under ``paths``, on ``jobs`` processes, through ``cache``.

    Results are the same whatever ``jobs`` and whether or not a cache is used: they are
    collected per file and reported in discovery order. A file named in ``paths`` that the
    configuration excludes is reported as skipped. With ``fixing`` (``--fix``, ``--diff``), each
    file is fixed until nothing more changes, one after the other, and what remains is reported:
    the same discovery, configuration and reading as a check, in one pass over the files.
    """
    rules = RuleSet.of(rules)
    forget_file_system()
    result = RunResult()
    files, named_excluded = discover_files(paths, resolver)
    by_folder: dict[Path, Settings] = {}  # a file's settings depend on its folder only
    for path in files:
        if path.parent not in by_folder:
            by_folder[path.parent] = resolver.for_path(path)
    tasks = [(index, path, by_folder[path.parent]) for index, path in enumerate(files)]
    results: list[FileResult | None] = [None] * len(files)
    if cache is not None:
        cache.prepare()
    if fixing is not None:
        from reviewlint.fixing.fixer import fix_path

        for index, path, settings in tasks:
            checkpoint()
            outcome, fixed = fix_path(path, settings, rules.loaded, fixing, partial(lint_path, path, settings, rules, cache))
            fixed.uri = path_uri(path)
            results[index] = fixed
            if outcome is not None:
                result.fixes.append(outcome)
        tasks = []
    states = StateIndex(cache) if cache is not None and fixing is None else None
    state_of: dict[int, str | None] = {}
    if states is not None:  # files whose state on disk is unchanged: their results without reading them
        misses = []
        for task in tasks:
            state = state_of[task[0]] = _state_key(task[1], task[2], rules.described)
            hit = states.get(state) if state is not None else None
            if hit is not None and not dependencies_unchanged(task[1], hit):
                hit = None
            if hit is None:
                misses.append(task)
            else:
                results[task[0]] = hit
        tasks = misses
    if jobs > 1 and len(tasks) > 1 and cache is not None:
        misses = []
        for task in tasks:
            hit = cached_result(task[1], task[2], rules.described, cache)
            if hit is None:
                misses.append(task)
            else:
                results[task[0]] = hit
                if states is not None:
                    states.remember(state_of[task[0]], hit)
        tasks = misses
    if jobs > 1 and len(tasks) > 1:
        from reviewlint.run.parallel import lint_parallel

        for index, file_result in lint_parallel(tasks, rules.loaded, jobs, cache):
            checkpoint()
            results[index] = file_result
            if states is not None:
                states.remember(state_of[index], file_result)
    else:
        for index, path, settings in tasks:
            checkpoint()
            linted = lint_path(path, settings, rules, cache)
            results[index] = linted
            if states is not None:
                states.remember(state_of[index], linted)
    for path in named_excluded:
        shown = display_path(path)
        result.uris[shown] = path_uri(path)
        result.skipped.append(Skipped(shown, f"skipped: excluded by 'exclude' in {resolver.for_path(path).origin}", fails=False))
    seen_elsewhere: set[tuple[object, ...]] = set()
    for done in results:
        assert done is not None
        for finding in done.findings:
            if finding.location.path != done.path:
                # In an imported module's file: two importers may both find it there.
                place = (finding.code, finding.location.path, finding.location.cell, finding.location.line, finding.location.column)
                if place in seen_elsewhere:
                    continue
                seen_elsewhere.add(place)
            result.findings.append(finding)
        result.errors.extend(done.errors)
        result.skipped.extend(done.skipped)
        if done.uri is not None:
            result.uris[done.path] = done.uri
    result.files_checked = len(files) - sum(1 for item in results if item is not None and item.skipped)
    result.findings.sort(key=Finding.sort_key)
    if states is not None:
        states.save()
    if cache is not None:
        cache.trim()
    return result


