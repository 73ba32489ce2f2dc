"""Files in, findings out: read, analyse once, run the rules, place and filter what they report.

A rule that raises is reported as an internal error for that file (its code and message), and
the run goes on. Positions are computed only for files that have something to report.
"""

from __future__ import annotations

import ast
import functools
import io
import os
import re
import sys
import tokenize
import traceback
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from reviewlint.cache import Cache
from reviewlint.config import ConfigResolver, Settings
from reviewlint.discover import discover
from reviewlint.positions import NodePositions
from reviewlint.finding import FileError, Finding, Location, Related
from reviewlint.fix import applicability
from reviewlint.result import RunResult
from reviewlint.rule import Analysis, Anchor, Report, RuleContext, RuleInfo, Span
from reviewlint.source import SourceError, SourceFile, load_source

_NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SKIP_FILE = re.compile(r"^\s*#\s*reviewlint:\s*skip-file\b", re.MULTILINE)


@dataclass
class FileResult:
    """What linting one file produced."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def display_path(path: Path) -> str:
    """The path as reported: relative to the working directory when it lies below it.

    Bytes of a file name that are not UTF-8 are shown as ``\\xe9`` escapes (they could not be
    printed, nor written to JSON), control characters (a newline, an escape sequence) as ``\\n``,
    ``\\x1b``: every output format stays one line a finding. A symlink that leads nowhere (a
    loop, a missing target) is shown by its own name.
    """
    try:
        if os.path.islink(path) and not os.path.exists(path):
            shown = Path(os.path.abspath(path)).relative_to(Path.cwd()).as_posix()
        else:
            shown = path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        shown = path.as_posix()
    shown = shown.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _PATH_CONTROL.sub(lambda match: repr(match.group())[1:-1], shown)


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
        else:
            end_column = span.end_column
        indent = self._source.cell_indent(cell)
        return Location(self._shown, line, span.column + 1 + indent, end_line, end_column + 1 + indent, cell)

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
    """What libcst's parse error means: CPython's own message when it rejects the code too, else
    that libcst has a limit Python does not (e.g. 10,000 implicitly joined strings)."""
    problem = _quick_syntax_check(source)
    if problem is not None:
        return problem
    cell, line = source.cell_position(error.raw_line)
    where = f"cell {cell}, line {line}" if cell is not None else f"line {line}"
    message = error.message.splitlines()[0] if error.message else "invalid syntax"
    return f"libcst cannot parse this code, which Python accepts (at {where}, column {error.raw_column + 1}: {message})"


def _quick_syntax_check(source: SourceFile) -> str | None:
    """Report syntax errors of files no rule needs to parse, with CPython's own (fast) parser."""
    try:
        with warnings.catch_warnings():  # the user's invalid escapes are not the linter's to print
            warnings.simplefilter("ignore")
            compile(source.text, str(source.path), "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
                    dont_inherit=True)
    except SyntaxError as error:
        cell, line = source.cell_position(error.lineno or 1)
        where = f"cell {cell}, line {line}" if cell is not None else f"line {line}"
        return f"syntax error at {where}, column {error.offset or 1}: {error.msg}"
    except (RecursionError, MemoryError):
        return TOO_DEEP
    except ValueError as error:
        return f"cannot parse: {str(error).splitlines()[0] if str(error) else type(error).__name__}"
    return None


# libcst's native parser takes time super-linear in an expression's depth (3,000 chained
# subscripts: minutes) and overflows its stack, killing the process, on deeper ones (10,000
# nested lambdas: SIGSEGV). CPython's parser is fast and safe at any depth, so it measures first.
MAX_NESTING = 300
MAX_STATEMENT_TOKENS = 5000
TOO_DEEP = "too deeply nested to parse"


def _nesting_problem(source: SourceFile) -> str | None:
    """A one-line reason when the code is too deep for libcst to parse safely, else None."""
    fits = _compiles_within_depth(source.text)
    if fits is not None:
        return None if fits else f"{TOO_DEEP} (expressions nested over {MAX_NESTING} levels)"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source.text)
    except SyntaxError:
        # Newer syntax than this Python's, or no Python at all: bound the statement length and the
        # bracket depth instead (no CPython accepts more than 200 nested brackets).
        tokens, brackets = _statement_size(source.text)
        if tokens <= MAX_STATEMENT_TOKENS and brackets <= 200:
            return None
        return _quick_syntax_check(source) or TOO_DEEP
    except (RecursionError, MemoryError):
        return TOO_DEEP
    except ValueError:
        return None
    # Level by level (the nodes of depth 1, 2, …): as ast.iter_child_nodes, at half the cost.
    level: list[ast.AST] = [tree]
    depth = 1
    node_type = ast.AST
    while level:
        if depth > MAX_NESTING:
            return f"{TOO_DEEP} (expressions nested over {MAX_NESTING} levels)"
        below: list[ast.AST] = []
        for node in level:
            for name in node._fields:
                value = getattr(node, name, None)
                if isinstance(value, list):
                    below.extend([item for item in value if isinstance(item, node_type)])
                elif isinstance(value, node_type):
                    below.append(value)
        level = below
        depth += 1
    return None


def _frames() -> int:
    frame, count = sys._getframe(), 0
    while frame is not None:
        count, frame = count + 1, frame.f_back
    return count


def _compile_under_limit(text: str, levels: int) -> bool | None:
    """Compile ``text`` with the recursion limit ``levels`` frames above this one: True if it
    compiles, False if CPython's compiler ran out of depth, None if it cannot tell (the code does
    not compile, or the limit could not be set)."""
    old = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(_frames() + levels)
    except RecursionError:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<nesting>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except RecursionError:
        return False
    except (SyntaxError, ValueError, MemoryError):
        return None
    finally:
        sys.setrecursionlimit(old)
    return True


@functools.cache
def _compiler_depth_is_bounded() -> bool:
    """Whether CPython's compiler (3.11: three levels of nesting per frame of recursion limit)
    refuses code nested deeper than :data:`MAX_NESTING` under :func:`_compile_under_limit` and
    accepts code well below it; later Pythons bound the compiler's C recursion otherwise."""
    levels = MAX_NESTING // 3
    return (_compile_under_limit("x = " + "-" * (MAX_NESTING + 50) + "1", levels) is False
            and _compile_under_limit("x = " + "-" * (MAX_NESTING - 50) + "1", levels) is True)


def _compiles_within_depth(text: str) -> bool | None:
    """The nesting guard's fast path: CPython's compiler, which checks its own depth, compiles
    the code (about half the cost of ``ast.parse`` and a walk of its tree). True: no deeper than
    ~MAX_NESTING levels; False: deeper; None: the slower guard must decide."""
    if not _compiler_depth_is_bounded():
        return None
    return _compile_under_limit(text, MAX_NESTING // 3)


def _statement_size(text: str) -> tuple[int, int]:
    """The most tokens in one logical line, and the deepest bracket nesting (up to where
    tokenizing fails, if it does)."""
    longest = count = depth = deepest = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            count += 1
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                longest, count = max(longest, count), 0
            elif token.type == tokenize.OP and token.string in "([{":
                depth += 1
                deepest = max(deepest, depth)
            elif token.type == tokenize.OP and token.string in ")]}":
                depth = max(0, depth - 1)
    except (SyntaxError, tokenize.TokenError):
        pass
    return max(longest, count), deepest


def lint_source(
    source: SourceFile, settings: Settings, rules: Sequence[RuleInfo], shown: str,
    on_report: Callable[[RuleInfo, Report, Analysis], None] | None = None,
) -> FileResult:
    """Lint one loaded source file with the rules enabled for it.

    ``on_report`` sees every report that becomes a finding (not suppressed), with the analysis
    its nodes belong to: the fixer (reviewlint.fixer) collects fixes through it.
    """
    result = FileResult(shown)
    if _SKIP_FILE.search(source.text):
        return result
    active = [rule for rule in rules if _enabled(settings, rule, source.path) and rule.may_fire(source.text)]
    analysis = Analysis(source)
    if any(rule.needs == "facts" for rule in active):
        problem = _nesting_problem(source)
        if problem is not None:
            result.errors.append(FileError(shown, problem))
            return result
        try:
            analysis.module  # noqa: B018 - parse once, here, so a syntax error is reported once
        except cst.ParserSyntaxError as error:
            # CPython's parser pinpoints most errors better than libcst's tokenizer does.
            result.errors.append(FileError(shown, _syntax_error(source, error)))
            return result
        except RecursionError:
            result.errors.append(FileError(shown, TOO_DEEP))
            return result
        try:
            analysis.facts  # noqa: B018 - extract once, here, so input too deep for it is one error, not one a rule
        except RecursionError:
            result.errors.append(FileError(shown, "too deeply nested to analyse"))
            return result
        except Exception:  # noqa: BLE001, S110 - an extraction bug: each rule that needs the facts reports it
            pass
    else:
        problem = _quick_syntax_check(source)
        if problem is not None and not problem.startswith(TOO_DEEP) and _nesting_problem(source) is None:
            try:  # newer syntax than this Python's (PEP 695 on 3.11) is an error only if libcst agrees
                analysis.module  # noqa: B018
                problem = None
            except (cst.ParserSyntaxError, RecursionError):
                pass
        if problem is not None:
            result.errors.append(FileError(shown, problem))
            return result
    if not active:
        return result
    placer = _Placer(source, analysis, shown)
    lines = source.lines
    for rule in active:
        context = RuleContext(analysis, settings.options_for(rule), {"image-domain": settings.image_domain})
        try:
            reports = list(rule.check(context))
            placer.prepare(reports)
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


def _read(path: Path, settings: Settings, shown: str) -> bytes | FileResult:
    """A file's bytes, or the result that says why there are none."""
    try:
        if path.is_dir():
            with os.scandir(path):  # discovery hands over a directory only when it cannot be read
                pass
            return FileResult(shown, errors=[FileError(shown, "is a directory, not a file")])
        size = os.path.getsize(path)
        if size > settings.max_file_size:
            return FileResult(shown, notices=[f"{shown}: skipped, {size} bytes is over max-file-size ({settings.max_file_size})"])
        return path.read_bytes()
    except FileNotFoundError:
        if os.path.islink(path):
            return FileResult(shown, errors=[FileError(shown, "broken symbolic link: its target does not exist")])
        return FileResult(shown, errors=[FileError(shown, "no such file (or it vanished during the run)")])
    except OSError as error:
        return FileResult(shown, errors=[FileError(shown, f"cannot read: {error.strerror or error}")])


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
        return raw
    key = None
    if cache is not None:
        key = _cache_key(cache, raw, shown, path, settings, rules)
        cached = cache.get(key)
        if cached is not None:
            return cached
    try:
        source = load_source(path, raw)
    except SourceError as error:
        result = FileResult(shown, errors=[FileError(shown, str(error))])
    else:
        result = lint_source(source, settings, rules, shown)
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
    collected per file and reported in discovery order.
    """
    result = RunResult()

    def excluded(path: Path) -> bool:
        settings = resolver.for_path(path)
        return bool(settings.exclude) and settings.excluded(path)  # no patterns: skip resolving the path

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
            results[index] = file_result
    else:
        for index, path, settings in tasks:
            results[index] = lint_path(path, settings, rules, cache)
    for file_result in results:
        assert file_result is not None
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
