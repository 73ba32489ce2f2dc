"""Machine-readable JSON: ``{"version", "findings": […], "errors": […], "skipped": […]}``.

``errors``: files that could not be read and rules that failed (the run exits 2); ``skipped``:
files found and not linted, with the reason (over a size limit, excluded by configuration, a
notebook in another language) and whether the skip fails the run.
"""

from __future__ import annotations

from typing import TextIO

from reviewlint import __version__
from reviewlint.run.result import RunResult, dump_json


def render(result: RunResult, stream: TextIO) -> None:
    data = {
        "version": __version__,
        "findings": [
            {
                "path": f.location.path,
                "line": f.location.line,
                "column": f.location.column,
                "end_line": f.location.end_line,
                "end_column": f.location.end_column,
                "cell": f.location.cell,
                "code": f.code,
                "name": f.name,
                "severity": f.severity.value,
                "message": f.message,
                "hint": f.hint,
                "fix": f.fix,
                "related": [
                    {
                        "path": r.location.path,
                        "line": r.location.line,
                        "column": r.location.column,
                        "cell": r.location.cell,
                        "message": r.message,
                    }
                    for r in f.related
                ],
            }
            for f in result.findings
        ],
        "errors": [{"path": e.path, "message": e.message, "code": e.code} for e in result.errors],
        "skipped": [{"path": s.path, "reason": s.reason, "fails": s.fails} for s in result.skipped],
    }
    dump_json(data, stream)
