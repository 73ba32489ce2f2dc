"""Findings and file errors as reporters see them: plain, positioned, picklable data."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from reviewlint.lint.rule_meta import Severity

# The diagnostic for code that cannot be parsed (documented as the rule ``rules/syntax_error.py``).
SYNTAX_ERROR_CODE = "RL001"
SYNTAX_ERROR_NAME = "syntax-error"


@dataclass(frozen=True)
class Location:
    """Where a finding is: 1-based lines and columns; within the cell for notebooks."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    cell: int | None = None


@dataclass(frozen=True)
class Related:
    """Another place that explains a finding (the backbone a normalization feeds …)."""

    location: Location
    message: str


@dataclass(frozen=True)
class Finding:
    """One problem a rule found."""

    code: str
    name: str
    severity: Severity
    message: str
    location: Location
    hint: str | None = None
    related: tuple[Related, ...] = ()
    source_lines: tuple[str, ...] = field(default=(), compare=False)
    fix: str | None = None  # "safe" or "unsafe" when the finding has a fix (reviewlint check --fix)

    def sort_key(self) -> tuple[str, int, int, int, str]:
        loc = self.location
        return loc.path, loc.cell or 0, loc.line, loc.column, self.code


@dataclass(frozen=True)
class FileError:
    """A file that could not be read (or a rule that failed on it), with a one-line reason."""

    path: str
    message: str
    code: str | None = None
    trace: str | None = None


@dataclass(frozen=True)
class Skipped:
    """A file that was found and deliberately not linted, with a one-line reason.

    ``fails``: whether the skip fails the run like a warning does (a file over a size limit: its
    findings are unknown); a file the configuration excludes, or a notebook in another language,
    is reported and never fails the run.
    """

    path: str
    reason: str
    fails: bool = True


def fingerprints(findings: Sequence[Finding]) -> list[str]:
    """A fingerprint per finding: rule, file and offending code, hashed, with an ordinal.

    Line numbers, notebook cell numbers, indentation and the message are left out, so the
    fingerprint survives unrelated edits that shift lines, a cell inserted above, and messages
    whose numbers come from elsewhere in the file; identical findings in one file get an ordinal
    (``digest:2``) so that each fingerprint is unique. Baselines and SARIF use the same key.
    """
    seen: dict[str, int] = {}
    result: list[str] = []
    for finding in findings:
        code = "\n".join(line.strip() for line in finding.source_lines)
        key = "\0".join((finding.code, finding.location.path, code))
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        seen[digest] = seen.get(digest, 0) + 1
        result.append(f"{digest}:{seen[digest]}")
    return result


def syntax_finding(shown: str, message: str, line: int = 1, column: int = 1, cell: int | None = None,
                   text: str = "") -> Finding:
    """The RL001 diagnostic: code that cannot be parsed, at its place."""
    return Finding(
        code=SYNTAX_ERROR_CODE, name=SYNTAX_ERROR_NAME, severity=Severity.ERROR, message=message,
        location=Location(shown, line, column, line, column, cell), source_lines=(text,) if text else (),
    )
