"""Human-readable output: one block per finding with the code frame and the fix hint.

Colour comes from rich, which writes plain text when the output is not a terminal or when
``NO_COLOR`` is set.
"""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.markup import escape

from reviewlint.finding import Finding
from reviewlint.report.concise import position
from reviewlint.result import RunResult, escape_control

_STYLES = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}


def _frame(console: Console, finding: Finding) -> None:
    loc = finding.location
    width = len(str(loc.line + len(finding.source_lines)))
    for offset, raw in enumerate(finding.source_lines):
        number = loc.line + offset
        line = escape_control(raw.expandtabs(4))
        console.print(f"[dim]{number:>{width}} |[/dim] {escape(line)}", highlight=False, soft_wrap=True)
        if offset == 0 and len(finding.source_lines) == 1:
            start = max(loc.column - 1, 0)
            end = loc.end_column - 1 if loc.end_line == loc.line else len(raw)
            marker = " " * start + "^" * max(1, end - start)
            console.print(f"[dim]{'':>{width}} |[/dim] [{_STYLES[finding.severity.value]}]{marker}[/]", highlight=False)


def render(result: RunResult, stream: TextIO) -> None:
    console = Console(file=stream, highlight=False, soft_wrap=True)
    for finding in result.findings:
        style = _STYLES[finding.severity.value]
        console.print(
            f"[bold]{escape(escape_control(position(finding.location)))}[/bold]: "
            f"[{style}]{finding.code}[/] [dim]{finding.name}[/dim] {escape(escape_control(finding.message))}",
            highlight=False,
        )
        _frame(console, finding)
        if finding.hint:
            console.print(f"  [green]help:[/green] {escape(escape_control(finding.hint))}", highlight=False)
        for related in finding.related:
            console.print(
                f"  [blue]note:[/blue] {escape(escape_control(position(related.location)))}: "
                f"{escape(escape_control(related.message))}",
                highlight=False,
            )
        console.print()
    for error in result.errors:
        console.print(f"[bold red]error[/]: {escape(escape_control(error.path))}: {escape(escape_control(error.message))}")
        if error.trace and result.show_internal_errors:
            console.print(escape(error.trace))
    for notice in result.notices:
        console.print(f"[dim]{escape(escape_control(notice))}[/dim]")
    counts = f"{len(result.findings)} finding{'s' if len(result.findings) != 1 else ''}"
    errors = f", {len(result.errors)} error{'s' if len(result.errors) != 1 else ''}" if result.errors else ""
    console.print(f"{counts}{errors} in {result.files_checked} file{'s' if result.files_checked != 1 else ''}.")
