"""Applying the rules' fixes to files: ``reviewlint check --fix`` / ``--diff``.

One file is fixed in passes. Each pass lints the current text through the same path as
``check`` (:func:`reviewlint.lint.runner.lint_source`, so ``noqa``, selection and per-file ignores
hold), collects the fixes of the findings it reports (safe ones, and unsafe ones with
``--unsafe-fixes``), and applies them as one libcst transformation of the parsed module:

- fixes are taken in source order; a fix whose edits overlap an edit already taken (the same
  node, or a node inside it) is left for the next pass, where it is found again on the changed
  code — two fixes are never merged silently;
- the imports the applied fixes need are added once each, after the module's own import of the
  same module (or after its first block of imports);
- the new text must parse and compile when the old one did; when it does not, the fixes of the
  pass are tried one by one and the ones that break the code are dropped and reported.

Passes repeat until nothing changes, at most :data:`MAX_PASSES` times. A notebook is written
back cell by cell (:mod:`reviewlint.fixing.notebook_writer`), a ``.py`` file in its own encoding; the
file is replaced atomically, and only if nobody changed it in the meantime
(:mod:`reviewlint.source.atomic`).
"""

from __future__ import annotations

import ast
import difflib
import io
import os
import re
import tokenize
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from reviewlint.analysis.imports import ImportTable, dotted
from reviewlint.fixing import notebook_writer
from reviewlint.fixing.edits import REMOVE, Edit, Fix, NewImport, applicability
from reviewlint.lint.finding import FileError, Finding
from reviewlint.lint.rule import Analysis, Report, RuleInfo, Span
from reviewlint.lint.runner import lint_source, suppressed
from reviewlint.run.config import Settings
from reviewlint.run.interrupt import checkpoint
from reviewlint.run.loop import file_limit, load
from reviewlint.run.result import FileResult
from reviewlint.source.atomic import ChangedOnDisk, Snapshot, replace_if_unchanged
from reviewlint.source.files import python_lines
from reviewlint.source.paths import display_path

MAX_PASSES = 10
# A jupytext/VS Code cell marker: a deleted block right after it takes the blank line after it along.
_CELL_MARKER = re.compile(r"^\s*#\s*(%%|In\s*\[)")

Position = tuple[int, int]


@dataclass
class FileFix:
    """What fixing one file did (or, with ``--diff``, would do)."""

    path: Path
    shown: str
    original: bytes
    fixed: bytes
    applied: Counter[str] = field(default_factory=Counter)  # rule code -> fixes applied
    errors: list[FileError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    result: FileResult | None = None  # what linting ``fixed`` reports: the findings that remain

    @property
    def changed(self) -> bool:
        return self.fixed != self.original

    def diff(self) -> str:
        """A unified diff of the change (per cell for notebooks)."""
        if not self.changed:
            return ""
        if self.path.suffix == ".ipynb":
            before, after = notebook_writer.code_cells(self.original), notebook_writer.code_cells(self.fixed)
            parts = []
            for index in sorted(before):
                if before[index] != after.get(index):
                    parts.append(_unified(before[index], after.get(index, ""), f"{self.shown}:cell {index}"))
            return "".join(parts)
        return _unified(_decode(self.original), _decode(self.fixed), self.shown)


def _unified(old: str, new: str, name: str) -> str:
    lines = difflib.unified_diff(
        python_lines(old, keepends=True), python_lines(new, keepends=True), fromfile=name, tofile=name
    )
    text = ""
    for line in lines:
        text += line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
    return text


# ---------------------------------------------------------------------------------------------
# Encoding
# ---------------------------------------------------------------------------------------------


def _encoding(raw: bytes) -> str:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError:
        return "utf-8"
    return encoding


def _decode(raw: bytes) -> str:
    try:
        return raw.decode(_encoding(raw)).removeprefix("\ufeff")
    except (UnicodeDecodeError, LookupError):
        return raw.decode("utf-8", "replace")


def _encode_python(raw: bytes, text: str) -> bytes:
    encoding = _encoding(raw)
    if encoding == "utf-8-sig" or raw.startswith(b"\xef\xbb\xbf"):
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode(encoding)


# ---------------------------------------------------------------------------------------------
# One pass over one module
# ---------------------------------------------------------------------------------------------


@dataclass
class _Candidate:
    code: str
    fix: Fix
    edits: dict[int, cst.CSTNode | cst.RemovalSentinel] = field(default_factory=dict)
    ranges: list[tuple[Position, Position]] = field(default_factory=list)


class _Apply(cst.CSTTransformer):
    def __init__(self, replacements: dict[int, cst.CSTNode | cst.RemovalSentinel]) -> None:
        super().__init__()
        self.replacements = replacements

    def on_visit(self, node: cst.CSTNode) -> bool:
        return id(node) not in self.replacements

    def on_leave(  # type: ignore[override]  # libcst's signature is generic over the node type
        self, original_node: cst.CSTNode, updated_node: cst.CSTNode
    ) -> cst.CSTNode | cst.RemovalSentinel:
        replacement = self.replacements.get(id(original_node))
        return updated_node if replacement is None else replacement


def _overlaps(a: tuple[Position, Position], b: tuple[Position, Position]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


class _Positions:
    def __init__(self, module: cst.Module, old: str, protected: set[int], cell_starts: set[int]) -> None:
        self.map = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        self.protected = protected
        self.cell_starts = cell_starts
        self.lines = python_lines(old)
        self._comment_lines: list[tuple[int, cst.EmptyLine]] | None = None

    def range(self, node: cst.CSTNode) -> tuple[Position, Position] | None:
        found = self.map.get(node)
        if found is None:
            return None
        return (found.start.line, found.start.column), (found.end.line, found.end.column)

    def _blank(self, line: int) -> bool:
        return 1 <= line <= len(self.lines) and not self.lines[line - 1].strip() and line not in self.protected

    def lines_in(self, span: Span, code: str) -> list[cst.EmptyLine]:
        """The comment and blank lines (EmptyLine nodes) to delete for a span, and one blank line
        next to it when the deletion would otherwise leave two in a row (or one at the end); a line
        whose ``# noqa`` covers ``code`` is kept."""
        if self._comment_lines is None:
            self._comment_lines = sorted(
                ((self.map[node].start.line, node) for node in self.map if isinstance(node, cst.EmptyLine)),
                key=lambda item: item[0],
            )
        wanted = set(range(span.line, span.end_line + 1))
        after = span.end_line + 1
        before = self.lines[span.line - 2] if 2 <= span.line <= len(self.lines) + 1 else ""
        starts_cell = (
            span.line == 1 or span.line in self.cell_starts or self._blank(span.line - 1)
            or _CELL_MARKER.match(before) is not None
        )
        if starts_cell and self._blank(after) and after not in self.cell_starts:
            wanted.add(after)
        elif (after > len(self.lines) or after in self.cell_starts) and self._blank(span.line - 1) and span.line not in self.cell_starts:
            wanted.add(span.line - 1)
        return [node for line, node in self._comment_lines
                if line in wanted and line not in self.protected and not suppressed(self.lines[line - 1], code)]


def _candidate(code: str, fix: Fix, positions: _Positions, problems: list[str]) -> _Candidate | None:
    try:
        edits: Sequence[Edit] = fix.resolve()
    except Exception as error:  # noqa: BLE001 - a fix that cannot be built is reported, not applied
        problems.append(f"internal error in {code}'s fix '{fix.title}': {type(error).__name__}: {error}")
        return None
    if not edits:
        return None
    candidate = _Candidate(code, fix)
    for edit in edits:
        if isinstance(edit.target, cst.CSTNode):
            span = positions.range(edit.target)
            if span is None:
                return None  # not a node of this module
            candidate.edits[id(edit.target)] = edit.replacement
            candidate.ranges.append(span)
        elif isinstance(edit.target, Span) and edit.replacement is REMOVE:
            for line in positions.lines_in(edit.target, code):
                span = positions.range(line)
                if span is not None:
                    candidate.edits[id(line)] = REMOVE
                    candidate.ranges.append(span)
        else:
            return None
    return candidate if candidate.edits else None


def _import_insertion_index(body: Sequence[cst.CSTNode], wanted: NewImport) -> int:
    """Where a new top-level import goes: after the module's import of the same module, else
    after its first run of imports (a docstring, ``__future__`` imports and ``pass``
    placeholders of masked magics may precede it), else at the top."""
    same_module = -1
    leading = 0
    in_leading_block = True
    for index, statement in enumerate(body):
        imports = _imports_of(statement)
        if imports is None:
            if in_leading_block and _skippable(statement, index):
                continue
            in_leading_block = False
            continue
        if in_leading_block:
            leading = index + 1
        if any(module == wanted.module or module.startswith(wanted.module + ".") for module in imports):
            same_module = index + 1
    return same_module if same_module >= 0 else leading


def _imports_of(statement: cst.CSTNode) -> list[str] | None:
    if not isinstance(statement, cst.SimpleStatementLine):
        return None
    modules: list[str] = []
    for small in statement.body:
        if isinstance(small, cst.Import):
            modules.extend(dotted(alias.name) or "" for alias in small.names)
        elif isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None:
            modules.append(dotted(small.module) or "")
        else:
            return None
    return modules


def _skippable(statement: cst.CSTNode, index: int) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    return all(
        isinstance(small, cst.Pass) or (index == 0 and isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString))
        for small in statement.body
    )


def _add_imports(module: cst.Module, imports: Sequence[NewImport]) -> cst.Module:
    table = ImportTable()
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)):
                    table.add(small)
    for wanted in imports:
        have = table.bindings.get(wanted.bound)
        if have is not None and have == wanted.qualname:
            continue
        body = list(module.body)
        index = _import_insertion_index(body, wanted)
        statement = cst.parse_statement(wanted.code() + module.default_newline, config=module.config_for_parsing)
        body.insert(index, statement)
        module = module.with_changes(body=body)
        table.bindings[wanted.bound] = wanted.qualname
    return module


def _compile_error(text: str) -> str | None:
    try:
        with warnings.catch_warnings():  # the user's `1(2)` or invalid escapes are not the fixer's to print
            warnings.simplefilter("ignore")
            compile(text, "<fixed>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except SyntaxError as error:
        return f"{error.msg} (line {error.lineno})"
    except (ValueError, RecursionError, MemoryError) as error:
        return type(error).__name__
    return None


def _apply(module: cst.Module, chosen: Sequence[_Candidate]) -> str:
    replacements: dict[int, cst.CSTNode | cst.RemovalSentinel] = {}
    for candidate in chosen:
        replacements.update(candidate.edits)
    fixed = module.visit(_Apply(replacements))
    imports: list[NewImport] = []
    for candidate in chosen:
        imports.extend(i for i in candidate.fix.imports if i not in imports)
    if imports:
        fixed = _add_imports(fixed, imports)
    return fixed.code


def _valid(text: str, old_compiles: bool) -> str | None:
    """Why the fixed text is not acceptable, or None."""
    try:
        cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError) as error:
        return f"the fixed code does not parse ({str(error).splitlines()[0] if str(error) else type(error).__name__})"
    if old_compiles:
        problem = _compile_error(text)
        if problem is not None:
            return f"the fixed code does not compile: {problem}"
    return None


def fix_module(
    module: cst.Module, fixes: Sequence[tuple[str, Fix]], protected: set[int] | None = None,
    cell_starts: set[int] | None = None, old: str | None = None,
) -> tuple[str, list[_Candidate], list[str]]:
    """One pass: apply the non-overlapping fixes. Returns the new text, what was applied and problems.

    ``protected``: module lines never deleted (masked magics); ``cell_starts``: the first module
    line of each notebook cell (a deleted block there does not leave a blank line behind);
    ``old``: ``module.code``, if the caller has rendered it already.
    """
    old = module.code if old is None else old
    positions = _Positions(module, old, protected or set(), cell_starts or set())
    problems: list[str] = []
    candidates = [c for c in (_candidate(code, fix, positions, problems) for code, fix in fixes) if c is not None]
    candidates.sort(key=lambda c: (min(c.ranges), c.code))
    chosen: list[_Candidate] = []
    taken: list[tuple[Position, Position]] = []
    for candidate in candidates:
        if any(_overlaps(mine, other) for mine in candidate.ranges for other in taken):
            continue  # found again on the next pass
        chosen.append(candidate)
        taken.extend(candidate.ranges)
    if not chosen:
        return old, [], problems
    old_compiles = _compile_error(old) is None
    text, reason = _attempt(module, chosen, old_compiles)
    if text is not None:
        return text, chosen, problems
    # Some fix breaks the code: keep only those that are fine on their own.
    good: list[_Candidate] = []
    for candidate in chosen:
        alone, reason = _attempt(module, [candidate], old_compiles)
        if alone is not None:
            good.append(candidate)
        else:
            problems.append(f"{candidate.code} fix '{candidate.fix.title}' not applied: {reason}")
    while good:
        text, reason = _attempt(module, good, old_compiles)
        if text is not None:
            return text, good, problems
        good = good[:-1]
    return old, [], problems


def _attempt(module: cst.Module, chosen: Sequence[_Candidate], old_compiles: bool) -> tuple[str | None, str | None]:
    """The text with ``chosen`` applied, or None and why that is not acceptable."""
    try:
        text = _apply(module, chosen)
    except Exception as error:  # noqa: BLE001 - e.g. REMOVE where libcst cannot remove
        return None, f"internal error: {type(error).__name__}: {error}"
    reason = _valid(text, old_compiles)
    return (text, None) if reason is None else (None, reason)


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def _lost_tail(text: str, code: str) -> str | None:
    """What libcst's module leaves off ``text`` (it drops a final lone ``\\r``), or None when its
    code differs from ``text`` otherwise: then nothing may be written back."""
    if code == text:
        return ""
    if text == code + "\r" and not text.endswith("\r\n"):
        return "\r"
    return None


@dataclass
class FixPass:
    """What one fix pass did: the new bytes (None when nothing changed), the rules whose fixes
    were applied, and why anything was not applied."""

    fixed: bytes | None = None
    applied: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def apply_fixes(raw: bytes, analysis: Analysis, fixes: Sequence[tuple[str, Fix]]) -> FixPass:
    """Apply ``fixes`` (rule code, fix), reported on ``analysis`` of the file bytes ``raw``, in one
    pass: the file's new bytes, what was applied and what was not (nothing is written)."""
    result = FixPass()
    source = analysis.source  # without the notebook cells that do not parse, if any
    try:
        module = analysis.module  # comment-only rules (RL401) do not parse; fixing does
    except (cst.ParserSyntaxError, RecursionError):
        return result
    old = module.code
    tail = _lost_tail(source.text, old)
    if tail is None:
        result.problems.append("not fixed: libcst does not reproduce this file byte for byte")
        return result
    broken = {item.cell: item.line if item.linted_without_line else None for item in source.broken}
    protected = notebook_writer.masked_lines(raw, broken) if source.kind == "notebook" else set()
    try:
        text, applied, problems = fix_module(module, fixes, protected, {span.first_line for span in source.cells}, old)
        text += tail
    except Exception as error:  # noqa: BLE001 - a broken fix must not stop the run
        result.problems.append(f"fixing failed: {type(error).__name__}: {error}")
        return result
    result.problems.extend(problems)
    if not applied or text == source.text:
        return result
    try:
        if source.kind == "notebook":
            new_bytes, _ = notebook_writer.write_back(raw, source.text, text, broken)
        else:
            new_bytes = _encode_python(raw, text)
    except (notebook_writer.CellMappingError, UnicodeEncodeError, ValueError) as error:
        result.problems.append(f"fixes not applied: {error}")
        return result
    if new_bytes != raw:
        result.fixed = new_bytes
        result.applied = {candidate.code for candidate in applied}
    return result


def fix_bytes(
    path: Path, raw: bytes, settings: Settings, rules: Sequence[RuleInfo], *, unsafe: bool, shown: str | None = None
) -> FileFix:
    """Fix the contents of one file (nothing is written)."""
    shown = shown or display_path(path)
    outcome = FileFix(path, shown, raw, raw)
    current = raw
    linted: tuple[bytes, FileResult] | None = None  # the last result, and the bytes it is of
    for _ in range(MAX_PASSES):
        loaded = load(path, current, settings, shown)
        if isinstance(loaded, FileResult):
            linted = current, loaded
            break  # not linted at all (the result says why): nothing to fix
        collected: list[tuple[RuleInfo, Report, Analysis, Finding]] = []
        linted = current, lint_source(loaded, settings, rules, shown, on_report=lambda *item, sink=collected: sink.append(item))
        fixes = [
            (rule.code, report.fix)
            for rule, report, _, _ in collected
            if report.fix is not None and (unsafe or applicability(rule.fix, report.fix) == "safe")
        ]
        if not fixes:
            break
        done = apply_fixes(current, collected[0][2], fixes)
        for problem in done.problems:
            if problem not in (e.message for e in outcome.errors):
                outcome.errors.append(FileError(shown, problem))
        if done.fixed is None:
            break
        current = done.fixed
        outcome.applied.update(done.applied)
    else:
        outcome.notices.append(f"{shown}: fixes still pending after {MAX_PASSES} passes")
    outcome.fixed = current
    if linted is None or linted[0] != current:
        final = load(path, current, settings, shown)
        linted = current, final if isinstance(final, FileResult) else lint_source(final, settings, rules, shown)
    outcome.result = linted[1]
    return outcome


def fix_text(text: str, rules: Sequence[RuleInfo], settings: Settings, *, unsafe: bool = True, path: str = "example.py") -> str:
    """The text after fixing, as if it were a ``.py`` file (rule examples and tests use this)."""
    raw = text.encode("utf-8")
    return fix_bytes(Path(path), raw, settings, rules, unsafe=unsafe, shown=path).fixed.decode("utf-8")


@dataclass(frozen=True)
class FixMode:
    """``--fix`` (``write``) or ``--diff``, with or without unsafe fixes, and the folders given:
    a file whose real path lies outside them (reached through a symbolic link) is never written."""

    unsafe: bool
    write: bool
    roots: tuple[Path, ...]

    @classmethod
    def under(cls, paths: Sequence[Path], *, unsafe: bool, write: bool) -> FixMode:
        roots = tuple(Path(os.path.realpath(path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))))
                      for path in paths)
        return cls(unsafe, write, roots)


def fix_path(path: Path, settings: Settings, rules: Sequence[RuleInfo], mode: FixMode,
             lint: Callable[[], FileResult]) -> tuple[FileFix | None, FileResult]:
    """Fix one file until nothing more changes (with ``mode.write``, replace it on disk) and return
    what remains to report; ``lint`` lints the file as it is on disk (for a file not fixed)."""
    shown = display_path(path)
    real = Path(os.path.realpath(path))
    if mode.write and not any(real.is_relative_to(root) for root in mode.roots):
        refused = FileFix(path, shown, b"", b"", errors=[FileError(
            shown, "not fixed: a symbolic link leads out of the folders given, and --fix never writes there")])
        return refused, lint()
    try:
        snapshot = Snapshot.read(path, file_limit(path, settings))
    except OSError:
        return None, lint()  # which reports why it cannot be read
    if snapshot is None:
        return None, lint()  # over a size limit: reported as skipped
    outcome = fix_bytes(path, snapshot.data, settings, rules, unsafe=mode.unsafe, shown=shown)
    checkpoint()  # a signal whose first raise was lost inside fixing: the file is still untouched
    assert outcome.result is not None
    if not (mode.write and outcome.changed):
        return outcome, lint() if outcome.changed else outcome.result
    try:
        replace_if_unchanged(path, outcome.fixed, snapshot)
    except ChangedOnDisk:
        outcome.errors.append(FileError(shown, "changed on disk while it was being fixed: not overwritten"))
    except OSError as error:
        outcome.errors.append(FileError(shown, f"cannot write the fixed file: {error.strerror or error}"))
    else:
        return outcome, outcome.result
    outcome.applied.clear()
    return outcome, lint()
