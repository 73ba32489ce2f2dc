"""Lint and fix one document held in memory (standard input, an editor's buffer) as the file at
its path: the configuration, the notebook handling and the per-file ignores of that path."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reviewlint.lint.finding import Finding, Skipped
from reviewlint.run.config import Settings
from reviewlint.run.loop import file_limit, load, too_large
from reviewlint.run.result import FileResult
from reviewlint.source.paths import display_path

if TYPE_CHECKING:
    from reviewlint.fixing.fixer import FixPass
    from reviewlint.lint.rule import Analysis, Report, RuleInfo


@dataclass
class LintedDocument:
    """A document's findings, each with the report and the analysis it came from (for its fix)."""

    path: Path
    raw: bytes
    result: FileResult
    reports: list[tuple[RuleInfo, Report, Analysis, Finding]] = field(default_factory=list)

    def fix_of(self, finding: Finding) -> tuple[RuleInfo, Report, Analysis] | None:
        """The rule, report and analysis behind a finding that has a fix."""
        for rule, report, analysis, found in self.reports:
            if found == finding and report.fix is not None:
                return rule, report, analysis
        return None


def lint_document(path: Path, raw: bytes, settings: Settings, rules: Sequence[RuleInfo], shown: str | None = None) -> LintedDocument:
    """Lint ``raw`` as the file at ``path`` (which need not exist); never reads the disk for it."""
    from reviewlint.lint.runner import lint_source  # libcst and the rules: only when linting

    shown = shown or display_path(path)
    if len(raw) > file_limit(path, settings):
        return LintedDocument(path, raw, FileResult(shown, skipped=[Skipped(shown, too_large(path, settings))]))
    source = load(path, raw, settings, shown)
    if isinstance(source, FileResult):
        return LintedDocument(path, raw, source)
    linted = LintedDocument(path, raw, FileResult(shown))
    linted.result = lint_source(source, settings, rules, shown, on_report=lambda *item: linted.reports.append(item))
    return linted


def fix_document(linted: LintedDocument, chosen: Callable[[RuleInfo, Report], bool]) -> FixPass:
    """Apply, in one pass, the fixes of the document's findings that ``chosen`` picks."""
    from reviewlint.fixing.fixer import FixPass, apply_fixes

    picked = [(rule.code, report.fix) for rule, report, _, _ in linted.reports if report.fix is not None and chosen(rule, report)]
    if not picked:
        return FixPass()
    return apply_fixes(linted.raw, linted.reports[0][2], picked)
