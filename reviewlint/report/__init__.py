"""Output formats, one module each; every reporter writes a :class:`RunResult` to a stream.

A format's module is imported when it is used (a run loads only the one it writes).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import TextIO

from reviewlint.run.result import RunResult

Reporter = Callable[[RunResult, TextIO], None]

# Each format and the module of this package whose ``render`` writes it.
_MODULES = {
    "text": "text",
    "concise": "concise",
    "json": "json_format",
    "sarif": "sarif",
    "github": "github",
    "gitlab": "gitlab",
    "junit": "junit",
}


class _Reporters(Mapping[str, Reporter]):
    """The reporters by format name, each module imported on first use."""

    def __getitem__(self, name: str) -> Reporter:
        module = importlib.import_module(f"{__name__}.{_MODULES[name]}")
        render: Reporter = module.render
        return render

    def __iter__(self) -> Iterator[str]:
        return iter(_MODULES)

    def __len__(self) -> int:
        return len(_MODULES)


REPORTERS: Mapping[str, Reporter] = _Reporters()
