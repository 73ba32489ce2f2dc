"""Output formats, one module each; every reporter writes a :class:`RunResult` to a stream."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from reviewlint.report import concise, github, gitlab, json_format, junit, sarif, text
from reviewlint.run.result import RunResult

Reporter = Callable[[RunResult, TextIO], None]

REPORTERS: dict[str, Reporter] = {
    "text": text.render,
    "concise": concise.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "github": github.render,
    "gitlab": gitlab.render,
    "junit": junit.render,
}
