"""``reviewlint server`` end to end: a real LSP client (pytest-lsp) talking to the server process
over stdio — open, change, save, close, notebook documents, code actions applied to the text,
hover, configuration, documents that do not parse and a rule that raises."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "reviewlint", "server"]
FLIP = "import albumentations as A\naug = A.Compose([A.VerticalFlip(p=0.5)])\n"
pytestmark = pytest.mark.asyncio(loop_scope="function")


def _capabilities() -> types.ClientCapabilities:
    capabilities = client_capabilities("visual-studio-code")
    capabilities.notebook_document = types.NotebookDocumentClientCapabilities(
        synchronization=types.NotebookDocumentSyncClientCapabilities(dynamic_registration=False))
    return capabilities


def _client() -> LanguageClient:
    """pytest-lsp's test client, also recording the version each diagnostics notification is for."""
    from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, LanguageClient, default_converter, register_lsp_features

    def publish_diagnostics(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        client.diagnostic_versions[params.uri] = params.version  # type: ignore[attr-defined]
        client.published.setdefault(params.uri, []).append(params.version)  # type: ignore[attr-defined]

    client = LanguageClient(converter_factory=default_converter)
    client.diagnostic_versions = {}  # type: ignore[attr-defined]
    client.published = {}  # type: ignore[attr-defined]
    register_lsp_features(client, {**DEFAULT_CLIENT_FEATURES, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish_diagnostics})
    return client


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, client_factory=_client))
async def client(lsp_client: LanguageClient, tmp_path: Path):  # type: ignore[no-untyped-def]
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=_capabilities(), root_uri=tmp_path.as_uri(),
        workspace_folders=[types.WorkspaceFolder(tmp_path.as_uri(), "project")]))
    yield
    await lsp_client.shutdown_session()


async def _diagnostics(client: LanguageClient, uri: str, version: int | None = None, timeout: float = 30) -> list[types.Diagnostic]:
    """The diagnostics published for ``uri`` (for ``version``, when given), waiting for them."""
    async def published() -> list[types.Diagnostic]:
        while True:
            if uri in client.diagnostics and (version is None or client.diagnostic_versions.get(uri) == version):
                return list(client.diagnostics[uri])
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return await asyncio.wait_for(published(), timeout)


def _open(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", version, text)))
    return uri


def _change(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(version=version, uri=uri),
        [types.TextDocumentContentChangeWholeDocument(text=text)]))


def _apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP text edits (ASCII text: UTF-16 units are characters) to a text."""
    lines = text.splitlines(keepends=True)

    def offset(position: types.Position) -> int:
        return sum(len(line) for line in lines[: position.line]) + position.character

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


async def test_diagnostics_on_open_with_code_docs_and_hint(client: LanguageClient, tmp_path: Path) -> None:
    uri = _open(client, tmp_path / "train.py", FLIP)
    (found,) = await _diagnostics(client, uri)
    assert found.code == "RL102" and found.source == "reviewlint"
    assert found.severity == types.DiagnosticSeverity.Warning
    assert (found.range.start.line, found.range.start.character, found.range.end.character) == (1, 17, 38)
    assert "help: use a horizontal flip only" in found.message
    assert found.code_description is not None and found.code_description.href.endswith("vertical_flip.py")
    hover = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(1, 20)))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.value.startswith("# RL102 vertical-flip") and "Use instead" in hover.contents.value


async def test_changes_coalesce_and_a_syntax_error_mid_edit_replaces_the_old_diagnostics(client: LanguageClient, tmp_path: Path) -> None:
    big = (Path(__file__).parent.parent / "fixtures" / "student_notebook.py").read_text(encoding="utf-8")
    uri = _open(client, tmp_path / "big.py", big)
    first = await _diagnostics(client, uri, 1)
    assert first
    for version in range(2, 7):  # typed while the first change is being linted: linted once more, at the end
        _change(client, uri, version, big + "#" * version + "\n")
    await _diagnostics(client, uri, 6)
    assert client.published[uri] == [1, 6], "results of the versions typed meanwhile are never published"  # type: ignore[attr-defined]

    small = _open(client, tmp_path / "train.py", FLIP)
    assert [d.code for d in await _diagnostics(client, small, 1)] == ["RL102"]
    _change(client, small, 2, FLIP.replace("A.VerticalFlip(p=0.5)])", "A.VerticalFlip(p=0.5"))
    broken = await _diagnostics(client, small, 2)
    assert [d.code for d in broken] == ["RL001"], "mid-edit: the syntax error only, the old RL102 cleared"
    _change(client, small, 3, FLIP.replace("VerticalFlip", "HorizontalFlip"))
    assert await _diagnostics(client, small, 3) == []
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
    await asyncio.wait_for(_until(lambda: list(client.diagnostics.get(uri, [None])) == []), 30)


async def test_a_notebook_document_puts_each_diagnostic_on_its_cell(client: LanguageClient, tmp_path: Path) -> None:
    notebook_uri = (tmp_path / "explore.ipynb").as_uri()
    cells = [
        (types.NotebookCellKind.Markup, "# Cars: photos of cars", "markdown"),
        (types.NotebookCellKind.Code, "import albumentations as A\n", "python"),
        (types.NotebookCellKind.Code, "x = 1\naug = A.VerticalFlip(p=0.5)\n", "python"),
    ]
    cell_uris = [f"vscode-notebook-cell:{tmp_path / 'explore.ipynb'}#cell{index}" for index in range(len(cells))]
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        notebook_document=types.NotebookDocument(
            uri=notebook_uri, notebook_type="jupyter-notebook", version=1,
            cells=[types.NotebookCell(kind=kind, document=uri) for (kind, _, _), uri in zip(cells, cell_uris)]),
        cell_text_documents=[types.TextDocumentItem(uri, language, 1, text) for (_, text, language), uri in zip(cells, cell_uris)],
    ))
    (found,) = await _diagnostics(client, cell_uris[2])
    assert found.code == "RL102" and (found.range.start.line, found.range.start.character) == (1, 6)
    assert list(client.diagnostics.get(cell_uris[1], [])) == []
    # Edit the third cell: the flip becomes horizontal, its diagnostic goes.
    client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
        notebook_document=types.VersionedNotebookDocumentIdentifier(version=2, uri=notebook_uri),
        change=types.NotebookDocumentChangeEvent(cells=types.NotebookDocumentCellChanges(text_content=[
            types.NotebookDocumentCellContentChanges(
                document=types.VersionedTextDocumentIdentifier(version=2, uri=cell_uris[2]),
                changes=[types.TextDocumentContentChangeWholeDocument(text="x = 1\naug = A.HorizontalFlip(p=0.5)\n")])]))))
    await asyncio.wait_for(_until(lambda: list(client.diagnostics.get(cell_uris[2], [None])) == []), 30)
    client.notebook_document_did_close(types.DidCloseNotebookDocumentParams(
        types.NotebookDocumentIdentifier(notebook_uri), [types.TextDocumentIdentifier(uri) for uri in cell_uris]))


async def _until(condition) -> None:  # type: ignore[no-untyped-def]
    while not condition():
        await asyncio.sleep(0.05)


async def test_code_actions_fix_suppress_and_fix_all(client: LanguageClient, tmp_path: Path) -> None:
    text = "def pair(a, b):\n    return (a, b)\n" + FLIP
    uri = _open(client, tmp_path / "train.py", text)
    found = await _diagnostics(client, uri, 1)
    by_code = {d.code: d for d in found}
    assert set(by_code) == {"RL402", "RL102"}
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), by_code["RL402"].range, types.CodeActionContext(diagnostics=[by_code["RL402"]])))
    titles = [action.title for action in actions or []]
    fix = next(a for a in actions or [] if a.kind == types.CodeActionKind.QuickFix and "noqa" not in a.title)
    assert fix.is_preferred and "unsafe" not in fix.title
    assert any("# noqa: RL402" in title for title in titles)
    assert any(a.kind == "source.fixAll.reviewlint" for a in actions or [])
    assert fix.edit is not None and fix.edit.document_changes is not None
    (change,) = fix.edit.document_changes
    assert isinstance(change, types.TextDocumentEdit) and change.text_document.version == 1
    fixed = _apply(text, list(change.edits))
    assert fixed.startswith("def pair(a, b):\n    return a, b\n")
    _change(client, uri, 2, fixed)
    assert [d.code for d in await _diagnostics(client, uri, 2)] == ["RL102"]
    # Suppress the RL102 finding with # noqa.
    (flip,) = client.diagnostics[uri]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), flip.range, types.CodeActionContext(diagnostics=[flip], only=[types.CodeActionKind.QuickFix])))
    noqa = next(a for a in actions or [] if "noqa" in a.title)
    assert noqa.edit is not None and noqa.edit.document_changes is not None
    suppressed = _apply(fixed, list(noqa.edit.document_changes[0].edits))  # type: ignore[union-attr]
    assert "aug = A.Compose([A.VerticalFlip(p=0.5)])  # noqa: RL102\n" in suppressed
    _change(client, uri, 3, suppressed)
    assert await _diagnostics(client, uri, 3) == []


async def test_fix_all_safe_in_a_notebook_cell(client: LanguageClient, tmp_path: Path) -> None:
    notebook_uri = (tmp_path / "nb.ipynb").as_uri()
    cell_uris = [f"vscode-notebook-cell:{tmp_path / 'nb.ipynb'}#c{i}" for i in range(2)]
    texts = ["def pair(a, b):\n    return (a, b)\n", "for (x, y) in pairs:\n    print(x)\n"]
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        notebook_document=types.NotebookDocument(uri=notebook_uri, notebook_type="jupyter-notebook", version=1,
                                                 cells=[types.NotebookCell(types.NotebookCellKind.Code, uri) for uri in cell_uris]),
        cell_text_documents=[types.TextDocumentItem(uri, "python", 1, text) for uri, text in zip(cell_uris, texts)]))
    await _diagnostics(client, cell_uris[1])
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(cell_uris[0]), types.Range(types.Position(0, 0), types.Position(0, 0)),
        types.CodeActionContext(diagnostics=[], only=["source.fixAll"])))
    (fix_all,) = actions or []
    assert fix_all.edit is not None and fix_all.edit.document_changes is not None
    edited = {change.text_document.uri: _apply(text, list(change.edits))  # type: ignore[union-attr]
              for change, text in zip(fix_all.edit.document_changes, texts)}
    assert edited == {cell_uris[0]: "def pair(a, b):\n    return a, b\n", cell_uris[1]: "for x, y in pairs:\n    print(x)\n"}


async def test_configuration_from_pyproject_and_from_the_client(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.reviewlint]\nimage-domain = "overhead"\n')
    uri = _open(client, tmp_path / "train.py", FLIP + "#print(aug)\n")
    assert [d.code for d in await _diagnostics(client, uri, 1)] == ["RL401"], "the pyproject says overhead imagery: no RL102"
    (tmp_path / "pyproject.toml").write_text('[tool.reviewlint]\nimage-domain = "natural"\n')
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier((tmp_path / "pyproject.toml").as_uri())))
    await asyncio.wait_for(_until(lambda: sorted(d.code for d in client.diagnostics.get(uri, [])) == ["RL102", "RL401"]), 30)
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"reviewlint": {"ignore": ["RL401"]}}))
    await asyncio.wait_for(_until(lambda: [d.code for d in client.diagnostics.get(uri, [])] == ["RL102"]), 30)


async def test_a_jupyterlab_lsp_virtual_document_is_linted_as_python(client: LanguageClient, tmp_path: Path) -> None:
    virtual = tmp_path / ".virtual_documents" / "explore.ipynb"
    uri = _open(client, virtual, "import albumentations as A\n\n\naug = A.VerticalFlip(p=0.5)\n")
    (found,) = await _diagnostics(client, uri)
    assert found.code == "RL102" and found.range.start.line == 3
    raw_json = _open(client, tmp_path / "raw.ipynb", '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    assert await _diagnostics(client, raw_json) == [], "a notebook's JSON opened as text is not linted as code"




@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, client_factory=_client, server_env={"PYTHONPATH": str(Path(__file__).parent / "data" / "raising_rule")}))
async def raising_client(lsp_client: LanguageClient, tmp_path: Path):  # type: ignore[no-untyped-def]
    await lsp_client.initialize_session(types.InitializeParams(capabilities=_capabilities(), root_uri=tmp_path.as_uri()))
    yield
    await lsp_client.shutdown_session()


async def test_a_rule_that_raises_is_a_diagnostic_and_the_server_lives_on(raising_client: LanguageClient, tmp_path: Path) -> None:
    uri = _open(raising_client, tmp_path / "train.py", FLIP + "#print(aug)\n")
    found = await _diagnostics(raising_client, uri)
    messages = {d.code: d.message for d in found}
    assert "RL102" in messages and "internal error in RL102" in messages["RL102"] and "boom" in messages["RL102"]
    assert "RL401" in messages, "the other rules still report"
    _change(raising_client, uri, 2, "x = 1\n")
    assert await _diagnostics(raising_client, uri, 2) == []

