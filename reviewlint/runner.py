"""Files in, findings out: read, analyse once, run the rules, place and filter what they report.

A rule that raises is reported as an internal error for that file (its code and message), and
the run goes on. Positions are computed only for files that have something to report.
"""

from __future__ import annotations

import ast
import os
import re
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from reviewlint.config import ConfigResolver, Settings
from reviewlint.discover import discover
from reviewlint.finding import FileError, Finding, Location, Related
from reviewlint.result import RunResult
from reviewlint.rule import Analysis, Anchor, Report, RuleContext, RuleInfo, Span
from reviewlint.source import SourceError, SourceFile, load_source

_NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_SKIP_FILE = re.compile(r"^\s*#\s*reviewlint:\s*skip-file\b", re.MULTILINE)


@dataclass
class FileResult:
    """What linting one file produced."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def display_path(path: Path) -> str:
    """The path as reported: relative to the working directory when it lies below it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return path.as_posix()


class _Placer:
    """Turns rule anchors (CST nodes or spans) into locations, computing positions lazily."""

    def __init__(self, source: SourceFile, analysis: Analysis, shown: str) -> None:
        self._source = source
        self._analysis = analysis
        self._shown = shown
        self._positions: object | None = None
        self._lines = source.text.splitlines()

    def span(self, anchor: Anchor) -> Span:
        if isinstance(anchor, Span):
            return anchor
        if self._positions is None:
            wrapper = MetadataWrapper(self._analysis.module, unsafe_skip_copy=True)
            self._positions = wrapper.resolve(PositionProvider)
        code_range = self._positions[anchor]  # type: ignore[index]
        return Span(code_range.start.line, code_range.start.column, code_range.end.line, code_range.end.column)

    def location(self, anchor: Anchor) -> Location:
        span = self.span(anchor)
        cell, line = self._source.cell_position(span.line)
        end_cell, end_line = self._source.cell_position(span.end_line)
        if end_cell != cell:
            end_line, end_column = line, len(self._lines[span.line - 1]) if span.line <= len(self._lines) else 0
        else:
            end_column = span.end_column
        indent = self._source.cell_indent(cell)
        return Location(self._shown, line, span.column + 1 + indent, end_line, end_column + 1 + indent, cell, cell)

    def source_lines(self, anchor: Anchor) -> tuple[str, ...]:
        span = self.span(anchor)
        return tuple(self._lines[span.line - 1 : min(span.end_line, span.line + 5)])


def _suppressed(line_text: str, code: str) -> bool:
    match = _NOQA.search(line_text)
    if match is None:
        return False
    codes = match.group("codes")
    return codes is None or code in re.split(r"[,\s]+", codes.upper())


def _syntax_error(source: SourceFile, error: cst.ParserSyntaxError) -> str:
    cell, line = source.cell_position(error.raw_line)
    where = f"cell {cell}, line {line}" if cell is not None else f"line {line}"
    message = error.message.splitlines()[0] if error.message else "invalid syntax"
    return f"syntax error at {where}, column {error.raw_column + 1}: {message}"


def _quick_syntax_check(source: SourceFile) -> str | None:
    """Report syntax errors of files no rule needs to parse, with CPython's own (fast) parser."""
    try:
        compile(source.text, str(source.path), "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
                dont_inherit=True)
    except SyntaxError as error:
        cell, line = source.cell_position(error.lineno or 1)
        where = f"cell {cell}, line {line}" if cell is not None else f"line {line}"
        return f"syntax error at {where}, column {error.offset or 1}: {error.msg}"
    except (ValueError, RecursionError, MemoryError) as error:
        return f"cannot parse: {type(error).__name__}"
    return None


def lint_source(source: SourceFile, settings: Settings, rules: Sequence[RuleInfo], shown: str) -> FileResult:
    """Lint one loaded source file with the rules enabled for it."""
    result = FileResult(shown)
    if _SKIP_FILE.search(source.text):
        return result
    active = [rule for rule in rules if settings.enabled(rule.code, source.path) and rule.may_fire(source.text)]
    analysis = Analysis(source)
    if any(rule.needs == "facts" for rule in active):
        try:
            analysis.module  # noqa: B018 - parse once, here, so a syntax error is reported once
        except cst.ParserSyntaxError as error:
            result.errors.append(FileError(shown, _syntax_error(source, error)))
            return result
        except RecursionError:
            result.errors.append(FileError(shown, "too deeply nested to parse"))
            return result
    else:
        problem = _quick_syntax_check(source)
        if problem is not None:
            result.errors.append(FileError(shown, problem))
            return result
    if not active:
        return result
    placer = _Placer(source, analysis, shown)
    lines = source.text.splitlines()
    for rule in active:
        context = RuleContext(analysis, settings.options_for(rule), {"image-domain": settings.image_domain})
        try:
            reports = list(rule.check(context))
            findings = [_finding(rule, report, placer) for report in reports]
        except SyntaxError as error:
            result.errors.append(FileError(shown, f"cannot tokenize: {error.msg if hasattr(error, 'msg') else error}"))
            return result
        except Exception as error:  # noqa: BLE001 - one failing rule must not stop the run
            message = f"internal error in {rule.code} ({rule.name}): {type(error).__name__}: {error}"
            result.errors.append(FileError(shown, message.splitlines()[0], rule.code, traceback.format_exc()))
            continue
        for report, finding in zip(reports, findings):
            line = placer.span(report.at).line
            if line <= len(lines) and _suppressed(lines[line - 1], rule.code):
                continue
            result.findings.append(finding)
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
    )


def lint_path(path: Path, settings: Settings, rules: Sequence[RuleInfo]) -> FileResult:
    """Read and lint one file; unreadable or undecodable files become errors, never exceptions."""
    shown = display_path(path)
    try:
        if path.is_dir():
            return FileResult(shown, errors=[FileError(shown, "is a directory, not a file")])
        size = os.path.getsize(path)
        if size > settings.max_file_size:
            return FileResult(shown, notices=[f"{shown}: skipped, {size} bytes is over max-file-size ({settings.max_file_size})"])
        raw = path.read_bytes()
    except FileNotFoundError:
        return FileResult(shown, errors=[FileError(shown, "no such file (or it vanished during the run)")])
    except OSError as error:
        return FileResult(shown, errors=[FileError(shown, f"cannot read: {error.strerror or error}")])
    try:
        source = load_source(path, raw)
    except SourceError as error:
        return FileResult(shown, errors=[FileError(shown, str(error))])
    return lint_source(source, settings, rules, shown)


def run_paths(paths: Sequence[Path], resolver: ConfigResolver, rules: Sequence[RuleInfo]) -> RunResult:
    """Discover and lint every file under ``paths``."""
    result = RunResult()
    files = list(discover(list(paths), lambda path: resolver.for_path(path).excluded(path)))
    for path in files:
        file_result = lint_path(path, resolver.for_path(path), rules)
        result.findings.extend(file_result.findings)
        result.errors.extend(file_result.errors)
        result.notices.extend(file_result.notices)
    result.files_checked = len(files)
    result.findings.sort(key=Finding.sort_key)
    return result


def lint_text(text: str, rules: Sequence[RuleInfo], settings: Settings, path: str = "example.py") -> FileResult:
    """Lint source text as if it were a file (rule examples and tests use this path)."""
    source_path = Path(path)
    try:
        source = load_source(source_path, text.encode("utf-8"))
    except SourceError as error:
        return FileResult(path, errors=[FileError(path, str(error))])
    return lint_source(source, settings, rules, path)
