"""JUnit XML (what CI systems show as test results): one ``<testsuite>`` a file, one failing
``<testcase>`` a finding (named by rule code, with the position and message), one erroring
testcase a file that could not be read; a file without findings is one passing testcase."""

from __future__ import annotations

from typing import TextIO
from xml.etree import ElementTree

from reviewlint.run.result import RunResult, escape_control


def _text(value: str) -> str:
    """Text XML 1.0 can hold: control characters shown as escapes."""
    return escape_control(value)


def render(result: RunResult, stream: TextIO) -> None:
    by_file: dict[str, list[ElementTree.Element]] = {}
    failures: dict[str, int] = {}
    errors: dict[str, int] = {}
    for finding in result.findings:
        where = finding.location
        cell = f"cell {where.cell}, " if where.cell is not None else ""
        case = ElementTree.Element("testcase", {
            "name": f"{finding.code} {finding.name}", "classname": _text(where.path),
            "file": _text(where.path), "line": str(where.line),
        })
        failure = ElementTree.SubElement(case, "failure", {"message": _text(finding.message), "type": finding.code})
        failure.text = _text(f"{cell}line {where.line}, column {where.column}: {finding.message}")
        by_file.setdefault(where.path, []).append(case)
        failures[where.path] = failures.get(where.path, 0) + 1
    for error in result.errors:
        case = ElementTree.Element("testcase", {"name": "reviewlint", "classname": _text(error.path), "file": _text(error.path)})
        ElementTree.SubElement(case, "error", {"message": _text(error.message)}).text = _text(error.message)
        by_file.setdefault(error.path, []).append(case)
        errors[error.path] = errors.get(error.path, 0) + 1
    root = ElementTree.Element("testsuites", {"name": "reviewlint"})
    for path, cases in by_file.items():
        suite = ElementTree.SubElement(root, "testsuite", {
            "name": _text(path), "tests": str(len(cases)),
            "failures": str(failures.get(path, 0)), "errors": str(errors.get(path, 0)),
        })
        suite.extend(cases)
    passing = max(0, result.files_checked - len({f.location.path for f in result.findings}))
    if passing or not by_file:
        suite = ElementTree.SubElement(root, "testsuite", {"name": "files without findings", "tests": str(max(passing, 1)), "failures": "0", "errors": "0"})
        ElementTree.SubElement(suite, "testcase", {"name": f"{passing} file{'s' if passing != 1 else ''} checked without findings", "classname": "reviewlint"})
    total = sum(len(cases) for cases in by_file.values()) + (1 if passing or not by_file else 0)
    root.set("tests", str(total))
    root.set("failures", str(sum(failures.values())))
    root.set("errors", str(sum(errors.values())))
    ElementTree.indent(root)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n")
