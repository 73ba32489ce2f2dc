"""Findings and file errors as reporters see them: plain, positioned, picklable data."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from reviewlint.rule import Severity


@dataclass(frozen=True, order=True)
class Location:
    """Where a finding is: 1-based lines and columns; within the cell for notebooks."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    cell: int | None = None
    end_cell: int | None = None


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

    def sort_key(self) -> tuple[str, int, int, int, str]:
        loc = self.location
        return (loc.path, loc.cell or 0, loc.line, loc.column, self.code)

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


@dataclass(frozen=True)
class FileError:
    """A file that could not be linted (or a rule that failed on it), with a one-line reason."""

    path: str
    message: str
    code: str | None = None
    trace: str | None = None
