"""Files in, findings out: read, analyse once, run the rules, place and filter what they report.

A rule that raises is reported as an internal error for that file (its code and message), and
the run goes on. Positions are computed only for files that have something to report.
"""

from __future__ import annotations

import os
import re
import traceback
from urllib.parse import quote
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import libcst as cst

from reviewlint.atomic import Snapshot
from reviewlint.cache import Cache
from reviewlint.config import ConfigResolver, Settings
from reviewlint.discover import discover
from reviewlint.finding import FileError, Finding, Location, Related, Skipped
from reviewlint.fix import applicability
from reviewlint.interrupt import checkpoint
from reviewlint.fast_comments import scan_comments as fast_scan_comments
from reviewlint.parse_guard import TOO_DEEP, ParseProblem, isolate_broken_cells, libcst_problem, nesting_problem, syntax_problem
from reviewlint.positions import NodePositions
from reviewlint.result import FileResult, RunResult
from reviewlint.rule import Analysis, Anchor, ProjectSettings, Report, RuleContext, RuleInfo, Severity, Span
from reviewlint.source import NotPythonNotebook, SourceError, SourceFile, load_source

_NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SKIP_FILE = re.compile(r"^\s*#\s*reviewlint:\s*skip-file\b", re.MULTILINE)


# The diagnostic for code that cannot be parsed (documented as the rule ``rules/syntax_error.py``).
SYNTAX_ERROR_CODE = "RL001"
SYNTAX_ERROR_NAME = "syntax-error"
MAX_SOURCE_LINE = 2000


def _reported(path: Path) -> str:
    """The path relative to the working directory when it lies below it, else as given."""
    try:
        if os.path.islink(path) and not os.path.exists(path):
            return Path(os.path.abspath(path)).relative_to(Path.cwd()).as_posix()
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        return path.as_posix()


def display_path(path: Path) -> str:
    """The path as reported: relative to the working directory when it lies below it.

    Bytes of a file name that are not UTF-8 are shown as ``\\xe9`` escapes (they could not be
    printed, nor written to JSON), control characters (a newline, an escape sequence) as ``\\n``,
    ``\\x1b``: every output format stays one line a finding. A symlink that leads nowhere (a
    loop, a missing target) is shown by its own name.
    """
    shown = _reported(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _PATH_CONTROL.sub(lambda match: repr(match.group())[1:-1], shown)


def path_uri(path: Path) -> str:
    """The path as a percent-encoded URI reference of its real bytes (SARIF's ``uri``): relative
    to the working directory when it lies below it, ``file://`` and absolute otherwise."""
    reported = _reported(path)
    encoded = quote(os.fsencode(reported), safe="/")
    return "file://" + encoded if reported.startswith("/") else encoded


class _Placer:
    """Turns rule anchors (CST nodes or spans) into locations, computing positions lazily."""

    def __init__(self, source: SourceFile, analysis: Analysis, shown: str) -> None:
        self._source = source
        self._analysis = analysis
        self._shown = shown
        self._positions: NodePositions | None = None
        self._lines = source.lines

    def prepare(self, reports: Sequence[Report]) -> None:
        """Locate the nodes a rule reported in one walk of the tree, before placing them one by one."""
        anchors = [anchor for report in reports for anchor in (report.at, *(at for at, _ in report.related))]
        if any(not isinstance(anchor, Span) for anchor in anchors):
            self._node_positions().prepare(anchors)

    def _node_positions(self) -> NodePositions:
        """Renders only the statements that hold reported nodes (reviewlint.positions); made on first need."""
        if self._positions is None:
            self._positions = NodePositions(self._analysis.module, self._source.text)
        return self._positions

    def span(self, anchor: Anchor) -> Span:
        if isinstance(anchor, Span):
            return anchor
        code_range = self._node_positions()[anchor]
        return Span(code_range.start.line, code_range.start.column, code_range.end.line, code_range.end.column)

    def location(self, anchor: Anchor) -> Location:
        span = self.span(anchor)
        cell, line = self._source.cell_position(span.line)
        end_cell, end_line = self._source.cell_position(span.end_line)
        if end_cell != cell:
            end_line, end_column = line, len(self._lines[span.line - 1]) if span.line <= len(self._lines) else 0
            end_indent = self._source.removed_indent(span.line)
        else:
            end_column, end_indent = span.end_column, self._source.removed_indent(span.end_line)
        indent = self._source.removed_indent(span.line)
        return Location(self._shown, line, span.column + 1 + indent, end_line, end_column + 1 + end_indent, cell)

    def source_lines(self, anchor: Anchor) -> tuple[str, ...]:
        """The reported lines as written (with the indentation a notebook cell's line lost), each
        cut to :data:`MAX_SOURCE_LINE` characters (a minified line is not copied into every finding)."""
        span = self.span(anchor)
        last = min(span.end_line, span.line + 5)
        return tuple((" " * self._source.removed_indent(number) + self._lines[number - 1])[:MAX_SOURCE_LINE]
                     for number in range(span.line, last + 1) if number <= len(self._lines))


def suppressed(line_text: str, code: str) -> bool:
    """Whether a line's ``# noqa`` (bare, or naming ``code``) suppresses ``code``."""
    match = _NOQA.search(line_text)
    if match is None:
        return False
    codes = match.group("codes")
    return codes is None or code in re.split(r"[,\s]+", codes.upper())


def skips_file(text: str) -> bool:
    """Whether the module holds a ``# reviewlint: skip-file`` comment (a comment, not text in a
    string that looks like one)."""
    if _SKIP_FILE.search(text) is None:
        return False
    try:
        comments = fast_scan_comments(text)
    except SyntaxError:  # not tokenizable: the pattern's word is all there is to go by
        return True
    return any(_SKIP_FILE.match(comment.text) for comment in comments)


def syntax_finding(shown: str, message: str, line: int = 1, column: int = 1, cell: int | None = None,
                   text: str = "") -> Finding:
    """The RL001 diagnostic: code that cannot be parsed, at its place."""
    return Finding(
        code=SYNTAX_ERROR_CODE, name=SYNTAX_ERROR_NAME, severity=Severity.ERROR, message=message,
        location=Location(shown, line, column, line, column, cell), source_lines=(text,) if text else (),
    )


def _problem_finding(source: SourceFile, shown: str, problem: ParseProblem) -> Finding:
    cell, line = source.cell_position(problem.line)
    lines = source.lines
    text = lines[problem.line - 1] if 0 < problem.line <= len(lines) else ""
    return syntax_finding(shown, problem.message, line, problem.column + source.removed_indent(problem.line), cell, text)


def _parse_problem(analysis: Analysis, needs_module: bool) -> ParseProblem | None:
    """Why the module cannot be analysed, or None. With rules that need the syntax tree, it is
    parsed (and its facts extracted) here, once; otherwise CPython's parser alone judges it."""
    text = analysis.source.text
    if needs_module:
        problem = nesting_problem(text)
        if problem is not None:
            return problem
        try:
            analysis.module  # noqa: B018 - parse once, here, so a syntax error is reported once
        except cst.ParserSyntaxError as error:
            return libcst_problem(text, error)
        except RecursionError:
            return ParseProblem(TOO_DEEP)
        try:
            analysis.facts  # noqa: B018 - extract once, here, so input too deep for it is one problem, not one a rule
        except RecursionError:
            return ParseProblem("too deeply nested to analyse")
        except Exception:  # noqa: BLE001, S110 - an extraction bug: each rule that needs the facts reports it
            pass
        return None
    problem = syntax_problem(text)
    if problem is not None and not problem.too_deep and nesting_problem(text) is None:
        try:  # newer syntax than this Python's (PEP 695 on 3.11) is a problem only if libcst agrees
            analysis.module  # noqa: B018
            return None
        except (cst.ParserSyntaxError, RecursionError):
            pass
    return problem


def lint_source(
    source: SourceFile, settings: Settings, rules: Sequence[RuleInfo], shown: str,
    on_report: Callable[[RuleInfo, Report, Analysis], None] | None = None,
) -> FileResult:
    """Lint one loaded source file with the rules enabled for it.

    Code that cannot be parsed is the RL001 finding; in a notebook, the cells that do not parse
    are each one RL001 finding and are left out, and the other cells are linted. ``on_report``
    sees every report that becomes a finding (not suppressed), with the analysis its nodes belong
    to: the fixer (reviewlint.fixer) collects fixes through it.
    """
    result = FileResult(shown)
    if skips_file(source.text):
        return result
    active = [rule for rule in rules if _enabled(settings, rule, source.path) and rule.may_fire(source.text)]
    analysis = Analysis(source)
    problem = _parse_problem(analysis, any(rule.needs == "facts" for rule in active))
    if problem is not None and source.kind == "notebook":
        isolated = isolate_broken_cells(source, problem)
        if isolated is not None:
            return lint_source(isolated, settings, rules, shown, on_report)
    report_syntax = settings.enabled(SYNTAX_ERROR_CODE, source.path if settings.per_file_ignores else None)
    if problem is not None:
        if report_syntax:
            result.findings.append(_problem_finding(source, shown, problem))
        return result
    if report_syntax:
        result.findings.extend(
            syntax_finding(shown, broken.message, broken.line, broken.column, broken.cell, broken.text) for broken in source.broken
        )
    if not active:
        result.findings.sort(key=Finding.sort_key)
        return result
    placer = _Placer(source, analysis, shown)
    lines = source.lines
    for rule in active:
        context = RuleContext(analysis, settings.options_for(rule), ProjectSettings(settings.image_domain))
        try:
            reports = list(rule.check(context))
            placer.prepare(reports)
            findings = [_finding(rule, report, placer) for report in reports]
        except Exception as error:  # noqa: BLE001 - one failing rule must not stop the run
            message = f"internal error in {rule.code} ({rule.name}): {type(error).__name__}: {error}"
            result.errors.append(FileError(shown, message.splitlines()[0], rule.code, traceback.format_exc()))
            continue
        for report, finding in zip(reports, findings):
            line = placer.span(report.at).line
            if line <= len(lines) and suppressed(lines[line - 1], rule.code):
                continue
            result.findings.append(finding)
            if on_report is not None:
                on_report(rule, report, analysis)
    result.findings.sort(key=Finding.sort_key)
    return result


def _finding(rule: RuleInfo, report: Report, placer: _Placer) -> Finding:
    return Finding(
        code=rule.code,
        name=rule.name,
        severity=rule.severity,
        message=report.message,
        location=placer.location(report.at),
        hint=report.hint,
        related=tuple(Related(placer.location(anchor), message) for anchor, message in report.related),
        source_lines=placer.source_lines(report.at),
        fix=applicability(rule.fix, report.fix) if report.fix is not None else None,
    )


def file_limit(path: Path, settings: Settings) -> int:
    """How many bytes of a file are read at most: a notebook's JSON has its own, larger bound
    (outputs do not count towards ``max-file-size``, which is checked on its code)."""
    return settings.max_notebook_size if path.suffix == ".ipynb" else settings.max_file_size


def _too_large(path: Path, settings: Settings) -> str:
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
        return FileResult(shown, skipped=[Skipped(shown, _too_large(path, settings))])
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


def _enabled(settings: Settings, rule: RuleInfo, path: Path) -> bool:
    # Without per-file ignores the path cannot matter: skip resolving it once per rule.
    return settings.enabled(rule.code, path if settings.per_file_ignores else None)


_ENABLED: dict[tuple[int, int], tuple[Settings, Sequence[RuleInfo], list[str]]] = {}


def _cache_key(cache: Cache, raw: bytes, shown: str, path: Path, settings: Settings, rules: Sequence[RuleInfo]) -> str:
    if settings.per_file_ignores:
        codes = [rule.code for rule in rules if _enabled(settings, rule, path)]
    else:  # the same codes for every file under these settings: work them out once
        known = _ENABLED.get((id(settings), id(rules)))
        if known is None or known[0] is not settings or known[1] is not rules:
            known = _ENABLED[(id(settings), id(rules))] = (settings, rules, [rule.code for rule in rules if settings.enabled(rule.code)])
        codes = known[2]
    return cache.key(raw, shown, settings, codes)


def lint_path(path: Path, settings: Settings, rules: Sequence[RuleInfo], cache: Cache | None = None) -> FileResult:
    """Read and lint one file; unreadable or undecodable files become errors, never exceptions.

    With a cache, a result stored for the same bytes, path, settings and code is returned
    instead, and a new result is stored (except one with a rule's internal error).
    """
    shown = display_path(path)
    raw = _read(path, settings, shown)
    if isinstance(raw, FileResult):
        return replace(raw, uri=path_uri(path))
    key = None
    if cache is not None:
        key = _cache_key(cache, raw, shown, path, settings, rules)
        cached = cache.get(key)
        if cached is not None:
            return cached
    source = load(path, raw, settings, shown)
    result = source if isinstance(source, FileResult) else lint_source(source, settings, rules, shown)
    result.uri = path_uri(path)
    if cache is not None and key is not None and not any(error.code for error in result.errors):
        cache.put(key, result)
    return result


def cached_result(path: Path, settings: Settings, rules: Sequence[RuleInfo], cache: Cache) -> FileResult | None:
    """The cached result of a file as it is now on disk, or None."""
    shown = display_path(path)
    raw = _read(path, settings, shown)
    if isinstance(raw, FileResult):
        return None
    return cache.get(_cache_key(cache, raw, shown, path, settings, rules))


def run_paths(
    paths: Sequence[Path], resolver: ConfigResolver, rules: Sequence[RuleInfo], jobs: int = 1, cache: Cache | None = None
) -> RunResult:
    """Discover and lint every file under ``paths``, on ``jobs`` processes, through ``cache``.

    Results are the same whatever ``jobs`` and whether or not a cache is used: they are
    collected per file and reported in discovery order. A file named in ``paths`` that the
    configuration excludes is reported as skipped.
    """
    result = RunResult()
    named_excluded: list[Path] = []

    def excluded(path: Path) -> bool:
        settings = resolver.for_path(path)
        if not (settings.exclude and settings.excluded(path)):  # no patterns: skip resolving the path
            return False
        if path in paths:
            named_excluded.append(path)
        return True

    files = list(discover(list(paths), excluded))
    by_folder: dict[Path, Settings] = {}  # a file's settings depend on its folder only
    for path in files:
        if path.parent not in by_folder:
            by_folder[path.parent] = resolver.for_path(path)
    tasks = [(index, path, by_folder[path.parent]) for index, path in enumerate(files)]
    results: list[FileResult | None] = [None] * len(files)
    if cache is not None:
        cache.prepare()
    if jobs > 1 and len(tasks) > 1 and cache is not None:
        misses = []
        for task in tasks:
            hit = cached_result(task[1], task[2], rules, cache)
            if hit is None:
                misses.append(task)
            else:
                results[task[0]] = hit
        tasks = misses
    if jobs > 1 and len(tasks) > 1:
        from reviewlint.parallel import lint_parallel

        for index, file_result in lint_parallel(tasks, rules, jobs, cache):
            checkpoint()
            results[index] = file_result
    else:
        for index, path, settings in tasks:
            checkpoint()
            results[index] = lint_path(path, settings, rules, cache)
    for path in named_excluded:
        shown = display_path(path)
        result.uris[shown] = path_uri(path)
        result.skipped.append(Skipped(shown, f"skipped: excluded by 'exclude' in {resolver.for_path(path).origin}", fails=False))
    for done in results:
        assert done is not None
        result.findings.extend(done.findings)
        result.errors.extend(done.errors)
        result.skipped.extend(done.skipped)
        if done.uri is not None:
            result.uris[done.path] = done.uri
    result.files_checked = len(files) - sum(1 for item in results if item is not None and item.skipped)
    result.findings.sort(key=Finding.sort_key)
    if cache is not None:
        cache.trim()
    return result


def lint_text(text: str, rules: Sequence[RuleInfo], settings: Settings, path: str = "example.py") -> FileResult:
    """Lint source text as if it were a file (rule examples and tests use this path)."""
    source_path = Path(path)
    source = load(source_path, text.encode("utf-8"), settings, path)
    return source if isinstance(source, FileResult) else lint_source(source, settings, rules, path)
