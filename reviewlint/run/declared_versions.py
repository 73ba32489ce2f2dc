"""What a project declares about itself: the version of a library it runs with, read from its
dependency files, and the image domain its README names.

A pin in ``requirements*.txt``, ``pyproject.toml`` (``dependencies``, or Poetry's
``[tool.poetry.dependencies]``), a ``Pipfile``, ``setup.cfg`` (``install_requires``) or a conda
environment file (``environment.yml``, ``env.yml``, ``conda.yml``; pip or conda entries) in the
project's root folder: ``albumentations==1.3.1``, ``albumentations~=1.3.0``, conda's
``albumentations=1.3.1``, or in a TOML table ``albumentations = "^0.4.6"`` (a caret or tilde
requirement fixes its lower bound's release line, as ``~=`` does). Ranges (``>=1.3``) and unpinned
names say nothing about the version in use and are ignored; so is a file
over 1 MiB. A file that starts with a UTF-16 byte-order mark is read as UTF-16. The first pin found wins, files in the order above.
"""

from __future__ import annotations

from pathlib import Path

from reviewlint.knowledge.domains import inferred_domains, one_kind
from reviewlint.source.atomic import read_small
from reviewlint.source.pins import parse_version, pin_pattern, table_pin_pattern

_LIMIT = 1024 * 1024
# conda's environment file under its usual names (``conda env create -f env.yml`` takes any name).
_FILES = ("requirements*.txt", "pyproject.toml", "Pipfile", "setup.cfg", "environment.yml", "environment.yaml", "env.yml", "env.yaml",
          "conda.yml", "conda.yaml")

# The files whose dependency tables are TOML (``name = "^1.3"``).
_TOML_FILES = frozenset({"pyproject.toml", "Pipfile"})


def declared_version(root: Path, package: str) -> tuple[int, ...] | None:
    """The version of ``package`` pinned in the project's dependency files, or None."""
    pin, table_pin = pin_pattern(package), table_pin_pattern(package)
    for pattern in _FILES:
        try:
            candidates = sorted(root.glob(pattern))
        except OSError:
            continue
        for path in candidates:
            data = read_small(path, _LIMIT)
            if data is None:
                continue
            text = _text(data)
            match = pin.search(text) or (table_pin.search(text) if path.name in _TOML_FILES else None)
            if match is not None:
                return parse_version(match.group(1))
    return None


def _text(data: bytes) -> str:
    """A dependency file's text: UTF-16 when it starts with a byte-order mark (``pip freeze >
    requirements.txt`` in Windows PowerShell writes UTF-16), else UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    return data.decode("utf-8-sig", "replace")


_READMES = ("README.md", "README.rst", "README.txt", "README", "readme.md", "Readme.md")


def readme_domain(root: Path) -> tuple[str, str, str] | None:
    """A strong image-domain word in the project's README (``fundus`` in an APTOS project), the
    domain it implies and the README's name; None when it names none, or several domains that are
    not one kind of image (reviewlint.knowledge.domains)."""
    for name in _READMES:
        data = read_small(root / name, _LIMIT)
        if data is not None:
            found = inferred_domains(data.decode("utf-8", "replace"))
            # Only a README that names one domain: one that lists several (a survey, a monorepo,
            # a tool's documentation) says nothing about the images of a given file.
            return (found[0][0], found[0][1], name) if found and one_kind([domain for _, domain in found]) else None
    return None
