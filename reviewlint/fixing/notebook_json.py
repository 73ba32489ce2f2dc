"""Where each code cell's source lies in a notebook's JSON text, and rewriting only that.

``json.loads`` keeps no positions, and dumping the whole notebook again changes what the fixer
must not touch: a compact, CRLF or tab-indented layout, numbers (``1E5``, ``1e400``), escapes
(``\\u00e9``, ``\\/``) and duplicate keys. :func:`splice_sources` instead scans the text once for
the position of every cell's ``source`` (nbformat 3: ``input``) value and replaces just those
values of the changed cells, written in the form they had: one string, or a list of lines with
the list's own indentation, separators and line endings. Every other byte stays as it was.

The scan follows ``json.loads``: of duplicate keys the last one counts, and cells are taken from
``cells`` (nbformat 4) or from each worksheet's ``cells`` (nbformat 3), in order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

_SPACE = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SCALAR = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null|NaN|-?Infinity")


@dataclass
class _Node:
    start: int
    end: int
    members: dict[str, _Node] | list[_Node] | None = None  # object (last key wins), array, or scalar


def _skip(text: str, i: int) -> int:
    """The index after the white space at ``i``."""
    match = _SPACE.match(text, i)
    assert match is not None  # the pattern matches the empty string too
    return match.end()


def _value(text: str, i: int) -> _Node:
    i = _skip(text, i)
    char = text[i : i + 1]
    if char == "{":
        members: dict[str, _Node] = {}
        j = _skip(text, i + 1)
        if text[j : j + 1] == "}":
            return _Node(i, j + 1, members)
        while True:
            key = _STRING.match(text, _skip(text, j))
            if key is None:
                raise ValueError("a key was expected")
            colon = _skip(text, key.end())
            if text[colon : colon + 1] != ":":
                raise ValueError("':' was expected")
            member = _value(text, colon + 1)
            members.pop(json.loads(key.group()), None)
            members[json.loads(key.group())] = member
            j = _skip(text, member.end)
            if text[j : j + 1] == "}":
                return _Node(i, j + 1, members)
            if text[j : j + 1] != ",":
                raise ValueError("',' or '}' was expected")
            j += 1
    if char == "[":
        items: list[_Node] = []
        j = _skip(text, i + 1)
        if text[j : j + 1] == "]":
            return _Node(i, j + 1, items)
        while True:
            item = _value(text, j)
            items.append(item)
            j = _skip(text, item.end)
            if text[j : j + 1] == "]":
                return _Node(i, j + 1, items)
            if text[j : j + 1] != ",":
                raise ValueError("',' or ']' was expected")
            j += 1
    match = _STRING.match(text, i) if char == '"' else _SCALAR.match(text, i)
    if match is None:
        raise ValueError(f"unexpected {char!r}")
    return _Node(i, match.end())


def _cells(root: _Node) -> list[_Node]:
    if not isinstance(root.members, dict):
        return []
    if "cells" in root.members:
        found = root.members["cells"].members
        return [cell for cell in found if isinstance(cell.members, dict)] if isinstance(found, list) else []
    sheets = root.members.get("worksheets")
    cells: list[_Node] = []
    if sheets is not None and isinstance(sheets.members, list):
        for sheet in sheets.members:
            inner = sheet.members.get("cells") if isinstance(sheet.members, dict) else None
            if inner is not None and isinstance(inner.members, list):
                cells.extend(cell for cell in inner.members if isinstance(cell.members, dict))
    return cells


def _source_node(cell: _Node) -> _Node | None:
    assert isinstance(cell.members, dict)
    if "source" in cell.members:
        return cell.members["source"]
    return cell.members.get("input")


def _split_lines(text: str) -> list[str]:
    """A cell's text as nbformat's list of lines: each ends with its newline, the last may not."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _render(old: str, code: str, ensure_ascii: bool) -> str:
    """``code`` as a JSON value in the form of ``old`` (a string, or a list of lines laid out alike)."""
    if not old.startswith("["):
        return json.dumps(code, ensure_ascii=ensure_ascii)
    items = [json.dumps(line, ensure_ascii=ensure_ascii) for line in _split_lines(code)]
    if not items:
        return "[]"
    opening = re.match(r"\[([ \t]*\r?\n)([ \t]*)", old)
    if opening is None:  # all on one line: keep its separator
        separator = ", " if re.search(r'",[ \t]+"', old) else ","
        return "[" + separator.join(items) + "]"
    newline = "\r\n" if "\r\n" in opening.group(1) else "\n"
    closing = re.search(r"\n([ \t]*)\]$", old)
    inner, outer = opening.group(2), closing.group(1) if closing else ""
    trailing = re.search(r'",([ \t]*)\r?\n', old)  # Python 2's json wrote ", " then the newline
    comma = "," + (trailing.group(1) if trailing else "")
    return "[" + newline + inner + (comma + newline + inner).join(items) + newline + outer + "]"


def splice_sources(raw: bytes, codes: Mapping[int, str]) -> bytes:
    """``raw`` with the code of the cells in ``codes`` (1-based positions among all cells)
    replaced; nothing else in it changes."""
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    text = raw[len(bom) :].decode("utf-8")
    cells = _cells(_value(text, 0))
    ensure_ascii = text.isascii()
    pieces: list[str] = []
    at = 0
    for index in sorted(codes):
        node = _source_node(cells[index - 1]) if 0 < index <= len(cells) else None
        if node is None:
            raise ValueError(f"cell {index} has no source in the notebook's JSON")
        pieces.append(text[at : node.start])
        pieces.append(_render(text[node.start : node.end], codes[index], ensure_ascii))
        at = node.end
    pieces.append(text[at:])
    return bom + "".join(pieces).encode("utf-8")
