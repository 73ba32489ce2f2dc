"""The version of a library a project declares it runs with, read from its dependency files.

A pin in ``requirements*.txt``, ``pyproject.toml`` (``dependencies``), ``setup.cfg``
(``install_requires``) or ``environment.yml`` (pip or conda) in the project's root folder:
``albumentations==1.3.1``, ``albumentations~=1.3.0`` or conda's ``albumentations=1.3.1``. Ranges
(``>=1.3``) and unpinned names say nothing about the version in use and are ignored; so is a file
over 1 MiB. The first pin found wins, files in the order above.
"""

from __future__ import annotations

from pathlib import Path

from reviewlint.source.atomic import read_small
from reviewlint.source.pins import parse_version, pin_pattern

_LIMIT = 1024 * 1024
_FILES = ("requirements*.txt", "pyproject.toml", "setup.cfg", "environment.yml", "environment.yaml")


def declared_version(root: Path, package: str) -> tuple[int, ...] | None:
    """The version of ``package`` pinned in the project's dependency files, or None."""
    pin = pin_pattern(package)
    for pattern in _FILES:
        try:
            candidates = sorted(root.glob(pattern))
        except OSError:
            continue
        for path in candidates:
            data = read_small(path, _LIMIT)
            match = pin.search(data.decode("utf-8", "replace")) if data is not None else None
            if match is not None:
                return parse_version(match.group(1))
    return None
