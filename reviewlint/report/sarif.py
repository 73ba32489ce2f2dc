"""SARIF 2.1.0 for code scanning: rule metadata with help text, stable partial fingerprints.

Notebook findings carry the cell in ``properties.cell``; their region lines count within the
cell. RL201's backbone (and other related places) are ``relatedLocations``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import TextIO
from urllib.parse import quote

from reviewlint import __version__
from reviewlint.lint.finding import Location, fingerprints
from reviewlint.lint.rule_meta import rule_index
from reviewlint.run.result import RunResult, dump_json

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _artifact(path: str, uris: Mapping[str, str]) -> dict[str, str]:
    """A path as a SARIF artifact location: a percent-encoded URI of the file's real name,
    relative to the source root (the working directory) unless the file lies outside it."""
    uri = uris.get(path)
    if uri is None:
        uri = "file://" + quote(path, safe="/") if PurePosixPath(path).is_absolute() else quote(path, safe="/")
    if uri.startswith("file://"):
        return {"uri": uri}
    return {"uri": uri, "uriBaseId": "%SRCROOT%"}


def _physical(location: Location, uris: Mapping[str, str]) -> dict[str, object]:
    return {
        "artifactLocation": _artifact(location.path, uris),
        "region": {
            "startLine": location.line,
            "startColumn": location.column,
            "endLine": location.end_line,
            "endColumn": location.end_column,
        },
    }


def render(result: RunResult, stream: TextIO) -> None:
    rules = rule_index()
    index = {rule.code: position for position, rule in enumerate(rules)}
    results = []
    prints = fingerprints(result.findings)
    for finding, print_ in zip(result.findings, prints):
        entry: dict[str, object] = {
            "ruleId": finding.code,
            "level": _LEVELS[finding.severity.value],
            "message": {"text": finding.message + (f" ({finding.hint})" if finding.hint else "")},
            "locations": [{"physicalLocation": _physical(finding.location, result.uris)}],
            "partialFingerprints": {"reviewlint/v1": print_},
        }
        if finding.code in index:
            entry["ruleIndex"] = index[finding.code]
        if finding.location.cell is not None:
            entry["properties"] = {"cell": finding.location.cell}
        if finding.related:
            entry["relatedLocations"] = [
                {"id": number, "physicalLocation": _physical(related.location, result.uris), "message": {"text": related.message}}
                for number, related in enumerate(finding.related, start=1)
            ]
        results.append(entry)
    notifications = [
        {"level": "error", "message": {"text": error.message},
         "locations": [{"physicalLocation": {"artifactLocation": _artifact(error.path, result.uris)}}]}
        for error in result.errors
    ] + [
        {"level": "warning" if skipped.fails else "note", "message": {"text": f"{skipped.path}: {skipped.reason}"},
         "locations": [{"physicalLocation": {"artifactLocation": _artifact(skipped.path, result.uris)}}]}
        for skipped in result.skipped
    ]
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "reviewlint",
                        "version": __version__,
                        "informationUri": "https://github.com/reviewlint/reviewlint",
                        "rules": [
                            {
                                "id": rule.code,
                                "name": rule.name,
                                "shortDescription": {"text": rule.summary},
                                "fullDescription": {"text": rule.summary},
                                "help": {"text": rule.doc.strip(), "markdown": rule.doc.strip()},
                                "defaultConfiguration": {"level": _LEVELS[rule.severity.value]},
                            }
                            for rule in rules
                        ],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "invocations": [{"executionSuccessful": not result.errors, "toolExecutionNotifications": notifications}],
                "results": results,
            }
        ],
    }
    dump_json(log, stream)
