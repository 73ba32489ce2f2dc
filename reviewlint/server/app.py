"""``reviewlint server``: a Language Server (pygls, over stdio) that lints as you type.

Diagnostics on open, on change and on save (changes coalesce: those that arrive while a document
is being linted are linted once more, together, and a result for a version that changed meanwhile
is dropped, so the latest version wins), for ``.py`` documents and notebook documents (each diagnostic on its cell);
code actions (each finding's fix, "fix all safe", "suppress with # noqa"); the rule's
documentation on hover. Settings: the nearest ``pyproject.toml`` of each document (read again at
every lint, so an edited configuration applies at once), and the client's ``reviewlint``
settings (``select``, ``ignore``, ``extendSelect``, ``imageDomain``) from the initialization
options or ``workspace/didChangeConfiguration``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import ServerTextPosition

from reviewlint import __version__
from reviewlint.lint.finding import FileError, Finding
from reviewlint.lint.rule_meta import ImageDomain, RuleMeta, rule_index
from reviewlint.report.explain import explanation
from reviewlint.run.config import IMAGE_DOMAINS, ConfigError, ConfigResolver, Overrides
from reviewlint.run.document import LintedDocument, fix_document, lint_document
from reviewlint.server.diagnostics import SOURCE, diagnostic, error_diagnostic
from reviewlint.server.documents import Target, edits_for, notebook_target, text_target
from reviewlint.source.project import forget_file_system

DEBOUNCE_SECONDS = 0.0  # no wait: changes that arrive during a lint coalesce into one more lint
FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.reviewlint"
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?", re.IGNORECASE)
log = logging.getLogger(__name__)


@dataclass
class _Linted:
    target: Target
    linted: LintedDocument | None
    published: dict[str, list[types.Diagnostic]] = field(default_factory=dict)


def _overrides(settings: object) -> Overrides:
    """The client's settings (``{"reviewlint": {...}}`` or the section itself) as CLI overrides."""
    if isinstance(settings, Mapping) and isinstance(settings.get("reviewlint"), Mapping):
        settings = settings["reviewlint"]
    if not isinstance(settings, Mapping):
        return Overrides()

    def codes(key: str) -> tuple[str, ...]:
        value = settings.get(key)
        items = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else []
        return tuple(str(item).strip().upper() for item in items if str(item).strip())

    domain = settings.get("imageDomain")
    return Overrides(
        select=codes("select") or None, ignore=codes("ignore"), extend_select=codes("extendSelect"),
        image_domain=cast(ImageDomain, domain) if domain in IMAGE_DOMAINS else None,
    )


class ReviewlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "reviewlint", __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            notebook_document_sync=types.NotebookDocumentSyncOptions(
                notebook_selector=[types.NotebookDocumentFilterWithCells(
                    cells=[types.NotebookCellLanguage(language="python")], notebook="*")],
                save=True,
            ),
        )
        self.overrides = Overrides()
        self.units: dict[str, _Linted] = {}  # by document or notebook uri
        self.pending: dict[str, asyncio.Future[None]] = {}  # waiting out the debounce
        self.running: set[str] = set()  # being linted now
        self.dirty: set[str] = set()  # changed while being linted: lint again
        self.meta = {rule.code: rule for rule in rule_index()}
        self._rules: Sequence[Any] | None = None
        self.debounce = DEBOUNCE_SECONDS

    @property
    def rules(self) -> Sequence[Any]:
        if self._rules is None:
            from reviewlint.lint.registry import all_rules

            self._rules = all_rules()
        return self._rules

    # Lint units ----------------------------------------------------------------------------
    def target_of(self, uri: str) -> Target | None:
        """The lint unit of a document or notebook uri (a cell's: its notebook)."""
        notebook = self.workspace.get_notebook_document(notebook_uri=uri) or self.workspace.get_notebook_document(cell_uri=uri)
        if notebook is not None:
            return notebook_target(notebook, self.workspace)
        if uri not in self.workspace.text_documents:
            return None
        return text_target(self.workspace.get_text_document(uri))

    def unit_of(self, uri: str) -> _Linted | None:
        notebook = self.workspace.get_notebook_document(cell_uri=uri)
        return self.units.get(notebook.uri if notebook is not None else uri)

    def current(self, target: Target) -> bool:
        """Whether every document of a lint unit is still at the version it was linted at."""
        for uri, version in target.versions.items():
            notebook = self.workspace.get_notebook_document(notebook_uri=uri)
            now: int | None
            if notebook is not None:
                now = notebook.version
            elif uri in self.workspace.text_documents:
                now = self.workspace.get_text_document(uri).version
            else:
                return False
            if now != version:
                return False
        return True

    def _document(self, uri: str) -> TextDocument | None:
        return self.workspace.get_text_document(uri) if uri in self.workspace.text_documents else None

    def lint(self, target: Target) -> tuple[LintedDocument | None, list[FileError]]:
        """Lint a unit with the settings of its path now; a failure is an error, never an exception."""
        try:
            forget_file_system()
            settings = ConfigResolver(tuple(self.meta.values()), self.overrides).for_path(target.path)
            linted = lint_document(target.path, target.raw, settings, self.rules, target.path.name)
            return linted, list(linted.result.errors)
        except ConfigError as error:
            return None, [FileError(target.path.name, f"config error: {error}")]
        except Exception as error:  # noqa: BLE001 - the server must survive anything the engine does
            log.error("linting %s failed:\n%s", target.uri, traceback.format_exc())
            return None, [FileError(target.path.name, f"internal error: {type(error).__name__}: {error}")]

    def publish(self, target: Target, linted: LintedDocument | None, errors: Sequence[FileError]) -> None:
        unit = self.units.get(target.uri)
        before = set(unit.published) if unit is not None else set()
        by_document: dict[str, list[types.Diagnostic]] = {uri: [] for uri in (target.cells or (target.uri,)) if uri is not None}
        if linted is not None:
            for index, finding in enumerate(linted.result.findings):
                placed = diagnostic(finding, index, target, self._document, self.meta)
                if placed is not None:
                    by_document.setdefault(placed[0], []).append(placed[1])
            for skipped in linted.result.skipped:
                first = next(iter(by_document), target.uri)
                by_document.setdefault(first, []).append(error_diagnostic(FileError(skipped.path, skipped.reason)))
        first = next(iter(by_document), target.uri)
        for error in errors:
            by_document.setdefault(first, []).append(error_diagnostic(error))
        for uri in before - set(by_document):
            by_document[uri] = []  # a cell that went away, or a document no longer linted here
        for uri, diagnostics in by_document.items():
            version = target.versions.get(uri)
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version))
        self.units[target.uri] = _Linted(target, linted, {uri: found for uri, found in by_document.items() if found})

    async def refresh(self, uri: str, delay: float = 0.0) -> None:
        """Lint the unit of ``uri`` after ``delay`` seconds. Changes coalesce: a new request
        replaces a waiting one, one that arrives while the unit is being linted makes it lint
        once more afterwards, and a result for a version that changed meanwhile is dropped."""
        target = self.target_of(uri)
        key = target.uri if target is not None else uri
        if target is None:
            self.close(uri)
            return
        if key in self.running:
            self.dirty.add(key)
            return
        previous = self.pending.pop(key, None)
        if previous is not None:
            previous.cancel()
        self.pending[key] = asyncio.ensure_future(self._refresh(key, delay))

    async def _refresh(self, key: str, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        self.pending.pop(key, None)
        self.running.add(key)
        try:
            while True:
                self.dirty.discard(key)
                target = self.target_of(key)
                if target is None:
                    return
                linted, errors = await asyncio.get_running_loop().run_in_executor(None, self.lint, target)
                if self.current(target):
                    self.publish(target, linted, errors)
                if key not in self.dirty:
                    return
        finally:
            self.running.discard(key)

    def close(self, uri: str) -> None:
        """Forget a document or notebook: drop a lint waiting for it and clear what it showed."""
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        self.clear(uri)

    def clear(self, uri: str) -> None:
        unit = self.units.pop(uri, None)
        uris = set(unit.published) if unit is not None else set()
        uris.add(uri)
        for item in uris:
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=item, diagnostics=[]))

    async def refresh_all(self) -> None:
        for uri in list(self.units):
            await self.refresh(uri)

    # Code actions --------------------------------------------------------------------------
    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        unit = self.unit_of(params.text_document.uri)
        if unit is None or unit.linted is None or not self.current(unit.target):
            return []
        only = params.context.only
        wants_quickfix = not only or any(kind.startswith(types.CodeActionKind.QuickFix) for kind in only)
        wants_fix_all = not only or any(FIX_ALL.startswith(kind) or kind.startswith(FIX_ALL) for kind in only)
        actions: list[types.CodeAction] = []
        if wants_quickfix:
            for item in params.context.diagnostics:
                if item.source != SOURCE or not isinstance(item.data, Mapping) or not isinstance(item.data.get("index"), int):
                    continue
                findings = unit.linted.result.findings
                index = item.data["index"]
                if index >= len(findings) or findings[index].code != item.code:
                    continue
                actions.extend(self._finding_actions(unit, findings[index], item, params.text_document.uri))
        if wants_fix_all:
            action = self._fix_all(unit)
            if action is not None:
                actions.append(action)
        return actions

    def _get(self, uri: str) -> TextDocument:
        return self.workspace.get_text_document(uri)

    def _finding_actions(self, unit: _Linted, finding: Finding, item: types.Diagnostic, uri: str) -> list[types.CodeAction]:
        assert unit.linted is not None
        actions = []
        behind = unit.linted.fix_of(finding)
        if behind is not None:
            _, report, _ = behind
            done = fix_document(unit.linted, lambda rule, candidate: candidate is report)
            if done.fixed is not None:
                safe = finding.fix == "safe"
                title = report.fix.title if report.fix is not None else "fix"
                actions.append(types.CodeAction(
                    title=f"{finding.code}: {title}" + ("" if safe else " (unsafe: changes what the code does)"),
                    kind=types.CodeActionKind.QuickFix, diagnostics=[item], is_preferred=safe,
                    edit=types.WorkspaceEdit(document_changes=edits_for(unit.target, done.fixed, self._get)),
                ))
        noqa = self._noqa_edit(uri, item, finding.code)
        if noqa is not None:
            actions.append(types.CodeAction(
                title=f"{finding.code}: suppress with # noqa: {finding.code}", kind=types.CodeActionKind.QuickFix,
                diagnostics=[item], edit=types.WorkspaceEdit(document_changes=[noqa]),
            ))
        return actions

    def _noqa_edit(self, uri: str, item: types.Diagnostic, code: str) -> types.TextDocumentEdit | None:
        document = self._document(uri)
        if document is None:
            return None
        line_number = item.range.start.line
        lines = document.lines
        if line_number >= len(lines):
            return None
        line = lines[line_number].rstrip("\r\n")
        match = _NOQA.search(line)
        if match is not None and match.group("codes") is None:
            return None  # a bare # noqa already suppresses everything
        if match is not None:
            new_line = line[: match.end()] + f", {code}" + line[match.end():]
        else:
            new_line = f"{line}  # noqa: {code}"
        start = types.Position(line_number, 0)
        end = document.position_to_client_units(ServerTextPosition(line_number, len(line)))
        return types.TextDocumentEdit(
            types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=document.version),
            [types.TextEdit(types.Range(start, end), new_line)],
        )

    def _fix_all(self, unit: _Linted) -> types.CodeAction | None:
        assert unit.linted is not None
        if not any(finding.fix == "safe" for finding in unit.linted.result.findings):
            return None
        from reviewlint.fixing.fixer import fix_bytes

        settings = ConfigResolver(tuple(self.meta.values()), self.overrides).for_path(unit.target.path)
        outcome = fix_bytes(unit.target.path, unit.target.raw, settings, self.rules, unsafe=False, shown=unit.target.path.name)
        if not outcome.changed:
            return None
        return types.CodeAction(
            title="reviewlint: fix all safe fixes", kind=FIX_ALL,
            edit=types.WorkspaceEdit(document_changes=edits_for(unit.target, outcome.fixed, self._get)),
        )

    # Hover ---------------------------------------------------------------------------------
    def hover(self, params: types.HoverParams) -> types.Hover | None:
        unit = self.unit_of(params.text_document.uri)
        if unit is None:
            return None
        position = params.position
        for item in unit.published.get(params.text_document.uri, []):
            start, end = item.range.start, item.range.end
            if (start.line, start.character) <= (position.line, position.character) <= (end.line, end.character):
                rule: RuleMeta | None = self.meta.get(str(item.code))
                if rule is not None:
                    return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, explanation(rule)), item.range)
        return None


def build_server() -> ReviewlintServer:
    server = ReviewlintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: ReviewlintServer, params: types.InitializeParams) -> None:
        ls.overrides = _overrides(params.initialization_options)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: ReviewlintServer, params: types.DidOpenTextDocumentParams) -> None:
        await ls.refresh(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: ReviewlintServer, params: types.DidChangeTextDocumentParams) -> None:
        await ls.refresh(params.text_document.uri, ls.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: ReviewlintServer, params: types.DidSaveTextDocumentParams) -> None:
        if params.text_document.uri.endswith("pyproject.toml"):
            await ls.refresh_all()  # the configuration changed: every open document
        else:
            await ls.refresh(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: ReviewlintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.close(params.text_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    async def notebook_open(ls: ReviewlintServer, params: types.DidOpenNotebookDocumentParams) -> None:
        await ls.refresh(params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    async def notebook_change(ls: ReviewlintServer, params: types.DidChangeNotebookDocumentParams) -> None:
        await ls.refresh(params.notebook_document.uri, ls.debounce)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    async def notebook_save(ls: ReviewlintServer, params: types.DidSaveNotebookDocumentParams) -> None:
        await ls.refresh(params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    async def notebook_close(ls: ReviewlintServer, params: types.DidCloseNotebookDocumentParams) -> None:
        ls.close(params.notebook_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def configuration(ls: ReviewlintServer, params: types.DidChangeConfigurationParams) -> None:
        ls.overrides = _overrides(params.settings)
        await ls.refresh_all()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def watched(ls: ReviewlintServer, params: types.DidChangeWatchedFilesParams) -> None:
        await ls.refresh_all()

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=False),
    )
    def code_action(ls: ReviewlintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return ls.code_actions(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: ReviewlintServer, params: types.HoverParams) -> types.Hover | None:
        return ls.hover(params)

    return server


def serve() -> None:
    """Run the server on standard input and output until the client exits."""
    build_server().start_io()
