"""``path:line:col: RL101 message`` — one line a finding (``path:cell 3:line:col:`` in notebooks)."""

from __future__ import annotations

from typing import TextIO

from reviewlint.lint.finding import Location
from reviewlint.run.result import RunResult, escape_control


def position(location: Location) -> str:
    cell = f"cell {location.cell}:" if location.cell is not None else ""
    return f"{location.path}:{cell}{location.line}:{location.column}"


def render(result: RunResult, stream: TextIO) -> None:
    for finding in result.findings:
        stream.write(f"{escape_control(position(finding.location))}: {escape_control(finding.code)} {escape_control(finding.message)}\n")
    for error in result.errors:
        stream.write(f"{escape_control(error.path)}: error: {escape_control(error.message)}\n")
    for skipped in result.skipped:
        stream.write(f"{escape_control(skipped.path)}: {escape_control(skipped.reason)}\n")
