"""Human-readable output: one block per finding with the code frame and the fix hint.

Each line is built once, as spans of text with a rich style. On a terminal (or with
``FORCE_COLOR``) rich prints them in colour; otherwise — a CI log, a pipe, ``NO_COLOR`` — they
are written as plain text directly, which for hundreds of findings is several times faster.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TextIO

from reviewlint.lint.finding import Finding
from reviewlint.report.concise import position
from reviewlint.run.result import RunResult, escape_control

_STYLES = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}

Line = list[tuple[str, str]]  # (text, rich style; "" for none)


FRAME_WIDTH = 120  # a longer source line is shown as a window of this many characters around the finding


def _window(raw: str, start: int, end: int) -> tuple[str, int, int]:
    """A long line cut to :data:`FRAME_WIDTH` characters around ``start``, and the caret's new span
    (empty where the finding lies beyond the text kept of the line)."""
    if len(raw) <= FRAME_WIDTH and end <= FRAME_WIDTH:
        return raw, start, end
    if start >= len(raw):
        return ("…" if len(raw) > FRAME_WIDTH else "") + raw[-FRAME_WIDTH:] + "…", 0, 0
    first = max(0, min(start - FRAME_WIDTH // 3, len(raw) - FRAME_WIDTH))
    shown = raw[first : first + FRAME_WIDTH]
    prefix = "…" if first else ""
    suffix = "…" if first + FRAME_WIDTH < len(raw) else ""
    offset = len(prefix) - first
    return prefix + shown + suffix, start + offset, min(end, first + FRAME_WIDTH) + offset


def _frame(finding: Finding) -> Iterator[Line]:
    loc = finding.location
    width = len(str(loc.line + len(finding.source_lines)))
    single = len(finding.source_lines) == 1
    for offset, raw in enumerate(finding.source_lines):
        start = max(loc.column - 1, 0) if offset == 0 else 0
        end = loc.end_column - 1 if single and loc.end_line == loc.line else max(len(raw), start + 1)
        line, start, end = _window(raw.expandtabs(4) if "\t" in raw else raw, start, end)
        yield [(f"{loc.line + offset:>{width}} |", "dim"), (" " + escape_control(line), "")]
        if offset == 0 and single and end > start:
            yield [(f"{'':>{width}} |", "dim"), (" ", ""), (" " * start + "^" * max(1, end - start), _STYLES[finding.severity.value])]


def _lines(result: RunResult) -> Iterator[Line]:
    for finding in result.findings:
        yield [
            (escape_control(position(finding.location)), "bold"), (": ", ""),
            (escape_control(finding.code), _STYLES[finding.severity.value]), (" ", ""), (escape_control(finding.name), "dim"),
            (" " + escape_control(finding.message), ""),
        ]
        yield from _frame(finding)
        if finding.hint:
            yield [("  ", ""), ("help:", "green"), (" " + escape_control(finding.hint), "")]
        for related in finding.related:
            yield [("  ", ""), ("note:", "blue"),
                   (f" {escape_control(position(related.location))}: {escape_control(related.message)}", "")]
        yield []
    for error in result.errors:
        yield [("error", "bold red"), (f": {escape_control(error.path)}: {escape_control(error.message)}", "")]
        if error.trace and result.show_internal_errors:
            yield [(error.trace.rstrip("\n"), "")]
    for skipped in result.skipped:
        yield [("skipped" if skipped.fails else "note", "bold yellow" if skipped.fails else "dim"),
               (f": {escape_control(skipped.path)}: {escape_control(skipped.reason)}", "")]
    for notice in result.notices:
        yield [(escape_control(notice), "dim")]
    counts = f"{len(result.findings)} finding{'s' if len(result.findings) != 1 else ''}"
    errors = f", {len(result.errors)} error{'s' if len(result.errors) != 1 else ''}" if result.errors else ""
    skips = f" ({len(result.skipped)} skipped)" if result.skipped else ""
    yield [(f"{counts}{errors} in {result.files_checked} file{'s' if result.files_checked != 1 else ''}{skips}.", "")]


def _may_colour(stream: TextIO) -> bool:
    """False where rich certainly would not colour (no terminal, no FORCE_COLOR): rich is then not
    imported at all; otherwise rich decides."""
    if os.environ.get("FORCE_COLOR") is not None or os.environ.get("TTY_COMPATIBLE") is not None:
        return True
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def render(result: RunResult, stream: TextIO) -> None:
    if _may_colour(stream):
        from rich.console import Console
        from rich.text import Text

        console = Console(file=stream, highlight=False, soft_wrap=True)
        if console.is_terminal and not console.no_color:
            for line in _lines(result):
                console.print(Text.assemble(*line), highlight=False)
            return
    for line in _lines(result):  # line by line: a report of 9,000 findings is never one string
        stream.write("".join(text for text, _ in line) + "\n")
