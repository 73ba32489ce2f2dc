"""Source files as the engine sees them: the text of one Python module.

A ``.py`` file is decoded as Python decodes it (BOM, ``# -*- coding: … -*-`` cookie).
A notebook's code cells are joined into one module, so that names defined in one cell are
known in the next; IPython magics and shell lines are masked line for line, so they neither
break parsing nor shift line numbers, and every module line maps back to (cell, line).
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LINE_WITH_END = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def python_lines(text: str, keepends: bool = False) -> list[str]:
    """Lines as Python counts them: split at CR LF, CR and LF only.

    ``str.splitlines()`` also splits at form feeds, ``\\x1c``-``\\x1e``, ``\\x85`` and U+2028/9,
    which may sit inside a comment or a string: its line numbers drift from libcst's and tokenize's.
    """
    if keepends:
        return _LINE_WITH_END.findall(text)
    lines = _LINE_BREAK.split(text)
    if lines[-1] == "":
        lines.pop()
    return lines


class SourceError(Exception):
    """A file that cannot be turned into a module; the message is one line, for the user."""


@dataclass(frozen=True)
class CellSpan:
    """Where one notebook code cell lies in the joined module."""

    cell: int  # 1-based position in the notebook's ``cells`` list
    first_line: int  # 1-based module line of the cell's first line
    line_count: int
    indent: int = 0  # leading indentation IPython removes from every line of the cell


@dataclass(frozen=True)
class SourceFile:
    """One file's module text, and for notebooks the map back to cells."""

    path: Path
    text: str
    kind: str  # "python" or "notebook"
    cells: tuple[CellSpan, ...] = ()

    @property
    def lines(self) -> list[str]:
        """The module's lines as Python counts them (see :func:`python_lines`)."""
        return python_lines(self.text)

    def cell_indent(self, cell: int | None) -> int:
        """Columns of leading indentation removed from a notebook cell (0 for .py files)."""
        return next((span.indent for span in self.cells if span.cell == cell), 0)

    def cell_position(self, line: int) -> tuple[int | None, int]:
        """Map a 1-based module line to (cell, line within cell); cell is None for ``.py``."""
        if self.kind != "notebook":
            return None, line
        for span in self.cells:
            if span.first_line <= line < span.first_line + span.line_count:
                return span.cell, line - span.first_line + 1
        last = self.cells[-1] if self.cells else CellSpan(1, 1, 1)
        return last.cell, max(1, line - last.first_line + 1)


# Cell magics whose body is still Python: only the magic line itself is masked.
PYTHON_BODY_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit"})

_LINE_MAGIC = re.compile(r"^(\s*)(%{1,2}|!{1,2}|\?)")
# IPython's automagics: shell-like commands without % (``ls ./data``, ``pip install x``).
_AUTOMAGIC = re.compile(
    r"^\s*(ls|cd|pwd|cat|mkdir|rmdir|rm|cp|mv|pip|conda|less|more|man|clear|env|who|whos|history|alias|unalias"
    r"|pushd|popd|dirs|bookmark|load_ext|reload_ext|matplotlib|timeit|time)(\s+[^=\s(\[,:+\-*/%<>!&|^]|\s*$)"
)
_ASSIGNED_MAGIC = re.compile(r"^(\s*)([\w\.\[\], ]+?)\s*=\s*(%{1,2}|!{1,2})\s*\w")
_HELP_SUFFIX = re.compile(r"^\s*[\w\.]+\?{1,2}\s*$")
_CELL_MAGIC = re.compile(r"^\s*%%(\w+)")


def mask_line(line: str) -> str:
    """Replace an IPython magic or shell line with ``pass`` at the same indentation.

    Lines that are not magics come back unchanged. The placeholder is a statement, so a magic
    inside an indented block keeps the block valid.
    """
    match = _LINE_MAGIC.match(line) or _ASSIGNED_MAGIC.match(line) or _AUTOMAGIC.match(line)
    if match is None and not _HELP_SUFFIX.match(line):
        return line
    indent = line[: len(line) - len(line.lstrip())]
    return f"{indent}pass"


def _bracket_state(line: str, depth: int, quote: str | None) -> tuple[int, str | None, bool]:
    """Bracket depth and open triple-quoted string after a line (strings and comments skipped),
    and whether the line ends in a comment (where a final backslash continues nothing)."""
    i = 0
    while i < len(line):
        if quote is not None:
            if line.startswith(quote, i):
                i += len(quote)
                quote = None
                continue
            i += 2 if line[i] == "\\" else 1
            continue
        char = line[i]
        if char == "#":
            return depth, quote, True
        if char in "\"'":
            triple = line[i : i + 3]
            if triple in ('"""', "'''"):
                quote = triple
                i += 3
                continue
            end = i + 1
            while end < len(line) and line[end] != char:
                end += 2 if line[end] == "\\" else 1
            i = end + 1
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        i += 1
    return depth, quote, False


def mask_cell(source: str) -> str:
    """Mask one code cell: a non-Python cell magic masks the whole cell.

    Only lines that start a statement are masked: a ``%`` or ``!`` inside an open bracket or a
    triple-quoted string (``print("…"\n    % args)``) is Python, not a magic.
    """
    lines = source.split("\n")
    for line in lines:  # stacked cell magics (%%capture then %%bash): any non-Python one wins
        cell_magic = _CELL_MAGIC.match(line)
        if cell_magic is None:
            break
        if cell_magic.group(1) not in PYTHON_BODY_CELL_MAGICS:
            return "\n".join("" for _ in lines)
    masked: list[str] = []
    continues_magic = continues_python = False
    depth, quote = 0, None
    for line in lines:
        if continues_magic:
            masked.append("")
        elif depth or quote is not None or continues_python:
            masked.append(line)
        else:
            masked.append(mask_line(line))
        ends_with_backslash = line.rstrip().endswith("\\")
        if masked[-1] == line:
            depth, quote, comment = _bracket_state(line, depth, quote)
            continues_python, continues_magic = ends_with_backslash and not comment, False
        else:
            continues_magic = ends_with_backslash
    return "\n".join(masked)


def strip_leading_indent(source: str) -> tuple[str, int]:
    """IPython removes the first line's indentation from every line of a cell; so do we."""
    first = source.split("\n", 1)[0]
    indent = first[: len(first) - len(first.lstrip(" \t"))]
    if not indent or not first.strip():
        return source, 0
    lines = [line[len(indent) :] if line.startswith(indent) else line for line in source.split("\n")]
    return "\n".join(lines), len(indent)


def _cell_source(cell: dict[str, object], index: int) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        if not all(isinstance(part, str) for part in source):
            raise SourceError(f"cell {index}: 'source' holds something other than text")
        return "".join(source)
    if isinstance(source, str):
        return source
    raise SourceError(f"cell {index}: 'source' is neither text nor a list of lines")


def notebook_cells(data: object) -> list[dict[str, object]]:
    """The cells list of a parsed notebook (nbformat 4, or nbformat 3's worksheets)."""
    if not isinstance(data, dict):
        raise SourceError("not a notebook: the JSON is not an object")
    if "cells" in data:
        cells = data["cells"]
    elif "worksheets" in data:
        worksheets = data["worksheets"]
        if not isinstance(worksheets, list):
            raise SourceError("not a notebook: 'worksheets' is not a list")
        if not all(isinstance(sheet, dict) and isinstance(sheet.get("cells", []), list) for sheet in worksheets):
            raise SourceError("not a notebook: a worksheet is not an object with a 'cells' list")
        cells = [cell for sheet in worksheets for cell in sheet.get("cells", [])]
    else:
        raise SourceError("not a notebook: no 'cells' list")
    if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
        raise SourceError("not a notebook: 'cells' is not a list of objects")
    return cells


def cell_code(cell: dict[str, object], index: int) -> str | None:
    """The code of a code cell (nbformat 3 keeps it under 'input'), or None for other cells."""
    if cell.get("cell_type") != "code":
        return None
    if "source" not in cell and "input" in cell:
        return _cell_source({"source": cell["input"]}, index)
    return _cell_source(cell, index)


def notebook_module(raw: bytes) -> tuple[str, tuple[CellSpan, ...]]:
    """Join a notebook's code cells into one module text, magics masked."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise SourceError(f"notebook is not valid UTF-8 (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise SourceError(f"invalid notebook JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
    except RecursionError:
        raise SourceError("invalid notebook JSON: nested too deeply") from None
    except ValueError as error:  # a number of over 4300 digits, …
        raise SourceError(f"invalid notebook JSON: {str(error).splitlines()[0]}") from None
    parts: list[str] = []
    spans: list[CellSpan] = []
    line = 1
    for index, cell in enumerate(notebook_cells(data), start=1):
        code = cell_code(cell, index)
        if code is None:
            continue
        if "\x00" in code:
            raise SourceError(f"cell {index}: the code holds a NUL character")
        try:
            code.encode("utf-8")
        except UnicodeEncodeError as error:  # "\\ud800" in the JSON: a lone surrogate is not text
            raise SourceError(f"cell {index}: the code holds {error.object[error.start]!a}, which is not text") from None
        body, indent = strip_leading_indent(code.replace("\r\n", "\n").replace("\r", "\n"))
        body = mask_cell(body).rstrip("\n")
        count = body.count("\n") + 1
        spans.append(CellSpan(index, line, count, indent))
        parts.append(body + "\n")
        line += count
    return "".join(parts), tuple(spans)


def decode_python(raw: bytes) -> str:
    """Decode Python source bytes as the interpreter would (BOM, coding cookie, UTF-8)."""
    if b"\x00" in raw:
        raise SourceError("source contains NUL bytes")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as error:
        raise SourceError(f"bad encoding declaration: {error.msg if hasattr(error, 'msg') else error}") from None
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        if isinstance(error, UnicodeDecodeError):
            line = raw.count(b"\n", 0, error.start) + 1
            raise SourceError(f"cannot decode as {encoding} (line {line}): {error.reason}") from None
        raise SourceError(f"cannot decode as {encoding}: {error}") from None
    return text.removeprefix("\ufeff")


def load_source(path: Path, raw: bytes) -> SourceFile:
    """Turn a file's bytes into a :class:`SourceFile`; raises :class:`SourceError`."""
    if path.suffix == ".ipynb":
        text, cells = notebook_module(raw)
        return SourceFile(path=path, text=text, kind="notebook", cells=cells)
    return SourceFile(path=path, text=decode_python(raw), kind="python")
