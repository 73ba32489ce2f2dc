"""Fixes as rules declare them: libcst edits of the analysed module, and helpers to build them.

A rule module that can fix what it reports declares ``FIX = "safe"``, ``"unsafe"`` or
``"mixed"`` and attaches a :class:`Fix` to its :class:`~reviewlint.lint.rule.Report`::

    yield Report(arg, message, fix=Fix("set scale_limit=0", [replace(arg.value, cst.Integer("0"))]))

A fix is a list of :class:`Edit` — replace a node of ``ctx.model.module`` by a new node, remove
it, or delete the own-line comments in a span of lines — and the imports the new code needs.
Edits must target nodes of the module the rule was given (the fixer finds them by identity).
Building an edit can be deferred: pass a zero-argument callable instead of the list; it is only
called when the fix is applied (``reviewlint check --fix``/``--diff``), so a rule pays nothing
for it on a plain ``check``.

*Safe* fixes keep what the code computes (they change spelling only); *unsafe* fixes change
what it computes — a different augmentation, preprocessing, prediction order, deleted code —
and are applied only with ``--unsafe-fixes``. A fix takes its rule's ``FIX`` unless it says
``safe=`` itself (which a ``"mixed"`` rule must do); a fix of an ``"unsafe"`` rule is never safe.

The fixer (:mod:`reviewlint.fixing.fixer`) applies them: overlapping fixes are never merged — one is
applied and the other is found again on the next pass.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from reviewlint.analysis.semantic import find_arg
from reviewlint.knowledge.modules import canonical

if TYPE_CHECKING:
    from reviewlint.analysis.semantic import SemanticModel

FIX_KINDS = ("safe", "unsafe", "mixed")

# The node to put in place of the target; REMOVE deletes it from its parent's sequence.
REMOVE = cst.RemovalSentinel.REMOVE


@dataclass(frozen=True, eq=False)
class Edit:
    """One change: ``target`` (a node of the analysed module) becomes ``replacement``.

    ``replacement`` is a new node, or :data:`REMOVE` to delete the target from the sequence
    that holds it (an argument, a list element, a statement). A target that is a span of lines
    (``reviewlint.lint.rule.Span``) with ``REMOVE`` deletes the own-line comments and blank lines in it.
    """

    target: object  # cst.CSTNode | reviewlint.lint.rule.Span
    replacement: cst.CSTNode | cst.RemovalSentinel


@dataclass(frozen=True)
class NewImport:
    """``from module import name [as alias]`` (or ``import module`` when name is None)."""

    module: str
    name: str | None = None
    alias: str | None = None

    @property
    def bound(self) -> str:
        """The local name the import binds."""
        if self.name is None:
            return self.alias or self.module.split(".", 1)[0]
        return self.alias or self.name

    @property
    def qualname(self) -> str:
        return self.module if self.name is None else f"{self.module}.{self.name}"

    def code(self) -> str:
        if self.name is None:
            return f"import {self.module}" + (f" as {self.alias}" if self.alias else "")
        return f"from {self.module} import {self.name}" + (f" as {self.alias}" if self.alias else "")


EditList = Sequence[Edit]


@dataclass(frozen=True, eq=False)
class Fix:
    """A fix for one report: what it does (imperative, short), its edits and imports."""

    title: str
    edits: EditList | Callable[[], EditList | None]
    imports: tuple[NewImport, ...] = ()
    safe: bool | None = None  # None: as the rule's FIX says
    _resolved: list[EditList | None] = field(default_factory=list, repr=False, compare=False)

    def resolve(self) -> EditList:
        """The edits (calling the deferred builder once); empty when it found nothing to do."""
        if not self._resolved:
            edits = self.edits() if callable(self.edits) else self.edits
            self._resolved.append(tuple(edits or ()))
        return self._resolved[0] or ()


def applicability(rule_fix: str | None, fix: Fix) -> str:
    """``"safe"`` or ``"unsafe"`` for one fix of a rule that declares ``FIX = rule_fix``."""
    if rule_fix == "unsafe":
        return "unsafe"
    if fix.safe is not None:
        return "safe" if fix.safe else "unsafe"
    return "safe" if rule_fix == "safe" else "unsafe"


# ---------------------------------------------------------------------------------------------
# Helpers for rules
# ---------------------------------------------------------------------------------------------


def replace(node: cst.CSTNode, new: cst.CSTNode) -> Edit:
    return Edit(node, new)


def remove(node: cst.CSTNode) -> Edit:
    return Edit(node, REMOVE)


def delete_lines(span: object) -> Edit:
    """Delete the own-line comments (and blank lines) on the lines of ``span``."""
    return Edit(span, REMOVE)


def expression(code: str) -> cst.BaseExpression:
    return cst.parse_expression(code)


def _separator(args: Sequence[cst.Arg]) -> cst.Comma:
    """The comma (and the whitespace after it) used between the arguments of a call."""
    for arg in reversed(args[:-1]):
        if isinstance(arg.comma, cst.Comma):
            return arg.comma
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def with_args(call: cst.Call, args: Sequence[cst.Arg]) -> cst.Call:
    """``call`` with a new argument list, commas and closing whitespace kept as the call had them."""
    args = list(args)
    old = list(call.args)
    if not args:
        return call.with_changes(args=())
    last_old = old[-1] if old else None
    closing_comma = last_old.comma if last_old is not None else cst.MaybeSentinel.DEFAULT
    closing_space = last_old.whitespace_after_arg if last_old is not None else cst.SimpleWhitespace("")
    separator = _separator(old) if len(old) > 1 else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    fixed: list[cst.Arg] = []
    for position, arg in enumerate(args):
        if position == len(args) - 1:
            fixed.append(arg.with_changes(comma=closing_comma, whitespace_after_arg=closing_space))
        elif arg is last_old or not isinstance(arg.comma, cst.Comma):
            fixed.append(arg.with_changes(comma=separator, whitespace_after_arg=cst.SimpleWhitespace("")))
        else:
            fixed.append(arg)
    return call.with_changes(args=fixed)


def drop_args(call: cst.Call, *drop: cst.Arg) -> cst.Call:
    """``call`` without the given arguments."""
    unwanted = {id(arg) for arg in drop}
    return with_args(call, [arg for arg in call.args if id(arg) not in unwanted])


def keyword_arg(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(
        value=value,
        keyword=cst.Name(name),
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    )


def set_keyword(call: cst.Call, name: str, value: cst.BaseExpression, position: int | None = None) -> cst.Call | None:
    """``call`` with argument ``name`` (or the one at ``position``) set to ``value``, or added.

    None when the argument is absent and the call has ``*args``/``**kwargs`` that may set it.
    """
    existing = find_arg(call, name, position)
    if existing is not None:
        args = [arg.with_changes(value=value) if arg is existing else arg for arg in call.args]
        return call.with_changes(args=args)
    if any(arg.star for arg in call.args):
        return None
    return with_args(call, [*call.args, keyword_arg(name, value)])


def insert_positional(call: cst.Call, value: cst.BaseExpression) -> cst.Call:
    """``call`` with ``value`` as its first argument."""
    new = cst.Arg(value=value)
    if not call.args:
        return call.with_changes(args=(new,))
    return call.with_changes(args=(new.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), *call.args))


def without_parens(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.with_changes(lpar=(), rpar=())


def string_like(example: cst.BaseExpression | None, text: str) -> cst.SimpleString:
    """A string literal for ``text`` in the quote style of ``example`` (double quotes otherwise)."""
    quote = '"'
    if isinstance(example, cst.SimpleString) and example.value[-1:] in ("'", '"'):
        quote = example.value[-1]
    return cst.SimpleString(f"{quote}{text}{quote}")


def name_is_free(model: SemanticModel, text: str, name: str) -> bool:
    """Whether ``name`` is bound nowhere in the module (no import, assignment, def, class, parameter)."""
    if model.bound_anywhere(name):
        return False
    return re.search(rf"\b(class|def)\s+{re.escape(name)}\b|\b{re.escape(name)}\s*=[^=]", text) is None


def rename_callee(model: SemanticModel, text: str, func: cst.BaseExpression, new_qualname: str) -> tuple[list[Edit], tuple[NewImport, ...]] | None:
    """Call another class of the same package: ``A.Flip`` -> ``A.HorizontalFlip``, ``Flip`` -> ``HorizontalFlip``.

    A name imported with ``from albumentations import Flip`` is renamed in the import and at
    every use (so no import of a removed class is left behind); with ``… import Flip as F`` only
    the import changes. A name from a star import is renamed at the call. None when the new
    name is taken by something else.
    """
    _, _, short = new_qualname.rpartition(".")
    if isinstance(func, cst.Attribute):
        return [replace(func.attr, cst.Name(short))], ()
    if not isinstance(func, cst.Name):
        return None
    local = func.value
    existing = model.imports.resolve_dotted(short)
    if existing is not None and existing != canonical(new_qualname):
        return None
    if existing is None and not name_is_free(model, text, short):
        return None
    if local not in model.imports.bindings:  # a star import
        return [replace(func, cst.Name(short))], ()
    finder = _ImportsOf(local)
    model.module.visit(finder)
    if not finder.aliases:
        return None
    edits: list[Edit] = []
    for statement, alias in finder.aliases:
        if alias.asname is not None:
            edits.append(replace(alias.name, cst.Name(short)))
        elif existing is not None:  # HorizontalFlip is imported too: drop Flip from the import
            kept = [a for a in statement.names if a is not alias] if isinstance(statement.names, Sequence) else []
            if kept:
                kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                edits.append(replace(statement, statement.with_changes(names=kept)))
            else:
                return None
        else:
            edits.append(replace(alias.name, cst.Name(short)))
    if all(alias.asname is None for _, alias in finder.aliases):
        uses = _NameUses(local)
        model.module.visit(uses)
        edits.extend(replace(name, cst.Name(short)) for name in uses.found)
    return edits, ()


class _ImportsOf(cst.CSTVisitor):
    """``from … import X`` aliases that bind a local name."""

    def __init__(self, local: str) -> None:
        self.local = local
        self.aliases: list[tuple[cst.ImportFrom, cst.ImportAlias]] = []

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        if isinstance(node.names, Sequence):
            for alias in node.names:
                bound = alias.asname.name if alias.asname is not None else alias.name
                if isinstance(bound, cst.Name) and bound.value == self.local:
                    self.aliases.append((node, alias))
        return False


class _NameUses(cst.CSTVisitor):
    """Every read of a name (not attribute names, keywords or import aliases)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.found: list[cst.Name] = []

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.found.append(node)


# ---------------------------------------------------------------------------------------------
# Parents, for fixes that must edit the statement around a node (``return(a, b)``)
# ---------------------------------------------------------------------------------------------

# The parent maps of the last few modules asked about (the module is kept with its map, so that
# an id is never reused while its entry lives).
_PARENTS: OrderedDict[int, tuple[cst.Module, dict[int, cst.CSTNode]]] = OrderedDict()
_PARENTS_KEPT = 4


class _ParentCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.stack: list[cst.CSTNode] = []
        self.parents: dict[int, cst.CSTNode] = {}

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.stack:
            self.parents[id(node)] = self.stack[-1]
        self.stack.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.stack.pop()


def parent_of(module: cst.Module, node: cst.CSTNode) -> cst.CSTNode | None:
    """The node that holds ``node`` in ``module`` (computed once per module, only when asked)."""
    entry = _PARENTS.get(id(module))
    if entry is None or entry[0] is not module:
        collector = _ParentCollector()
        module.visit(collector)
        entry = (module, collector.parents)
        _PARENTS[id(module)] = entry
        while len(_PARENTS) > _PARENTS_KEPT:
            _PARENTS.popitem(last=False)
    return entry[1].get(id(node))
