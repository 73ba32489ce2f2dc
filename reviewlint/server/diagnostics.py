"""Findings as LSP diagnostics: severity, code, the rule's documentation, hint, related places."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from lsprotocol import types
from pygls.workspace import TextDocument

from reviewlint.lint.finding import FileError, Finding, Location
from reviewlint.lint.rule_meta import RuleMeta, Severity
from reviewlint.server.documents import Target, client_range

SOURCE = "reviewlint"

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


def _other_file(location: Location) -> types.Location:
    """A place in another file of the project (whole-project findings), at its line."""
    path = Path(location.path)
    uri = (path if path.is_absolute() else Path(os.getcwd()) / path).as_uri()
    start = types.Position(max(location.line - 1, 0), max(location.column - 1, 0))
    return types.Location(uri, types.Range(start, start))


def diagnostic(finding: Finding, index: int, target: Target, document: Callable[[str], TextDocument | None],
               rules: dict[str, RuleMeta]) -> tuple[str, types.Diagnostic] | None:
    """The text document a finding lands in and its diagnostic (None where it lands elsewhere)."""
    uri = target.document_for(finding.location)
    text = document(uri) if uri is not None else None
    if uri is None or text is None:
        return None
    message = finding.message + (f"\nhelp: {finding.hint}" if finding.hint else "")
    related = []
    for item in finding.related:
        place = target.document_for(item.location)
        other = document(place) if place is not None else None
        where = types.Location(place, client_range(other, item.location)) if place is not None and other is not None else _other_file(item.location)
        related.append(types.DiagnosticRelatedInformation(where, item.message))
    rule = rules.get(finding.code)
    return uri, types.Diagnostic(
        range=client_range(text, finding.location),
        message=message,
        severity=_SEVERITY.get(finding.severity, types.DiagnosticSeverity.Warning),
        code=finding.code,
        code_description=types.CodeDescription(href=rule.path.as_uri()) if rule is not None and rule.path is not None else None,
        source=SOURCE,
        related_information=related or None,
        data={"index": index, "version": target.versions.get(target.uri), "fix": finding.fix},
    )


def error_diagnostic(error: FileError) -> types.Diagnostic:
    """A file that could not be linted, or a rule that failed on it: said on the first line."""
    return types.Diagnostic(
        range=types.Range(types.Position(0, 0), types.Position(0, 0)),
        message=f"reviewlint: {error.message}",
        severity=types.DiagnosticSeverity.Error if error.code is None else types.DiagnosticSeverity.Warning,
        code=error.code,
        source=SOURCE,
    )
