"""What is known of the rules without importing them: the light half of the rule contract.

A run whose every file comes from the cache needs each rule's code, name, severity, fix level and
options (to validate configuration and key the cache) and its documentation (for SARIF), but not
its code — and importing the rules imports libcst, most of a warm run's time. So
:func:`rule_index` reads each rule module's source with :mod:`ast` (its docstring, ``CODE``,
``NAME``, ``SEVERITY``, ``SUMMARY``, ``FIX``, ``NEEDS`` and its ``Options`` dataclass), and
:mod:`reviewlint.lint.registry` imports the modules only when a file must be linted. A test checks that
both give the same description of every rule.

The types a rule module's constants use live here too (:class:`Severity`, the ``Literal`` types,
:func:`option`), since they describe a rule without running it.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import re
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Literal, Protocol, TypeVar

RULES_PACKAGE = "reviewlint_rules"
T = TypeVar("T")
FixLevel = Literal["safe", "unsafe", "mixed"]
ImageDomain = Literal["auto", "natural", "overhead", "microscopy", "medical"]
Needs = Literal["facts", "comments"]


class Severity(str, Enum):
    """How serious a finding is."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


def option(default: T, help: str) -> T:
    """A field of a rule's ``Options`` dataclass: its default and what it means."""
    found: T = field(default=default, metadata={"help": help})
    return found


@dataclass(frozen=True)
class NoOptions:
    """The options of a rule that has none."""


@dataclass(frozen=True)
class OptionInfo:
    """One option of a rule, as configuration and ``reviewlint explain`` see it."""

    name: str
    default: object
    help: str


def option_infos(options: type) -> tuple[OptionInfo, ...]:
    """The options an ``Options`` dataclass declares."""
    return tuple(OptionInfo(item.name, item.default, str(item.metadata.get("help", "")))
                 for item in dataclasses.fields(options))


@dataclass(frozen=True)
class ProjectSettings:
    """What a rule may know of the project beyond its own options."""

    image_domain: ImageDomain = "auto"
    # The albumentations version the project declares (configuration or a pinned dependency).
    albumentations_version: tuple[int, ...] | None = None
    # A strong image-domain word in the project's README: (word, domain, README's name).
    readme_domain: tuple[str, str, str] | None = None


class DescribedRule(Protocol):
    """What configuration, the cache and the reports need of a rule (a loaded rule or its description)."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def severity(self) -> Severity: ...

    @property
    def summary(self) -> str: ...

    @property
    def doc(self) -> str: ...

    @property
    def option_infos(self) -> tuple[OptionInfo, ...]: ...

    @property
    def path(self) -> Path | None: ...


@dataclass(frozen=True)
class RuleMeta:
    """A rule as its module's source describes it."""

    code: str
    name: str
    severity: Severity
    summary: str
    doc: str
    fix: FixLevel | None
    needs: Needs
    option_infos: tuple[OptionInfo, ...]
    path: Path | None


def _constants(tree: ast.Module) -> dict[str, ast.expr]:
    found: dict[str, ast.expr] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
            found[statement.targets[0].id] = statement.value
    return found


def _options(tree: ast.Module) -> tuple[OptionInfo, ...]:
    for statement in tree.body:
        if isinstance(statement, ast.ClassDef) and statement.name == "Options":
            infos = []
            for item in statement.body:
                if (isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) and isinstance(item.value, ast.Call)
                        and len(item.value.args) == 2):
                    infos.append(OptionInfo(item.target.id, ast.literal_eval(item.value.args[0]),
                                            str(ast.literal_eval(item.value.args[1]))))
            return tuple(infos)
    return ()


# The first top-level function: a rule's description (docstring, constants, ``Options``) comes
# before its code and its examples, so only the text above it is parsed.
_FIRST_FUNCTION = re.compile(r"^(?:async\s+)?def\s", re.MULTILINE)


def describe(path: Path) -> RuleMeta:
    """A rule module's description, from its source (``ValueError`` if it holds no rule).

    Read from the text before the module's first top-level function (a test checks that every
    rule's description matches the loaded module), so that a cached run parses little.
    """
    text = path.read_text(encoding="utf-8")
    first = _FIRST_FUNCTION.search(text)
    try:
        tree = ast.parse(text[: first.start()] if first else text)
    except SyntaxError:
        tree = ast.parse(text)
    doc = ast.get_docstring(tree, clean=False) or ""
    constants = _constants(tree)
    if "CODE" not in constants or "NAME" not in constants:
        raise ValueError(f"{path}: not a rule module")
    severity = constants.get("SEVERITY")
    level = Severity[severity.attr] if isinstance(severity, ast.Attribute) else Severity.WARNING
    summary = (str(ast.literal_eval(constants["SUMMARY"])) if "SUMMARY" in constants
               else doc.strip().splitlines()[0] if doc.strip() else "")
    fix = ast.literal_eval(constants["FIX"]) if "FIX" in constants else None
    needs: Needs = ast.literal_eval(constants["NEEDS"]) if "NEEDS" in constants else "facts"
    return RuleMeta(str(ast.literal_eval(constants["CODE"])), str(ast.literal_eval(constants["NAME"])), level,
                    summary or str(ast.literal_eval(constants["NAME"])), doc, fix, needs, _options(tree), path)


def rules_folder() -> Path:
    """Where the rule modules are, found without importing them."""
    spec = importlib.util.find_spec(RULES_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"the rules package {RULES_PACKAGE} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def rule_index() -> tuple[RuleMeta, ...]:
    """Every rule, described from its source, sorted by code."""
    folder = rules_folder()
    found = [describe(path) for path in sorted(folder.glob("*.py")) if not path.name.startswith("_")]
    return tuple(sorted(found, key=lambda meta: meta.code))
