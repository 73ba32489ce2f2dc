"""Positions of the few CST nodes a file reports, without regenerating the whole module.

libcst's ``MetadataWrapper(module).resolve(PositionProvider)`` renders the entire module back to
code while it counts lines and columns: on real code about as costly as the parse. A finding
needs the position of one node. :class:`NodePositions` renders only the innermost statement
that holds the node, with the indentation in force there, using libcst's own position-recording
codegen, so the positions within that statement are exactly libcst's; the statement's code is
then found in the file's text, where it starts a line. When that code occurs more than once at
the start of a line (two identical statements), the enclosing statement is tried, and when
nothing is unique, the whole module is rendered as before. Results are identical to
``PositionProvider``'s (``tests/test_cache_and_jobs.py`` compares them node by node).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodePosition, CodeRange, MetadataWrapper, PositionProvider
from libcst.metadata.position_provider import PositionProvidingCodegenState

from reviewlint.analysis.walk import StatementIndex

_NEWLINE = re.compile(r"\r\n?|\n")


class NodePositions:
    """A lazy ``node -> CodeRange`` mapping for one parsed module and the text it was parsed from."""

    def __init__(self, module: cst.Module, text: str) -> None:
        self._module = module
        self._text = text
        self._index: StatementIndex | None = None
        self._known: dict[cst.CSTNode, CodeRange] = {}
        self._full: object | None = None
        self._rendered: dict[tuple[int, tuple[str, ...]], str] = {}

    def prepare(self, nodes: Iterable[object]) -> None:
        """Find the statements of these nodes in one walk (before asking for their positions)."""
        if self._full is None:
            if self._index is None:
                self._index = StatementIndex(self._module)
            self._index.locate(node for node in nodes if isinstance(node, cst.CSTNode) and node not in self._known)

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        known = self._known.get(node)
        if known is not None:
            return known
        if self._full is None:
            self.prepare((node,))
            assert self._index is not None
            statement = self._index.statement_of.get(id(node))
            while statement is not None:
                if self._place(statement) and node in self._known:
                    return self._known[node]
                statement = self._index.parent_of.get(id(statement))
            self._full = MetadataWrapper(self._module, unsafe_skip_copy=True).resolve(PositionProvider)
        found: CodeRange = self._full[node]  # type: ignore[index]  # libcst types the mapping loosely
        return found

    def _place(self, statement: cst.CSTNode) -> bool:
        """Render one statement, find where it lies in the text, and record its nodes' positions.

        When its code is not unique at the start of a line, the neighbouring statements of the
        same body are rendered around it (1, 2, 4, … on each side) until the run is unique; if
        even the whole body is not, the caller tries the enclosing statement.
        """
        assert self._index is not None
        indents = self._index.indents_of[id(statement)]
        provider = PositionProvider()
        state = PositionProvidingCodegenState(
            default_indent=self._module.default_indent,
            default_newline=self._module.default_newline,
            provider=provider,
        )
        state.indent_tokens = list(indents)
        statement._codegen(state)
        code = "".join(state.tokens)
        body, position = self._index.siblings_of.get(id(statement), ((statement,), 0))
        before: list[str] = []
        after: list[str] = []
        low, high = position, position
        start = None
        step = 1
        while True:
            window = "".join(before[::-1]) + code + "".join(after)
            found = self._unique_line_start(_without_last_newline(window))
            if found is not None:
                start = found + sum(len(part) for part in before)
                break
            if low == 0 and high == len(body) - 1:
                break
            for _ in range(step):
                if low > 0:
                    low -= 1
                    before.append(self._render(body[low], indents))
                if high < len(body) - 1:
                    high += 1
                    after.append(self._render(body[high], indents))
            step *= 2  # runs of copy-pasted code: widen quickly
        if start is None:
            return False
        text = self._text
        offset = text.count("\n", 0, start) if "\r" not in text else len(_NEWLINE.findall(text, 0, start))
        known = self._known
        computed: Mapping[cst.CSTNode, CodeRange] = provider._computed  # type: ignore[assignment]  # noqa: SLF001 - libcst's own result, all CodeRanges
        for node, where in computed.items():
            known[node] = CodeRange(
                CodePosition(where.start.line + offset, where.start.column),
                CodePosition(where.end.line + offset, where.end.column),
            )
        return True

    def _render(self, statement: cst.CSTNode, indents: tuple[str, ...]) -> str:
        """A neighbouring statement's code (each rendered once: runs of copies widen repeatedly)."""
        key = (id(statement), indents)
        known = self._rendered.get(key)
        if known is None:
            state = CodegenState(default_indent=self._module.default_indent, default_newline=self._module.default_newline)
            state.indent_tokens = list(indents)
            statement._codegen(state)
            known = self._rendered[key] = "".join(state.tokens)
        return known

    def _unique_line_start(self, code: str) -> int | None:
        """Where ``code`` occupies whole lines of the text, if it does so exactly once."""
        if not code:
            return None
        text = self._text
        found: int | None = None
        at = text.find(code)
        while at != -1:
            end = at + len(code)
            if (at == 0 or text[at - 1] in "\r\n") and (end == len(text) or text[end] in "\r\n"):
                if found is not None:
                    return None
                found = at
            at = text.find(code, at + 1)
        return found


def _without_last_newline(code: str) -> str:
    """The file's last line may lack its newline: match code without it."""
    if code.endswith("\r\n"):
        return code[:-2]
    if code.endswith(("\n", "\r")):
        return code[:-1]
    return code
