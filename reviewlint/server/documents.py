"""What the language server lints for an open document, and where each finding lands.

A ``.py`` text document is linted as the file at its path. A notebook document (LSP 3.17, what
VS Code sends: one text document a cell) is linted as the notebook it is, rebuilt from its cells
in order (markdown cells included, so cell numbers match and the markdown can name the image
domain), and each finding goes to its own cell. A text document whose path ends in ``.ipynb``
and holds Python (jupyterlab-lsp's "virtual document": the notebook's cells joined, mapped back
to cells by the client) is linted as Python at that path.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.workspace import TextDocument, Workspace
from pygls.workspace.position_codec import ServerTextPosition, ServerTextRange

from reviewlint.lint.finding import Location


def path_of(uri: str) -> Path:
    """The file a document stands for (an untitled buffer: a file of that name here)."""
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    name = Path(unquote(parsed.path)).name or "untitled"
    return Path.cwd() / (name if name.endswith((".py", ".ipynb")) else f"{name}.py")


@dataclass
class Target:
    """One lint unit: the document (or notebook) ``uri``, the file it is linted as, its bytes, the
    text documents its findings land in (one, or one a cell), and their versions when linted."""

    uri: str
    path: Path
    raw: bytes
    cells: tuple[str | None, ...]  # per notebook cell, its text document's uri (None: markdown); () for text
    versions: dict[str, int | None]

    def document_for(self, location: Location) -> str | None:
        """The uri of the text document a location lies in (None: another file, or a markdown cell)."""
        if not self.cells:
            return self.uri if location.cell is None else None
        if location.cell is None or not 0 < location.cell <= len(self.cells):
            return None
        return self.cells[location.cell - 1]


def text_target(document: TextDocument) -> Target | None:
    """The lint unit of a text document; None for a notebook's raw JSON opened as text (its
    positions are not the cells'; editors that open notebooks as notebooks send cells)."""
    path = path_of(document.uri)
    if path.suffix == ".ipynb":
        if document.source.lstrip().startswith("{"):
            return None
        path = path.with_name(path.name + ".py")  # jupyterlab-lsp's virtual document: Python
    return Target(document.uri, path, document.source.encode("utf-8", "surrogatepass"), (), {document.uri: document.version})


def notebook_target(notebook: types.NotebookDocument, workspace: Workspace) -> Target:
    cells: list[dict[str, object]] = []
    uris: list[str | None] = []
    versions: dict[str, int | None] = {notebook.uri: notebook.version}
    for cell in notebook.cells:
        document = workspace.get_text_document(cell.document)
        code = cell.kind == types.NotebookCellKind.Code
        cells.append({"cell_type": "code" if code else "markdown", "metadata": {}, "source": document.source,
                      **({"outputs": [], "execution_count": None} if code else {})})
        uris.append(cell.document if code else None)
        versions[cell.document] = document.version
    data = {"cells": cells, "metadata": {"kernelspec": {"language": "python", "name": "python3", "display_name": "Python 3"}},
            "nbformat": 4, "nbformat_minor": 5}
    path = path_of(notebook.uri)
    if path.suffix != ".ipynb":
        path = path.with_name(path.name + ".ipynb")
    return Target(notebook.uri, path, json.dumps(data).encode("utf-8", "surrogatepass"), tuple(uris), versions)


def client_range(document: TextDocument, location: Location) -> types.Range:
    """A finding's place (1-based, in characters) in the client's units (UTF-16 by default)."""
    lines = document.lines
    last = max(len(lines) - 1, 0)
    start_line = min(max(location.line - 1, 0), last)
    end_line = min(max(location.end_line - 1, start_line), last)
    start = ServerTextPosition(start_line, max(location.column - 1, 0))
    end = ServerTextPosition(end_line, max(location.end_column - 1, 0))
    if (end.line, end.character) < (start.line, start.character):
        end = start
    return document.range_to_client_units(ServerTextRange(start, end))


def minimal_edit(document: TextDocument, new_text: str) -> types.TextEdit | None:
    """One edit that turns the document's text into ``new_text`` (the changed middle only)."""
    old = document.source
    if old == new_text:
        return None
    prefix = 0
    limit = min(len(old), len(new_text))
    while prefix < limit and old[prefix] == new_text[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new_text[len(new_text) - 1 - suffix]:
        suffix += 1
    start = document.client_position_at_offset(prefix)
    end = document.client_position_at_offset(len(old) - suffix)
    return types.TextEdit(types.Range(start, end), new_text[prefix : len(new_text) - suffix])


def cell_sources(raw: bytes) -> list[str]:
    """The source of each cell of a notebook's JSON, in order."""
    data = json.loads(raw.decode("utf-8", "surrogatepass"))
    sources = []
    for cell in data.get("cells", []):
        source = cell.get("source", "")
        sources.append("".join(source) if isinstance(source, list) else str(source))
    return sources


def edits_for(target: Target, new_raw: bytes, document: Callable[[str], TextDocument]) -> list[types.TextDocumentEdit]:
    """The edits, one per changed text document, that turn ``target``'s documents into ``new_raw``."""
    changes: list[tuple[str, str]] = []
    if target.cells:
        for uri, source in zip(target.cells, cell_sources(new_raw)):
            if uri is not None:
                changes.append((uri, source))
    else:
        changes.append((target.uri, new_raw.decode("utf-8", "surrogatepass")))
    found: list[types.TextDocumentEdit] = []
    for uri, text in changes:
        current = document(uri)
        edit = minimal_edit(current, text)
        if edit is not None:
            found.append(types.TextDocumentEdit(
                types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=current.version), [edit]))
    return found

