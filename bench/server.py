"""The language server's latency: ``python -m bench.server``.

Starts ``reviewlint server`` as an editor would (a pygls client over stdio), opens an 800-line
training script and a 100-cell notebook built from the embedded examples (``fixtures/``), then
sends a change (one line edited) and times how long until the diagnostics of that version
arrive, several times. Printed beside one in-process ``lint_text`` of the same text, measured
in the same run: the target is at most 100 ms a change on this machine.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = (ROOT / "fixtures" / "student_notebook.py", ROOT / "fixtures" / "corrected" / "corrected_notebook.py")


def script(lines: int) -> str:
    """The example's two training scripts (the student's and the corrected one) one after the
    other, cut at the first top-level statement boundary at or after ``lines`` lines."""
    joined = "\n".join(path.read_text(encoding="utf-8").rstrip("\n") for path in SCRIPTS).splitlines()
    for index in range(min(lines, len(joined)), len(joined)):
        if not joined[index].strip() and index + 1 < len(joined) and joined[index + 1][:1] not in ("", " ", "\t", ")", "]", "}"):
            return "\n".join(joined[:index]) + "\n"
    return "\n".join(joined) + "\n"


def notebook_cells(count: int) -> list[str]:
    """The example scripts as ``count`` cells: runs of whole top-level statements."""
    lines = script(10_000).splitlines()
    starts = [node.lineno - 1 for node in ast.parse("\n".join(lines)).body]
    per_cell = max(1, len(starts) // count)
    cuts = [starts[index] for index in range(0, len(starts), per_cell)][:count]
    cells = ["\n".join(lines[cut:end]).strip("\n") + "\n" for cut, end in zip(cuts, [*cuts[1:], len(lines)])]
    while len(cells) < count:
        cells.append(f"step_{len(cells)} = {len(cells)}\n")
    return cells


class _Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("bench", "1")
        self.arrived: dict[tuple[str, int | None], float] = {}
        self.waiters: dict[tuple[str, int | None], asyncio.Future[float]] = {}

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            key = (params.uri, params.version)
            now = time.perf_counter()
            self.arrived[key] = now
            waiter = self.waiters.pop(key, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(now)

    async def published(self, uri: str, version: int) -> float:
        key = (uri, version)
        if key in self.arrived:
            return self.arrived[key]
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiters[key] = future
        return await asyncio.wait_for(future, 60)


async def _measure(rounds: int) -> dict[str, list[float]]:
    client = _Client()
    await client.start_io(sys.executable, "-m", "reviewlint", "server")
    capabilities = types.ClientCapabilities(notebook_document=types.NotebookDocumentClientCapabilities(
        synchronization=types.NotebookDocumentSyncClientCapabilities()))
    await client.initialize_async(types.InitializeParams(capabilities=capabilities, root_uri=ROOT.as_uri()))
    client.initialized(types.InitializedParams())
    times: dict[str, list[float]] = {"script": [], "notebook": []}

    text = script(800)
    uri = (ROOT / "bench-800-lines.py").as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text)))
    await client.published(uri, 1)  # warm: rules imported, first lint done
    for version in range(2, rounds + 2):
        edited = text.replace("EPOCHS", f"EPOCHS_{version}", 1)
        start = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=version, uri=uri), [types.TextDocumentContentChangeWholeDocument(text=edited)]))
        times["script"].append(await client.published(uri, version) - start)
        await asyncio.sleep(0.05)

    cells = notebook_cells(100)
    notebook_uri = (ROOT / "bench-100-cells.ipynb").as_uri()
    cell_uris = [f"{notebook_uri}#cell{index}" for index in range(len(cells))]
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        types.NotebookDocument(notebook_uri, "jupyter-notebook", 1, [types.NotebookCell(types.NotebookCellKind.Code, u) for u in cell_uris]),
        [types.TextDocumentItem(u, "python", 1, cell) for u, cell in zip(cell_uris, cells)]))
    await client.published(cell_uris[0], 1)
    for version in range(2, rounds + 2):
        start = time.perf_counter()
        client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
            types.VersionedNotebookDocumentIdentifier(version, notebook_uri),
            types.NotebookDocumentChangeEvent(cells=types.NotebookDocumentCellChanges(text_content=[
                types.NotebookDocumentCellContentChanges(types.VersionedTextDocumentIdentifier(version, cell_uris[50]),
                                                         [types.TextDocumentContentChangeWholeDocument(text=cells[50] + f"# edit {version}\n")])]))))
        times["notebook"].append(await client.published(cell_uris[50], version) - start)
        await asyncio.sleep(0.05)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return times


def _lint_once(rounds: int) -> dict[str, list[float]]:
    from reviewlint.lint.registry import all_rules
    from reviewlint.run.config import ConfigResolver, Overrides
    from reviewlint.run.document import lint_document

    rules = all_rules()
    resolver = ConfigResolver(rules, Overrides())
    text = script(800).encode()
    notebook = json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": cell}
                                     for cell in notebook_cells(100)], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()
    times: dict[str, list[float]] = {"script": [], "notebook": []}
    for name, path, raw in (("script", ROOT / "bench-800-lines.py", text), ("notebook", ROOT / "bench-100-cells.ipynb", notebook)):
        settings = resolver.for_path(path)
        lint_document(path, raw, settings, rules)
        for _ in range(rounds):
            start = time.perf_counter()
            lint_document(path, raw, settings, rules)
            times[name].append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.server", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args(argv)
    served = asyncio.run(_measure(args.rounds))
    direct = _lint_once(args.rounds)
    print("| document | didChange -> publishDiagnostics, median ms | one lint in process, median ms | ratio | target ≤ 100 ms |")
    print("|---|---:|---:|---:|---|")
    for name, label in (("script", "800-line script"), ("notebook", "100-cell notebook")):
        server_ms = statistics.median(served[name]) * 1000
        lint_ms = statistics.median(direct[name]) * 1000
        print(f"| {label} | {server_ms:.0f} | {lint_ms:.0f} | {server_ms / lint_ms:.2f} | {'yes' if server_ms <= 100 else 'NO'} |")


if __name__ == "__main__":
    main()
