"""GitHub Actions workflow commands: ``::warning file=…,line=…,col=…,title=RL101::message``."""

from __future__ import annotations

from typing import TextIO

from reviewlint.run.result import RunResult, escape_control

_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(text: str) -> str:
    return escape_control(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: RunResult, stream: TextIO) -> None:
    for finding in result.findings:
        loc = finding.location
        message = finding.message if loc.cell is None else f"cell {loc.cell}, line {loc.line}: {finding.message}"
        properties = (
            f"file={_escape_property(loc.path)},line={loc.line},col={loc.column},"
            f"endLine={loc.end_line},endColumn={loc.end_column},title={_escape_property(finding.code)} {_escape_property(finding.name)}"
            if loc.cell is None
            else f"file={_escape_property(loc.path)},title={_escape_property(finding.code)} {_escape_property(finding.name)}"
        )
        stream.write(f"::{_LEVELS.get(finding.severity.value, 'error')} {properties}::{_escape_data(message)}\n")
    for error in result.errors:
        stream.write(f"::error file={_escape_property(error.path)},title=reviewlint::{_escape_data(error.message)}\n")
    for skipped in result.skipped:
        level = "warning" if skipped.fails else "notice"
        stream.write(f"::{level} file={_escape_property(skipped.path)},title=reviewlint::{_escape_data(skipped.reason)}\n")
