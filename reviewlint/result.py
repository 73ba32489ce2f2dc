"""The outcome of one run over many files."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reviewlint.finding import FileError, Finding

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass
class RunResult:
    """Findings, errors and notices of a run, sorted by file and position."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    files_checked: int = 0
    show_internal_errors: bool = False

    @property
    def exit_code(self) -> int:
        if self.errors:
            return 2
        return 1 if self.findings else 0


def escape_control(text: str) -> str:
    """Make control characters (terminal escapes among them) visible instead of active."""
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)
