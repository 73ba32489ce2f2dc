"""``--statistics``: how many findings each rule has, most first (ruff's ``--statistics``).

Text: one line a rule, ``count  code  name`` and ``[*]`` where some of them have a fix;
JSON: a list of ``{"code", "name", "count", "fixable"}``.
"""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from reviewlint.run.result import RunResult, dump_json


def _rows(result: RunResult) -> list[tuple[str, str, int, int]]:
    counts = Counter(finding.code for finding in result.findings)
    fixable = Counter(finding.code for finding in result.findings if finding.fix is not None)
    names = {finding.code: finding.name for finding in result.findings}
    return [(code, names[code], count, fixable[code]) for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def render(result: RunResult, stream: TextIO) -> None:
    rows = _rows(result)
    width = max((len(str(count)) for _, _, count, _ in rows), default=1)
    code_width = max((len(code) for code, _, _, _ in rows), default=5)
    for code, name, count, fixable in rows:
        stream.write(f"{count:>{width}}  {code:<{code_width}}  {name}{'  [*]' if fixable else ''}\n")
    for error in result.errors:
        stream.write(f"{error.path}: error: {error.message}\n")


def render_json(result: RunResult, stream: TextIO) -> None:
    dump_json([{"code": code, "name": name, "count": count, "fixable": fixable}
               for code, name, count, fixable in _rows(result)], stream)
