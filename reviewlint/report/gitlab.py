"""GitLab Code Quality: a JSON array of issues, one a finding (``artifacts:reports:codequality``).

Each issue has ``description``, ``check_name``, ``fingerprint``, ``severity`` and ``location``
(``path`` and ``lines.begin``), the fields GitLab reads
(https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format). The fingerprint
is the baseline's (stable across unrelated edits). In a notebook, the line is the line within
the cell and the description names the cell: GitLab shows the notebook file, not its cells.
Files that could not be read are issues too (check ``reviewlint/error``), so a merge request
never shows a clean report for code that was not linted.
"""

from __future__ import annotations

import hashlib
from typing import TextIO

from reviewlint.lint.finding import fingerprints
from reviewlint.run.result import RunResult, dump_json

_SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def render(result: RunResult, stream: TextIO) -> None:
    issues: list[dict[str, object]] = []
    for finding, fingerprint in zip(result.findings, fingerprints(result.findings)):
        where = finding.location
        cell = f"cell {where.cell}, line {where.line}: " if where.cell is not None else ""
        issues.append({
            "description": f"{finding.code} {cell}{finding.message}",
            "check_name": f"{finding.code} {finding.name}",
            "fingerprint": fingerprint.replace(":", ""),
            "severity": _SEVERITIES.get(finding.severity.value, "major"),
            "location": {"path": where.path, "lines": {"begin": where.line, "end": where.end_line}},
        })
    for error in result.errors:
        digest = hashlib.sha256(f"{error.path}\0{error.message}".encode()).hexdigest()[:32]
        issues.append({
            "description": error.message,
            "check_name": "reviewlint/error",
            "fingerprint": digest,
            "severity": "critical",
            "location": {"path": error.path, "lines": {"begin": 1}},
        })
    dump_json(issues, stream)
