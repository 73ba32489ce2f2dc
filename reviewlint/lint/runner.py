"""Files in, findings out: read, analyse once, run the rules, place and filter what they report.

A rule that raises is reported as an internal error for that file (its code and message), and
the run goes on. Positions are computed only for files that have something to report.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import libcst as cst

from reviewlint.analysis.imported import owned_by
from reviewlint.fixing.edits import applicability
from reviewlint.lint.finding import SYNTAX_ERROR_CODE, FileError, Finding, Location, Related, syntax_finding
from reviewlint.lint.rule import Analysis, Anchor, ProjectSettings, Report, RuleContext, RuleInfo, Span
from reviewlint.run.config import Settings
from reviewlint.run.loop import enabled, load
from reviewlint.run.result import FileResult
from reviewlint.source.comments_fast import scan_comments as fast_scan_comments
from reviewlint.source.files import NotPythonNotebook, SourceError, SourceFile, load_source
from reviewlint.source.parse_guard import (
    TOO_DEEP,
    ParseProblem,
    isolate_broken_cells,
    libcst_problem,
    nesting_problem,
    syntax_problem,
)
from reviewlint.source.paths import display_path
from reviewlint.source.positions import NodePositions
from reviewlint.source.project import dependencies, digests, import_lines, project_imports, read_module, star_reexports
from reviewlint.source.project_constants import imported_constants

_NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_SKIP_FILE = re.compile(r"^\s*#\s*reviewlint:\s*skip-file\b", re.MULTILINE)
MAX_SOURCE_LINE = 2000


class _Placer:
    """Turns rule anchors (CST nodes or spans) into locations, computing positions lazily.

    A node of a project module the file imports (reviewlint.analysis.imported) is placed in that
    module's file, by a placer of its own."""

    def __init__(self, source: SourceFile, analysis: Analysis, shown: str) -> None:
        self._source = source
        self._analysis = analysis
        self._shown = shown
        self._positions: NodePositions | None = None
        self._lines = source.lines
        self._imported: dict[int, _Placer] = {}

    def owner(self, anchor: Anchor) -> _Placer:
        """The placer of the file an anchor lies in: this one, or an imported module's."""
        if isinstance(anchor, Span) or not self._analysis.imports:
            return self
        position = owned_by(anchor, self._analysis.imported)
        if position is None:
            return self
        placer = self._imported.get(position)
        if placer is None:
            analysis = self._analysis.imported_analyses[position]
            assert analysis is not None  # a node of it was reported, so it was analysed
            placer = self._imported[position] = _Placer(analysis.source, analysis, display_path(analysis.source.path))
        return placer

    def foreign(self, anchor: Anchor) -> bool:
        return self.owner(anchor) is not self

    def line_text(self, anchor: Anchor) -> str:
        """The first line of an anchor, in its own file."""
        placer = self.owner(anchor)
        line = placer.span(anchor).line
        return placer._lines[line - 1] if line <= len(placer._lines) else ""

    def prepare(self, reports: Sequence[Report]) -> None:
        """Locate the nodes a rule reported in one walk of the tree, before placing them one by one."""
        anchors = [anchor for report in reports for anchor in (report.at, *(at for at, _ in report.related))]
        by_placer: dict[int, tuple[_Placer, list[Anchor]]] = {}
        for anchor in anchors:
            if not isinstance(anchor, Span):
                placer = self.owner(anchor)
                by_placer.setdefault(id(placer), (placer, []))[1].append(anchor)
        for placer, found in by_placer.values():
            placer._node_positions().prepare(found)

    def _node_positions(self) -> NodePositions:
        """Renders only the statements that hold reported nodes (reviewlint.source.positions); made on first need."""
        if self._positions is None:
            self._positions = NodePositions(self._analysis.module, self._source.text)
        return self._positions

    def span(self, anchor: Anchor) -> Span:
        if isinstance(anchor, Span):
            return anchor
        owner = self.owner(anchor)
        if owner is not self:
            return owner.span(anchor)
        code_range = self._node_positions()[anchor]
        return Span(code_range.start.line, code_range.start.column, code_range.end.line, code_range.end.column)

    def location(self, anchor: Anchor) -> Location:
        owner = self.owner(anchor)
        if owner is not self:
            return owner.location(anchor)
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
        owner = self.owner(anchor)
        if owner is not self:
            return owner.source_lines(anchor)
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


def _problem_finding(source: SourceFile, shown: str, problem: ParseProblem) -> Finding:
    cell, line = source.cell_position(problem.line)
    lines = source.lines
    text = lines[problem.line - 1] if 0 < problem.line <= len(lines) else ""
    return syntax_finding(shown, problem.message, line, problem.column + source.removed_indent(problem.line), cell, text)


def _parse_problem(analysis: Analysis, needs_module: bool, needs_comments: bool = False) -> ParseProblem | None:
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
        except cst.CSTValidationError as error:  # CPython accepts it (``x if y else"a"``), libcst cannot build it
            return ParseProblem(f"libcst cannot represent this code: {error}")
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
        except (cst.ParserSyntaxError, cst.CSTValidationError, RecursionError):
            pass
    if problem is None and needs_comments:
        try:  # the comment rules read the text with tokenize, which rejects a little CPython accepts
            analysis.comments  # noqa: B018
        except SyntaxError as error:
            return ParseProblem(f"cannot tokenize: {error.msg if error.msg else error}")
    return problem


def _imports(source: SourceFile, selected: Sequence[RuleInfo], result: FileResult) -> tuple[tuple[SourceFile, tuple[tuple[str, str], ...]], ...]:
    """The project modules ``source`` imports that a selected rule wants to see, loaded, with how
    ``source`` names what they hold; records in ``result`` the imports and what they led to (the
    cache keeps the result only while they lead to the same bytes)."""
    following = [rule for rule in selected if rule.follows_imports_of(source.text)]
    if not following:
        return ()
    lines = import_lines(source.text)
    found = project_imports(source.path, lines)
    result.imports = lines
    depends: list[tuple[str, str]] = []
    loaded: list[tuple[SourceFile, tuple[tuple[str, str], ...]]] = []
    for item in found:
        data, digest = read_module(item.file)
        depends.append((str(item.file), digest))
        if data is None or not any(rule.follows_imports_of(data.decode("utf-8", "replace")) for rule in following):
            continue
        try:
            module = load_source(item.file, data)
        except (SourceError, NotPythonNotebook, ValueError):
            continue  # the module's own run reports why it cannot be read
        loaded.append((module, item.aliases))
    result.depends = tuple(depends)
    return tuple(loaded)


def _star_reexports(source: SourceFile, result: FileResult) -> dict[str, dict[str, str]]:
    """What the imports of the project modules ``source`` star-imports bind (``from library
    import *``, where ``library.py`` does ``import albumentations as A``); the result then depends
    on those modules, which ``result`` records (the cache keeps it only while they are unchanged)."""
    if "import *" not in source.text and "import*" not in source.text:
        return {}
    lines = result.imports if result.imports is not None else import_lines(source.text)  # read by _imports already
    reexported = star_reexports(source.path, lines)
    if reexported and result.imports is None:
        result.imports = lines
        result.depends = dependencies(source.path, lines)
    return reexported


def _imported_constants(source: SourceFile, result: FileResult) -> dict[str, object]:
    """The constants of the project modules ``source`` imports (``import config`` …
    ``config.NORM_MEAN``); the result then depends on those modules, which ``result`` records."""
    lines = result.imports if result.imports is not None else import_lines(source.text)
    found = project_imports(source.path, lines) if lines else ()
    if lines and result.imports is None:
        # Recorded even when no import leads to a project module yet: one that appears later
        # (``settings.py`` written after this run) makes the cached result stale.
        result.imports = lines
        result.depends = digests(found)
    return imported_constants(found)


def lint_source(
    source: SourceFile, settings: Settings, rules: Sequence[RuleInfo], shown: str,
    on_report: Callable[[RuleInfo, Report, Analysis, Finding], None] | None = None, follow_imports: bool = True,
) -> FileResult:
    """Lint one loaded source file with the rules enabled for it.

    Code that cannot be parsed is the RL001 finding; in a notebook, the cells that do not parse
    are each one RL001 finding and are left out, and the other cells are linted. ``on_report``
    sees every report that becomes a finding (not suppressed), with the analysis its nodes belong
    to and the finding: the fixer (reviewlint.fixing.fixer) and the language server collect fixes
    through it.
    """
    result = FileResult(shown)
    if skips_file(source.text):
        return result
    selected = [rule for rule in rules if enabled(settings, rule, source.path)]
    imports = _imports(source, selected, result) if follow_imports else ()
    reexported = _star_reexports(source, result) if follow_imports else {}
    constants = _imported_constants(source, result) if follow_imports else {}
    # A star import of a project module brings its imports: their names count as text of this file.
    brought = " ".join(target for bindings in reexported.values() for target in bindings.values())
    active = [rule for rule in selected if rule.may_fire(source.text) or (brought and rule.may_fire(brought))
              or any(rule.follows_imports_of(imported.text) and rule.may_fire(imported.text) for imported, _ in imports)]
    # The hooks of every selected rule, fired or not: one batched visitor class per configuration.
    analysis = Analysis(source, dict.fromkeys(rule.syntax for rule in selected if rule.syntax is not None), imports,
                        reexported, constants)
    problem = _parse_problem(analysis, any(rule.needs == "facts" for rule in active), any(rule.needs == "comments" for rule in active))
    if problem is not None and source.kind == "notebook":
        isolated = isolate_broken_cells(source, problem)
        if isolated is not None:
            return lint_source(isolated, settings, rules, shown, on_report, follow_imports)
    report_syntax = settings.enabled(SYNTAX_ERROR_CODE, source.path if settings.per_file_ignores else None)
    if problem is not None:
        if report_syntax:
            result.findings.append(_problem_finding(source, shown, problem))
        return result
    if report_syntax:
        result.findings.extend(
            syntax_finding(shown, broken.message + (" (the rest of the cell is linted without this line)" if broken.linted_without_line else ""),
                           broken.line, broken.column, broken.cell, broken.text)
            for broken in source.broken
        )
    if not active:
        result.findings.sort(key=Finding.sort_key)
        return result
    placer = _Placer(source, analysis, shown)
    project = ProjectSettings(settings.image_domain, settings.albumentations_version_for(source.shell)[0], settings.readme_domain)
    for rule in active:
        context = RuleContext(analysis, settings.options_for(rule), project)
        try:
            # A report in an imported module's file carries no fix: fixes edit this file only.
            reports = [replace(report, fix=None) if report.fix is not None and placer.foreign(report.at) else report
                       for report in rule.check(context)]
            placer.prepare(reports)
            findings = [_finding(rule, report, placer) for report in reports]
        except Exception as error:  # noqa: BLE001 - one failing rule must not stop the run
            message = f"internal error in {rule.code} ({rule.name}): {type(error).__name__}: {error}"
            result.errors.append(FileError(shown, message.splitlines()[0], rule.code, traceback.format_exc()))
            continue
        for report, finding in zip(reports, findings):
            if suppressed(placer.line_text(report.at), rule.code):
                continue
            result.findings.append(finding)
            if on_report is not None:
                on_report(rule, report, analysis, finding)
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


def lint_text(text: str, rules: Sequence[RuleInfo], settings: Settings, path: str = "example.py") -> FileResult:
    """Lint source text as if it were a file (rule examples and tests use this path)."""
    source_path = Path(path)
    source = load(source_path, text.encode("utf-8"), settings, path)
    return source if isinstance(source, FileResult) else lint_source(source, settings, rules, path, follow_imports=False)
