"""Finds the rule modules (``rules/``, installed as ``reviewlint_rules``) and checks their shape."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import re
from functools import cache
from types import ModuleType
from typing import cast, get_args

from reviewlint.analysis.syntax_hooks import SyntaxHooks
from reviewlint.fixing.edits import FIX_KINDS
from reviewlint.lint.rule import REQUIRED_SECTIONS, Invalid, Needs, NoOptions, RuleInfo, Severity, Valid
from reviewlint.lint.rule_meta import RULES_PACKAGE

_CODE = re.compile(r"^RL\d{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class RuleDefinitionError(Exception):
    """A rule module that does not follow the conventions in :mod:`reviewlint.lint.rule`."""


def load_rule(module: ModuleType) -> RuleInfo:
    """Read and validate one rule module."""
    where = module.__name__
    code = getattr(module, "CODE", None)
    name = getattr(module, "NAME", None)
    if not isinstance(code, str) or not _CODE.match(code):
        raise RuleDefinitionError(f"{where}: CODE must look like RL101")
    if not isinstance(name, str) or not _NAME.match(name):
        raise RuleDefinitionError(f"{where}: NAME must be kebab-case")
    doc = module.__doc__ or ""
    missing = [section for section in REQUIRED_SECTIONS if f"## {section}" not in doc]
    if missing:
        raise RuleDefinitionError(f"{where}: docstring lacks section(s) {', '.join(missing)}")
    severity = getattr(module, "SEVERITY", Severity.WARNING)
    options = getattr(module, "Options", NoOptions)
    if not (isinstance(options, type) and dataclasses.is_dataclass(options) and options.__dataclass_params__.frozen):  # type: ignore[attr-defined]  # a dataclass has it
        raise RuleDefinitionError(f"{where}: Options must be a frozen dataclass")
    for item in dataclasses.fields(options):
        if item.default is dataclasses.MISSING or not item.metadata.get("help"):
            raise RuleDefinitionError(f"{where}: option {item.name} needs a default and a help text (reviewlint.api.option)")
    valid = tuple(item if isinstance(item, Valid) else Valid(item) for item in getattr(module, "VALID", ()))
    invalid = tuple(item if isinstance(item, Invalid) else Invalid(item) for item in getattr(module, "INVALID", ()))
    if not valid or not invalid:
        raise RuleDefinitionError(f"{where}: VALID and INVALID examples are required")
    needs = getattr(module, "NEEDS", "facts")
    if needs not in get_args(Needs):
        raise RuleDefinitionError(f"{where}: NEEDS must be 'facts' or 'comments'")
    fix = getattr(module, "FIX", None)
    if fix is not None and fix not in FIX_KINDS:
        raise RuleDefinitionError(f"{where}: FIX must be one of {', '.join(FIX_KINDS)}")
    syntax = getattr(module, "SYNTAX", None)
    if syntax is not None and not (isinstance(syntax, type) and issubclass(syntax, SyntaxHooks)):
        raise RuleDefinitionError(f"{where}: SYNTAX must be a reviewlint.api.SyntaxHooks subclass")
    if syntax is not None and needs != "facts":
        raise RuleDefinitionError(f"{where}: a rule with SYNTAX hooks needs the parse (NEEDS = 'facts')")
    return RuleInfo(
        code=code,
        name=name,
        severity=Severity(severity),
        summary=getattr(module, "SUMMARY", doc.strip().splitlines()[0] if doc.strip() else name),
        doc=doc,
        check=module.check,
        options=options,
        needs=cast(Needs, needs),
        triggers=tuple(getattr(module, "TRIGGERS", ())),
        import_triggers=tuple(getattr(module, "IMPORT_TRIGGERS", ())),
        valid=valid,
        invalid=invalid,
        module=module,
        fix=fix,
        syntax=syntax,
    )


@cache
def all_rules() -> tuple[RuleInfo, ...]:
    """Every rule, sorted by code."""
    package = importlib.import_module(RULES_PACKAGE)
    rules = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        rules.append(load_rule(importlib.import_module(f"{RULES_PACKAGE}.{info.name}")))
    codes = [rule.code for rule in rules]
    duplicates = {code for code in codes if codes.count(code) > 1}
    if duplicates:
        raise RuleDefinitionError(f"duplicate rule codes: {', '.join(sorted(duplicates))}")
    return tuple(sorted(rules, key=lambda rule: rule.code))


def find_rule(key: str) -> RuleInfo | None:
    """A rule by code (case-insensitive) or name."""
    for rule in all_rules():
        if rule.code == key.upper() or rule.name == key:
            return rule
    return None
