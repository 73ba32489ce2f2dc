"""How a file's path is reported: as text for people, as a URI for SARIF."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

_PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


_RESOLVED: dict[Path, Path] = {}


def resolved(path: Path) -> Path:
    """``path.resolve()``, or the absolute path where it cannot be resolved (a symlink loop).

    Remembered until :func:`forget_resolved`: a path whose folder is already resolved and that is
    not itself a symlink resolves to that folder and its name, with one ``lstat`` instead of one
    per component of the path.
    """
    known = _RESOLVED.get(path)
    if known is not None:
        return known
    try:
        folder = _RESOLVED.get(path.parent)
        if folder is not None and path.name not in ("", "..") and not os.path.islink(path):
            known = folder / path.name
        else:
            known = path.resolve()
    except (OSError, RuntimeError):
        known = Path(os.path.abspath(path))
    _RESOLVED[path] = known
    return known


def forget_resolved() -> None:
    """Forget the resolved paths (a run starts from the file system as it is now)."""
    _RESOLVED.clear()


@lru_cache(maxsize=4)
def _working_directory(cwd: str) -> Path:
    return Path(cwd).resolve()


def _reported(path: Path) -> str:
    """The path relative to the working directory when it lies below it, else as given."""
    try:
        if os.path.islink(path) and not os.path.exists(path):
            return Path(os.path.abspath(path)).relative_to(Path.cwd()).as_posix()
        return resolved(path).relative_to(_working_directory(os.getcwd())).as_posix()
    except (ValueError, OSError, RuntimeError):
        return path.as_posix()


def display_path(path: Path) -> str:
    """The path as reported: relative to the working directory when it lies below it.

    Bytes of a file name that are not UTF-8 are shown as ``\\xe9`` escapes (they could not be
    printed, nor written to JSON), control characters (a newline, an escape sequence) as ``\\n``,
    ``\\x1b``: every output format stays one line a finding. A symlink that leads nowhere (a
    loop, a missing target) is shown by its own name.
    """
    shown = _reported(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _PATH_CONTROL.sub(lambda match: repr(match.group())[1:-1], shown)


def path_uri(path: Path) -> str:
    """The path as a percent-encoded URI reference of its real bytes (SARIF's ``uri``): relative
    to the working directory when it lies below it, ``file://`` and absolute otherwise."""
    reported = _reported(path)
    encoded = quote(os.fsencode(reported), safe="/")
    return "file://" + encoded if reported.startswith("/") else encoded
