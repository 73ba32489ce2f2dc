"""The outcome of one run over many files."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from reviewlint.lint.finding import FileError, Finding, Skipped
from reviewlint.lint.rule_meta import Severity
from reviewlint.source.project import ImportLine

if TYPE_CHECKING:
    from reviewlint.fixing.fixer import FileFix

_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_JSON_RAW_CONTROL = re.compile("[\x7f-\x9f\u2028\u2029]")


@dataclass
class FileResult:
    """What linting one file produced."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    uri: str | None = None  # the file's real name, percent-encoded (SARIF); None where unknown
    # Whole-project analysis: the imports read from the file when they were followed (None when
    # they were not), and each project module they led to with a digest of its bytes. A stored
    # result holds only while the same imports lead to the same modules with the same bytes.
    imports: tuple[ImportLine, ...] | None = None
    depends: tuple[tuple[str, str], ...] = ()


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass
class RunResult:
    """Findings, errors, skipped files and notices of a run, sorted by file and position.

    ``fail_on``: the lowest severity that fails the run; findings below it are reported only.
    """

    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    files_checked: int = 0
    show_internal_errors: bool = False
    fail_on: Severity = Severity.WARNING
    uris: dict[str, str] = field(default_factory=dict)  # reported path -> its real name as a URI
    fixes: list[FileFix] = field(default_factory=list)  # with --fix or --diff: what fixing each file did

    @property
    def failing(self) -> bool:
        """Whether a finding (or a skipped file, which counts as a warning) fails the run."""
        floor = _RANK[self.fail_on]
        return any(_RANK[finding.severity] >= floor for finding in self.findings) or (
            floor <= _RANK[Severity.WARNING] and any(item.fails for item in self.skipped)
        )

    @property
    def exit_code(self) -> int:
        """2: a file could not be read, or a rule failed; 1: findings that fail the run; else 0."""
        if self.errors:
            return 2
        return 1 if self.failing else 0


def dump_json(data: object, stream: TextIO) -> None:
    """JSON in UTF-8 as written, except the characters a terminal or an editor would act on
    (DEL, C1 controls, U+2028/9), which JSON's own escaping leaves raw: written as ``\\u0085``."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    stream.write(_JSON_RAW_CONTROL.sub(lambda match: f"\\u{ord(match.group()):04x}", text) + "\n")


def escape_control(text: str) -> str:
    """Make control characters (terminal escapes among them) visible instead of active."""
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)
