"""What a rule module provides, and what it gets to work with.

A rule is a module in ``rules/`` (installed as ``reviewlint_rules``) with:

- ``CODE`` (``RL101``), ``NAME`` (kebab-case), ``SEVERITY``, ``SUMMARY`` (one line);
- a docstring with the sections *What it does*, *Why it matters*, *Example*, *Use instead*;
- ``VALID`` and ``INVALID`` examples, which the test suite runs through the same path as the CLI;
- ``check(ctx) -> Iterable[Report]``;
- optionally ``Options``, a frozen dataclass of per-rule settings whose fields are made with
  :func:`option` (a default and a help text); configuration is validated against it and the rule
  reads ``ctx.options`` as an instance of it, typed; ``NEEDS`` (``"facts"``, the default,
  or ``"comments"`` for rules that read comments only and need no parse), and ``TRIGGERS``
  (strings, or compiled patterns, without which the rule cannot fire: a file containing none of
  them is neither parsed nor checked by it);
- optionally ``FIX`` (``"safe"``, ``"unsafe"`` or ``"mixed"``) when its reports carry a
  :class:`reviewlint.fixing.edits.Fix`; then its fixable INVALID examples give the code after the fix in
  ``Invalid(..., fixed=...)`` (see :mod:`reviewlint.fixing.edits`).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any, Generic, TypeVar

import libcst as cst

from reviewlint.analysis.extract import extract
from reviewlint.analysis.facts import Facts
from reviewlint.analysis.imported import ImportedFacts, ImportedModule, calls_into, imported_facts
from reviewlint.analysis.semantic import ExternalCall, SemanticModel
from reviewlint.analysis.syntax_hooks import SyntaxHooks, batched
from reviewlint.analysis.walk import walk
from reviewlint.fixing.edits import Fix
from reviewlint.lint.rule_meta import (
    FixLevel,
    ImageDomain,
    Needs,
    NoOptions,
    OptionInfo,
    ProjectSettings,
    Severity,
    option,
    option_infos,
)
from reviewlint.source.comments import Comment, scan_comments
from reviewlint.source.comments_fast import scan_comments as fast_scan_comments
from reviewlint.source.files import SourceFile

__all__ = ["FixLevel", "ImageDomain", "Needs", "NoOptions", "OptionInfo", "ProjectSettings", "Severity", "option"]


@dataclass(frozen=True)
class Span:
    """A place in the module text: 1-based lines, 0-based columns (libcst's convention)."""

    line: int
    column: int
    end_line: int
    end_column: int


Anchor = cst.CSTNode | Span


@dataclass(frozen=True)
class Report:
    """What a rule reports: where, what, and what to do about it."""

    at: Anchor
    message: str
    hint: str | None = None
    related: tuple[tuple[Anchor, str], ...] = ()
    fix: Fix | None = None


OptionsT = TypeVar("OptionsT")


@dataclass(frozen=True)
class Invalid:
    """An example a rule must flag: how many findings, and text the first message contains.

    ``range``: where the first finding lands, as reported — (line, column, end line, end column),
    1-based (Fixit's ``Invalid(range=…)``). ``fixed``: the code after every fix of this rule
    (unsafe ones included) has been applied, for rules with ``FIX``; None when the example has no fix.
    """

    code: str
    count: int = 1
    message: str | None = None
    settings: Mapping[str, object] = field(default_factory=dict)
    fixed: str | None = None
    range: tuple[int, int, int, int] | None = None


@dataclass(frozen=True)
class Valid:
    """An example a rule must not flag, optionally under given settings."""

    code: str
    settings: Mapping[str, object] = field(default_factory=dict)


REQUIRED_SECTIONS = ("What it does", "Why it matters", "Example", "Use instead")


@dataclass(frozen=True)
class RuleInfo:
    """A loaded rule module."""

    code: str
    name: str
    severity: Severity
    summary: str
    doc: str
    check: Callable[[RuleContext[Any]], Iterable[Report]]
    options: type  # the rule's ``Options`` dataclass (:class:`NoOptions` when it has none)
    needs: Needs
    triggers: tuple[str | re.Pattern[str], ...]
    valid: tuple[Valid, ...]
    invalid: tuple[Invalid, ...]
    module: ModuleType
    fix: FixLevel | None = None  # see reviewlint.fixing.edits; None: no fixes
    syntax: type[SyntaxHooks] | None = None  # the rule's own syntax hooks (reviewlint.analysis.syntax_hooks)
    # Texts that make the project modules a file imports worth reading for this rule: a file that
    # holds one has its imports followed, and an imported module that holds one is analysed
    # (ctx.imported). Empty: the rule sees the file alone.
    import_triggers: tuple[str | re.Pattern[str], ...] = ()

    @property
    def option_infos(self) -> tuple[OptionInfo, ...]:
        return option_infos(self.options)

    @property
    def path(self) -> Path | None:
        """The rule module's file (None for a rule made in a test)."""
        where = getattr(self.module, "__file__", None)
        return Path(where) if where else None

    def may_fire(self, text: str) -> bool:
        """Cheap text pre-filter: False when the file cannot trigger this rule.

        A trigger is a string the text must contain or a compiled pattern it must match
        (``re.compile(r"^[ \\t]*\\(", re.M)``), for rules whose telltale is not one substring.
        """
        return not self.triggers or _matches(self.triggers, text)

    def follows_imports_of(self, text: str) -> bool:
        """Whether a module with this text is worth following into (or analysing as imported) for this rule."""
        return bool(self.import_triggers) and _matches(self.import_triggers, text)


def _matches(triggers: tuple[str | re.Pattern[str], ...], text: str) -> bool:
    return any(trigger in text if isinstance(trigger, str) else trigger.search(text) is not None for trigger in triggers)


# Imported modules analysed lately, by path, text and the importer's calls that matter to them
# (none, for most): the modules of a package import each other, and each importer would otherwise
# parse the same modules again. Bounded (a parsed module is big).
_IMPORTED_ANALYSES: OrderedDict[tuple[str, str, str], Analysis | None] = OrderedDict()
_IMPORTED_KEPT = 24


def _imported_analysis(source: SourceFile, external_calls: Mapping[str, tuple[ExternalCall, ...]]) -> Analysis | None:
    """The analysis of an imported module, given the calls its importer makes of its functions and
    classes (None when it does not parse or cannot be analysed): the module's own analysis, unless
    building it asked what an importer passes to one of the functions or classes this importer
    calls; then one made for those calls."""
    own = _analysis_once(source, {})
    if own is None or not external_calls:
        return own
    asked = own.facts.model.asked_external
    relevant = {name: calls for name, calls in external_calls.items() if name in asked}
    return _analysis_once(source, relevant) if relevant else own


def _analysis_once(source: SourceFile, external_calls: Mapping[str, tuple[ExternalCall, ...]]) -> Analysis | None:
    key = (str(source.path), source.text, repr(sorted(external_calls.items())))
    if key in _IMPORTED_ANALYSES:
        _IMPORTED_ANALYSES.move_to_end(key)
        return _IMPORTED_ANALYSES[key]
    analysis = Analysis(source, external_calls=external_calls)
    try:
        analysis.facts  # noqa: B018 - parse and extract now: a module that fails is left out
        kept: Analysis | None = analysis
    except Exception:  # noqa: BLE001 - the imported module's own run reports its problem
        kept = None
    _IMPORTED_ANALYSES[key] = kept
    if len(_IMPORTED_ANALYSES) > _IMPORTED_KEPT:
        _IMPORTED_ANALYSES.popitem(last=False)
    return kept


class Analysis:
    """One file's parse, facts and comments, computed at most once and shared by all rules.

    ``syntax`` are the syntax-hook classes of the rules that will run: one instance of each is
    called in the walk that builds the facts (see :mod:`reviewlint.analysis.syntax_hooks`).
    """

    def __init__(self, source: SourceFile, syntax: Iterable[type[SyntaxHooks]] = (),
                 imports: Sequence[tuple[SourceFile, tuple[tuple[str, str], ...]]] = (),
                 reexported: Mapping[str, Mapping[str, str]] | None = None,
                 constants: Mapping[str, object] | None = None,
                 external_calls: Mapping[str, tuple[ExternalCall, ...]] | None = None) -> None:
        self.source = source
        self.hooks: dict[type[SyntaxHooks], SyntaxHooks] = {kind: kind() for kind in syntax}
        # The project modules this one imports that are worth analysing, with how it names what
        # they hold (reviewlint.source.project.ProjectImport.aliases).
        self.imports = tuple(imports)
        # What the imports of the project modules it star-imports bind (reviewlint.source.project.star_reexports).
        self.reexported = reexported
        # The constants of the project modules it imports (reviewlint.source.project_constants).
        self.constants = constants
        # For a module analysed as an import: the calls its importer makes of its functions and classes.
        self.external_calls = external_calls

    @cached_property
    def imported_analyses(self) -> tuple[Analysis | None, ...]:
        """One analysis per imported module (None for one that does not parse or cannot be analysed)."""
        return tuple(_imported_analysis(source, calls_into(self.facts.model, aliases)) for source, aliases in self.imports)

    @cached_property
    def imported(self) -> ImportedFacts:
        """The facts the imported project modules contribute (reviewlint.analysis.imported)."""
        modules = tuple(
            ImportedModule(analysis.facts, aliases) if analysis is not None else None
            for analysis, (_, aliases) in zip(self.imported_analyses, self.imports)
        )
        return imported_facts(modules, self.facts)

    @cached_property
    def module(self) -> cst.Module:
        return cst.parse_module(self.source.text)

    @cached_property
    def facts(self) -> Facts:
        return extract(self.module, tuple(self.hooks.values()), self.reexported, self.constants, self.external_calls)

    @cached_property
    def comments(self) -> list[Comment]:
        if "module" in self.__dict__:
            # libcst parsed the text, so tokenize cannot fail on it: one regex pass finds the same
            # comments at a tenth of the cost (reviewlint.source.comments_fast).
            return fast_scan_comments(self.source.text)
        return scan_comments(self.source.text)


HooksT = TypeVar("HooksT", bound=SyntaxHooks)


class _NoOp(cst.CSTVisitor):
    """The visitor syntax hooks are batched with when they run on their own."""


@dataclass(frozen=True)
class RuleContext(Generic[OptionsT]):
    """What one rule sees of one file: the shared analysis, its own options (an instance of its
    ``Options`` dataclass), and the project's settings."""

    analysis: Analysis
    options: OptionsT
    project: ProjectSettings

    @property
    def source(self) -> SourceFile:
        return self.analysis.source

    @property
    def facts(self) -> Facts:
        """The domain facts: augmentation pipelines, backbones, normalizations, training calls …"""
        return self.analysis.facts

    @property
    def model(self) -> SemanticModel:
        """The semantic model: imports, scopes, bindings, calls, data flow, folded values."""
        return self.analysis.facts.model

    @property
    def imported(self) -> ImportedFacts:
        """Backbones and normalizations of the project modules this file imports, owned by this
        file's names for them; empty unless the rule sets ``IMPORT_TRIGGERS``. A report on one of
        their nodes lands in that module's file (without a fix)."""
        return self.analysis.imported

    def syntax(self, kind: type[HooksT]) -> HooksT:
        """What this rule's syntax hooks (its ``SYNTAX`` class) collected in the walk over the file."""
        self.analysis.facts  # the walk that calls the hooks
        hooks = self.analysis.hooks.get(kind)
        if hooks is None:  # a rule run outside the engine's hook registration (a test's RuleInfo)
            hooks = self.analysis.hooks[kind] = kind()
            walk(self.analysis.module, batched(_NoOp(), (hooks,)))
        if not isinstance(hooks, kind):
            raise TypeError(f"{kind.__name__} hooks expected, found {type(hooks).__name__}")
        return hooks

    @property
    def comments(self) -> list[Comment]:
        return self.analysis.comments
