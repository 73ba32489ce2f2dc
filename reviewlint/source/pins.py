"""Version pins as people write them: ``albumentations==1.3.1`` in a dependency file, or in a
notebook's ``!pip install albumentations==1.3.1`` line."""

from __future__ import annotations

import re
from collections.abc import Iterable


def parse_version(text: str) -> tuple[int, ...] | None:
    """``"1.3.1"`` -> ``(1, 3, 1)``, ``"2.0"`` -> ``(2, 0, 0)`` (three parts at least, so versions
    compare as releases do); None for anything that is not dotted numbers."""
    parts = text.strip().split(".")
    if not parts or not all(part.isdigit() for part in parts):
        return None
    numbers = tuple(int(part) for part in parts)
    return numbers + (0,) * (3 - len(numbers))


def pin_pattern(package: str) -> re.Pattern[str]:
    """A pin of ``package`` to one version (``==``, ``~=``, ``===`` or conda's ``=``); group 1 is the version.
    Ranges (``>=1.3``) and unpinned names say nothing about the version in use."""
    return re.compile(
        rf"""(?i)(?<![\w.-]){re.escape(package)}(?![\w.-])\s*(?:\[[^\]]*\]\s*)?(?:==|~=|===|=(?!=))\s*([0-9]+(?:\.[0-9]+)*)"""
    )


def table_pin_pattern(package: str) -> re.Pattern[str]:
    """A pin of ``package`` in a TOML dependency table (Poetry's ``[tool.poetry.dependencies]``,
    a Pipfile's ``[packages]``): ``package = "^0.4.6"``, ``"~0.4.6"``, ``"0.4.6"``, ``"==0.4.6"``,
    or ``{version = "^0.4.6", …}``; group 1 is the version. A caret or tilde requirement fixes the
    release line its lower bound opens (``^0.4.6``: 0.4.x), as ``~=`` does; ranges and ``"*"`` do not."""
    return re.compile(
        rf"""(?im)^[ \t]*["']?{re.escape(package)}["']?[ \t]*=[ \t]*(?:\{{[^}}\n]*?\bversion[ \t]*=[ \t]*)?"""
        r"""["'][ \t]*(?:\^|~=?|===?)?[ \t]*([0-9]+(?:\.[0-9]+)*)(?:\.\*)?[ \t]*["']"""
    )


_PIP_INSTALL = re.compile(r"^\s*(?:!|%)?\s*(?:python3?\s+-m\s+)?pip3?\s+install\b", re.IGNORECASE)


def pip_installed_version(lines: Iterable[str], package: str) -> tuple[int, ...] | None:
    """The version of ``package`` the last ``pip install`` line among ``lines`` pins, or None."""
    pin = pin_pattern(package)
    found = None
    for line in lines:
        if _PIP_INSTALL.match(line):
            match = pin.search(line)
            if match is not None:
                found = parse_version(match.group(1))
    return found
