"""Qualified names from a module's own import statements.

libcst's QualifiedNameProvider resolves every scope of every name and costs about ten times
the parse on real code; a linter of training scripts needs much less: the table of what each
imported name stands for, and a walk down ``a.b.c`` attribute chains.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst

from reviewlint.knowledge.modules import STAR_EXPORTS, UNIMPORTED_NAMES, canonical


def dotted(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    # Exact class tests: parsed trees hold libcst's own classes, and isinstance() against
    # libcst's ABC-based node classes is slow where it fails.
    if type(node) is cst.Name:
        return node.value
    parts: list[str] = []
    while type(node) is cst.Attribute:
        parts.append(node.attr.value)
        node = node.value
    if type(node) is cst.Name:
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def _module_name(node: cst.BaseExpression | None) -> str:
    return dotted(node) or "" if node is not None else ""


@dataclass
class ImportTable:
    """Local names bound by imports, and the modules star-imported."""

    bindings: dict[str, str] = field(default_factory=dict)
    star_modules: list[str] = field(default_factory=list)
    # For a project module star-imported (``from library import *``), what its own imports bind
    # (``A`` → ``albumentations`` after ``import albumentations as A`` there): names the star
    # import brings along. Found by the runner, which can read the project's files.
    reexported: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # Every name the module binds anywhere (assignments, defs, parameters, imports); set once the
    # whole module is read, it lets unimported library names resolve (see UNIMPORTED_NAMES).
    bound: frozenset[str] | None = None

    def add(self, node: cst.Import | cst.ImportFrom) -> None:
        """Record what an import statement binds."""
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = _module_name(alias.name)
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self.bindings[alias.asname.name.value] = full
                else:
                    head = full.split(".", 1)[0]
                    self.bindings.setdefault(head, head)
            return
        if node.relative:
            return
        module = _module_name(node.module)
        if isinstance(node.names, cst.ImportStar):
            self.star_modules.append(module)
            return
        for alias in node.names:
            name = _module_name(alias.name)
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self.bindings[local] = f"{module}.{name}"

    @property
    def packages(self) -> frozenset[str]:
        """The top-level packages the module imports from (``torch`` for ``import torch.nn as nn``),
        also through a star import of a project module that imports them."""
        targets = [*self.bindings.values()]
        for module in self.star_modules:
            targets.extend(self.reexported.get(module, {}).values())
        return frozenset(target.split(".", 1)[0] for target in targets)

    def resolve_dotted(self, name: str) -> str | None:
        """The canonical qualified name of a dotted local name, or None if not imported."""
        head, _, rest = name.partition(".")
        target = self.bindings.get(head)
        if target is None:
            target = self._from_star(head) or self._unimported(head)
            if target is None:
                return None
        return canonical(f"{target}.{rest}" if rest else target)

    def resolve(self, node: cst.BaseExpression) -> str | None:
        """The canonical qualified name of an expression, or None if it is not an imported name."""
        name = dotted(node)
        return self.resolve_dotted(name) if name is not None else None

    def _unimported(self, name: str) -> str | None:
        """A library name used without an import, when nothing else in the module can bind it."""
        if self.bound is None or name in self.bound or name not in UNIMPORTED_NAMES:
            return None
        if self._unknown_star_import():
            return None  # ``from model import *`` may bind it
        return UNIMPORTED_NAMES[name]

    def _unknown_star_import(self) -> bool:
        """Whether a star import brings names the linter does not know (``from utils import *``)."""
        return any(canonical(module) not in STAR_EXPORTS for module in self.star_modules)

    def from_unknown_star(self, name: str) -> bool:
        """Whether ``name``, bound nowhere in the module and by no import, can only come from a star
        import of a module whose names are not known (one of the project's own)."""
        if self.bound is None or name in self.bound or self.resolve_dotted(name) is not None:
            return False
        return self._unknown_star_import()

    def _from_star(self, name: str) -> str | None:
        for module in reversed(self.star_modules):  # the last star import binds a name twice imported
            reexported = self.reexported.get(module)
            if reexported is not None and name in reexported:
                return reexported[name]
        for module in reversed(self.star_modules):  # the last star import that exports it binds it
            exported = STAR_EXPORTS.get(canonical(module))
            if exported is not None and re.fullmatch(exported, name):
                return f"{module}.{name}"
        return None
