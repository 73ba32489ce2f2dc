"""Source files as the engine sees them: the text of one Python module.

A ``.py`` file is decoded as Python decodes it (BOM, ``# -*- coding: … -*-`` cookie).
A notebook's code cells are joined into one module, so that names defined in one cell are
known in the next; IPython magics and shell lines are masked line for line, so they neither
break parsing nor shift line numbers, and every module line maps back to (cell, line).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import tokenize
from dataclasses import dataclass, replace
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
    lines = text.split("\n") if "\r" not in text else _LINE_BREAK.split(text)
    if lines[-1] == "":
        lines.pop()
    return lines


class SourceError(Exception):
    """A file that cannot be turned into a module; the message is one line, for the user."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line  # 1-based line of the file where the problem is, when known


class NotPythonNotebook(SourceError):
    """A notebook whose kernel runs another language (Julia, R …): nothing in it is Python."""


@dataclass(frozen=True)
class CellSpan:
    """Where one notebook code cell lies in the joined module."""

    cell: int  # 1-based position in the notebook's ``cells`` list
    first_line: int  # 1-based module line of the cell's first line
    line_count: int
    removed: tuple[int, ...] = ()  # columns of indentation IPython removes, per line of the cell


@dataclass(frozen=True)
class BrokenCell:
    """A notebook code cell that does not parse on its own: it is left out of the module (its
    lines are blank there) and reported; every other cell is linted."""

    cell: int
    line: int  # 1-based line within the cell
    column: int  # 1-based
    message: str
    text: str = ""  # the offending line, as written
    # Linted all the same with only the offending line blank, when that alone makes it parse
    # (an edit left half done); it is never fixed either way.
    linted_without_line: bool = False


@dataclass(frozen=True)
class SourceFile:
    """One file's module text, and for notebooks the map back to cells."""

    path: Path
    text: str
    kind: str  # "python" or "notebook"
    cells: tuple[CellSpan, ...] = ()
    broken: tuple[BrokenCell, ...] = ()  # notebook cells left out because they do not parse
    shell: tuple[str, ...] = ()  # a notebook's magic and shell lines, as written (masked in ``text``)
    prose: str = ""  # a notebook's markdown cells, joined (what the notebook says about itself)

    @property
    def lines(self) -> list[str]:
        """The module's lines as Python counts them (see :func:`python_lines`)."""
        return python_lines(self.text)

    def removed_indent(self, line: int) -> int:
        """Columns of leading indentation removed from a 1-based module line (0 for .py files)."""
        for span in self.cells:
            if span.first_line <= line < span.first_line + span.line_count:
                offset = line - span.first_line
                return span.removed[offset] if offset < len(span.removed) else 0
        return 0

    def cell_position(self, line: int) -> tuple[int | None, int]:
        """Map a 1-based module line to (cell, line within cell); cell is None for ``.py``."""
        if self.kind != "notebook":
            return None, line
        for span in self.cells:
            if span.first_line <= line < span.first_line + span.line_count:
                return span.cell, line - span.first_line + 1
        last = self.cells[-1] if self.cells else CellSpan(1, 1, 1)
        return last.cell, max(1, line - last.first_line + 1)


# Cell magics whose body is still Python (IPython transforms and runs it as a cell of its own).
PYTHON_BODY_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit"})

_LINE_MAGIC = re.compile(r"^(\s*)(%{1,2}|!{1,2}|\?)")
# IPython's automagics: shell-like commands without % (``ls ./data``, ``pip install x``).
_AUTOMAGIC = re.compile(
    r"^\s*(ls|cd|pwd|cat|mkdir|rmdir|rm|cp|mv|pip|conda|less|more|man|clear|env|who|whos|history|alias|unalias"
    r"|pushd|popd|dirs|bookmark|load_ext|reload_ext|matplotlib|timeit|time)(\s+[^=\s(\[,:+\-*/%<>!&|^]|\s*$)"
)
_ASSIGNED_MAGIC = re.compile(r"^(\s*)([\w\.\[\], ]+?)\s*=\s*(%{1,2}|!{1,2})\s*\w")
# IPython's help syntax at the end of a line (``obj?``, ``obj.attr[0]??``, ``x = np.ar*?``): the
# pattern of ``IPython.core.inputtransformer2._help_end_re``.
_HELP_END = re.compile(r"%{0,2}(?!\d)[\w*]+(\.(?!\d)[\w*]+|\[-?[0-9]+\])*\?\??$")
_CELL_MAGIC = re.compile(r"^%%(\w+)")


def _is_help(line: str) -> bool:
    """``obj?`` and its kin: the line ends in ``?`` outside any comment, after a name IPython takes."""
    stripped = line.rstrip()
    if not stripped.endswith("?") or bracket_state(stripped, 0, None)[2]:
        return False
    return _HELP_END.search(stripped) is not None


def mask_line(line: str) -> str:
    """Replace an IPython magic, shell or help line with ``pass`` at the same indentation.

    Lines that are not magics come back unchanged. The placeholder is a statement, so a magic
    inside an indented block keeps the block valid.
    """
    match = _LINE_MAGIC.match(line) or _ASSIGNED_MAGIC.match(line) or _AUTOMAGIC.match(line)
    if match is None and not _is_help(line):
        return line
    indent = line[: len(line) - len(line.lstrip())]
    return f"{indent}pass"


_BRACKET_QUOTE_OR_HASH = re.compile(r"[()\[\]{}'\"#]")


def bracket_state(line: str, depth: int, quote: str | None) -> tuple[int, str | None, bool]:
    """Bracket depth and open triple-quoted string after a line (strings and comments skipped),
    and whether the line ends in a comment (where a final backslash continues nothing)."""
    if quote is None and _BRACKET_QUOTE_OR_HASH.search(line) is None:
        return depth, None, False
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


def _mask_lines(lines: list[str]) -> list[str]:
    """Mask the magic, shell and help lines of Python code, line for line.

    Only lines that start a statement are masked: a ``%`` or ``!`` inside an open bracket or a
    triple-quoted string (``print("…"\\n    % args)``) is Python, not a magic; a magic line that
    ends in a backslash continues on the next line, which is masked too.
    """
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
            depth, quote, comment = bracket_state(line, depth, quote)
            continues_python, continues_magic = ends_with_backslash and not comment, False
        else:
            continues_magic = ends_with_backslash
    return masked


@dataclass(frozen=True)
class PreparedCell:
    """A code cell as IPython would run it, line for line.

    ``module``: its lines in the joined module; ``removed``: the indentation IPython strips from
    each line (it drops leading blank lines, then removes the first line's indentation from every
    line that starts with it; a Python-bodied cell magic's body is stripped again, as a cell of its
    own); ``masked``: whether a module line is a placeholder rather than the cell's line without
    that indentation (a magic, a shell or help line, a ``%%bash`` body).
    """

    module: tuple[str, ...]
    removed: tuple[str, ...]
    masked: tuple[bool, ...]


def _prepare(lines: list[str]) -> tuple[list[str], list[str]]:
    """The module lines and the removed indentation of a cell's (or a magic body's) lines."""
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    removed = [""] * len(lines)
    body = list(lines)
    if first == len(lines):
        return body, removed
    indent = lines[first][: len(lines[first]) - len(lines[first].lstrip(" \t"))]
    if indent:
        for i in range(first, len(lines)):
            if lines[i].startswith(indent):
                body[i], removed[i] = lines[i][len(indent) :], indent
    magic = _CELL_MAGIC.match(body[first])
    if magic is None:
        return _mask_lines(body), removed
    if magic.group(1) not in PYTHON_BODY_CELL_MAGICS:
        return [""] * len(lines), removed  # %%bash, %%writefile …: not Python at all
    inner, inner_removed = _prepare(body[first + 1 :])
    rest = [removed[first + 1 + i] + extra for i, extra in enumerate(inner_removed)]
    return [""] * first + ["pass"] + inner, removed[: first + 1] + rest


def cell_lines(code: str) -> list[str]:
    """A cell's lines, its line endings (CR LF, CR, LF) normalised."""
    return code.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def prepare_cell(code: str) -> PreparedCell:
    """Prepare one code cell's code for the joined module."""
    lines = cell_lines(code)
    module, removed = _prepare(lines)
    while len(module) > 1 and module[-1] == "":  # trailing empty lines are not part of the module
        module.pop()
    masked = tuple(module[i] != lines[i][len(removed[i]) :] for i in range(len(module)))
    return PreparedCell(tuple(module), tuple(removed[: len(module)]), masked)


def mask_cell(source: str) -> str:
    """One code cell's text as it appears in the joined module, with as many lines as it has."""
    lines = cell_lines(source)
    module = list(prepare_cell(source).module)
    return "\n".join(module + [""] * (len(lines) - len(module)))


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


def notebook_language(data: object) -> str | None:
    """The language a notebook's kernel runs, from its metadata (None when it does not say)."""
    metadata = data.get("metadata") if isinstance(data, dict) else None
    if not isinstance(metadata, dict):
        return None
    for key, field_name in (("kernelspec", "language"), ("language_info", "name")):
        block = metadata.get(key)
        if isinstance(block, dict) and isinstance(block.get(field_name), str) and block[field_name].strip():
            return str(block[field_name]).strip()
    return None


_PYTHON_LANGUAGES = frozenset({"python", "python2", "python3", "ipython", "ipython2", "ipython3"})


def load_notebook(raw: bytes) -> object:
    """A notebook's JSON, or :class:`SourceError` saying why it is not one."""
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise SourceError(f"notebook is not valid UTF-8 (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise SourceError(f"invalid notebook JSON at line {error.lineno}, column {error.colno}: {error.msg}", error.lineno) from None
    except RecursionError:
        raise SourceError("invalid notebook JSON: nested too deeply") from None
    except ValueError as error:  # a number of over 4300 digits, …
        raise SourceError(f"invalid notebook JSON: {str(error).splitlines()[0]}") from None


def _unreadable_cell(index: int, code: str) -> BrokenCell | None:
    """A cell whose code is not text Python can hold (a NUL, a lone surrogate), or None."""
    for line_number, line in enumerate(cell_lines(code), start=1):
        if "\x00" in line:
            return BrokenCell(index, line_number, line.index("\x00") + 1, "the code holds a NUL character")
        try:
            line.encode("utf-8")
        except UnicodeEncodeError as error:  # "\\ud800" in the JSON: a lone surrogate is not text
            return BrokenCell(index, line_number, error.start + 1, f"the code holds {line[error.start]!a}, which is not text")
    return None


def notebook_module(raw: bytes) -> tuple[str, tuple[CellSpan, ...], tuple[BrokenCell, ...], tuple[str, ...], str]:
    """Join a notebook's code cells into one module text, IPython syntax masked line for line;
    a cell that is not text is left out (blank lines) and returned as broken. Also returns the
    magic and shell lines that were masked, as written (``!pip install albumentations==1.3.1``),
    and the text of the markdown cells."""
    data = load_notebook(raw)
    cells = notebook_cells(data)
    language = notebook_language(data)
    if language is not None and language.lower() not in _PYTHON_LANGUAGES:
        raise NotPythonNotebook(f"a {language} notebook (the language of its kernel), not Python")
    parts: list[str] = []
    spans: list[CellSpan] = []
    broken: list[BrokenCell] = []
    shell: list[str] = []
    line = 1
    prose: list[str] = []
    for index, cell in enumerate(cells, start=1):
        code = cell_code(cell, index)
        if code is None:
            if cell.get("cell_type") == "markdown":
                with contextlib.suppress(SourceError):
                    prose.append(_cell_source(cell, index))
            continue
        unreadable = _unreadable_cell(index, code)
        if unreadable is not None:
            broken.append(unreadable)
            code = "\n".join("" for _ in cell_lines(code))
        prepared = prepare_cell(code)
        if any(prepared.masked):
            written = cell_lines(code)
            shell.extend(written[i] for i, masked in enumerate(prepared.masked) if masked and i < len(written))
        spans.append(CellSpan(index, line, len(prepared.module), tuple(len(indent) for indent in prepared.removed)))
        parts.append("\n".join(prepared.module) + "\n")
        line += len(prepared.module)
    return "".join(parts), tuple(spans), tuple(broken), tuple(shell), "\n".join(prose)


def without_cells(source: SourceFile, broken: tuple[BrokenCell, ...]) -> SourceFile:
    """``source`` with the lines of the ``broken`` cells blank (their line count kept): all of
    them, or only the offending line of a cell linted without it."""
    lines = source.text.split("\n")
    by_cell = {item.cell: item for item in broken}
    for span in source.cells:
        item = by_cell.get(span.cell)
        if item is None:
            continue
        if item.linted_without_line:
            lines[span.first_line - 1 + item.line - 1] = ""
            continue
        for line in range(span.first_line - 1, span.first_line - 1 + span.line_count):
            lines[line] = ""
    return replace(source, text="\n".join(lines), broken=source.broken + broken)


def decode_python(raw: bytes) -> str:
    """Decode Python source bytes as the interpreter would (BOM, coding cookie, UTF-8)."""
    if b"\x00" in raw:
        raise SourceError("source contains NUL bytes", raw.count(b"\n", 0, raw.index(b"\x00")) + 1)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as error:
        raise SourceError(f"bad encoding declaration: {error.msg if hasattr(error, 'msg') else error}") from None
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        if isinstance(error, UnicodeDecodeError):
            line = raw.count(b"\n", 0, error.start) + 1
            raise SourceError(f"cannot decode as {encoding} (line {line}): {error.reason}", line) from None
        raise SourceError(f"cannot decode as {encoding}: {error}") from None
    return text.removeprefix("\ufeff")


def load_source(path: Path, raw: bytes) -> SourceFile:
    """Turn a file's bytes into a :class:`SourceFile`; raises :class:`SourceError`."""
    if path.suffix == ".ipynb":
        text, cells, broken, shell, prose = notebook_module(raw)
        return SourceFile(path=path, text=text, kind="notebook", cells=cells, broken=broken, shell=shell, prose=prose)
    return SourceFile(path=path, text=decode_python(raw), kind="python")
