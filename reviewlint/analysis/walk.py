"""A fast walk over a libcst tree, equivalent to ``node.visit(visitor)`` for read-only visitors.

libcst's own traversal rebuilds every node it visits (``_visit_and_replace_children`` calls the
node's constructor, which validates it) and looks up two attribute hooks by name per child field;
on real code that costs about twice the parse. A :class:`libcst.CSTVisitor` throws the rebuilt
tree away, so :func:`walk` skips all of that: it calls the same ``visit_<Node>`` and
``leave_<Node>`` methods, in the same order (children in source order, as libcst visits them),
with the same rule that ``visit_<Node>`` returning ``False`` skips the children. A visitor
class may name fields it never needs descended into, as ``WALK_SKIPS`` (``("Attribute", "attr")``
pairs): the walk leaves them out, as if ``visit_<Node>_<field>`` skipped them.

The order of each node class's child fields is read once per class from libcst itself, by
running the class's ``_visit_and_replace_children`` on a stand-in whose fields all record their
name when visited (see :func:`child_fields`); ``tests/test_cache_and_jobs.py`` checks it against
libcst's traversal.

Whitespace, comments and punctuation (``libcst._nodes.whitespace``/``op``, brackets) are not
descended into unless the visitor has a hook for one of those classes; libcst's inherited no-op
stubs (``visit_Name`` on a visitor that does not define it) are not called. The walk recurses one
Python frame per tree level where libcst uses three, so it also goes deeper before the recursion
limit. Visitors it cannot stand in for (overridden ``on_visit``, transformers) use libcst's.

:class:`StatementIndex` finds the innermost statement that holds a node, with the indentation in
force there, for :mod:`reviewlint.source.positions`.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import typing
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import libcst as cst
from libcst._nodes import op as _op_nodes
from libcst._nodes import whitespace as _whitespace_nodes

_FIELDS: dict[type, tuple[str, ...]] = {}


class _Stand:
    """Stands in for every field value while recording which fields a class visits, in order."""

    def visit(self, visitor: object) -> _Stand:
        return self

    def __iter__(self) -> Any:
        return iter(())

    def _is_removable(self) -> bool:
        return False


_STAND = _Stand()


class _FieldRecorder:
    def __init__(self) -> None:
        self.names: list[str] = []

    def on_visit_attribute(self, node: object, attribute: str) -> None:
        self.names.append(attribute)

    def on_leave_attribute(self, node: object, attribute: str) -> None:
        pass


def child_fields(cls: type) -> tuple[str, ...]:
    """The fields of a node class that hold child nodes, in the order libcst visits them."""
    fields = _FIELDS.get(cls)
    if fields is not None:
        return fields
    recorder = _FieldRecorder()
    stand: Any = object.__new__(cls)
    for field in dataclasses.fields(cls):
        object.__setattr__(stand, field.name, _STAND)
    try:
        cls._visit_and_replace_children(stand, recorder)  # type: ignore[attr-defined]  # every libcst node class has it
    except Exception:  # noqa: BLE001 - the constructor rejects the stand-ins, after every field was visited
        pass
    fields = _FIELDS[cls] = tuple(dict.fromkeys(recorder.names))
    return fields


def _node_classes(module: object) -> set[type]:
    return {
        value for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, cst.CSTNode)
    }


# Subtrees without code: whitespace, comments, newlines, operators and punctuation, brackets.
_TRIVIA: frozenset[type] = frozenset(
    _node_classes(_whitespace_nodes)
    | _node_classes(_op_nodes)
    | {cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket,
       cst.LeftCurlyBrace, cst.RightCurlyBrace}
)
_TRIVIA_NAMES = frozenset(cls.__name__ for cls in _TRIVIA)
_ALL_NAMES: frozenset[str] | None = None
_HOOK = re.compile(r"^(visit|leave)_(\w+)$")


def _hook(visitor_class: type, name: str) -> Callable[..., Any] | None:
    """A visitor's hook, or None when it has none or only libcst's no-op stub.

    ``CSTVisitor`` inherits a stub ``visit_<Node>``/``leave_<Node>`` for every node class (marked
    ``_is_no_op``); calling one does nothing, so walking without it is the same walk.
    """
    function = getattr(visitor_class, name, None)
    if function is None or getattr(function, "_is_no_op", False):
        return None
    return function  # type: ignore[no-any-return]  # operator.attrgetter, typed as Any


def _all_node_names() -> frozenset[str]:
    global _ALL_NAMES
    if _ALL_NAMES is None:
        _ALL_NAMES = frozenset(
            name for name, value in vars(cst).items() if isinstance(value, type) and issubclass(value, cst.CSTNode)
        )
    return _ALL_NAMES


def _hooks(visitor: cst.CSTVisitor) -> tuple[bool, bool]:
    """(whether :func:`walk` can stand in for libcst's traversal, whether the visitor has trivia hooks)."""
    cls = type(visitor)
    if (
        cls.on_visit is not cst.CSTVisitor.on_visit
        or cls.on_leave is not cst.CSTVisitor.on_leave
        or cls.on_visit_attribute is not cst.CSTVisitor.on_visit_attribute
        or cls.on_leave_attribute is not cst.CSTVisitor.on_leave_attribute
    ):
        return False, False
    names = _all_node_names()
    trivia_hooks = False
    for attribute in dir(cls):
        match = _HOOK.match(attribute)
        if match is None or _hook(cls, attribute) is None:
            continue
        target = match.group(2)
        node_name = target if target in names else target.split("_", 1)[0]
        if node_name not in names:
            return False, False  # something libcst would call that we cannot tell apart
        trivia_hooks = trivia_hooks or node_name in _TRIVIA_NAMES
    return True, trivia_hooks


# Fields that libcst visits only when they are set (``format_spec=None`` is not visited at all,
# so its attribute hooks are not called); every other field's hooks run even when it is empty.
_VISITED_ONLY_WHEN_SET = frozenset({("FormattedStringExpression", "format_spec"), ("TemplatedStringExpression", "format_spec")})

def _classes_in(annotation: object) -> list[object]:
    """The classes a field's type annotation names (``Sequence[Union[A, B]]`` gives A and B)."""
    args = typing.get_args(annotation)
    if args or typing.get_origin(annotation) is not None:
        found: list[object] = []
        for arg in args:
            found.extend(_classes_in(arg))
        return found
    return [annotation]


def _only_trivia(cls: type) -> bool:
    """Whether every concrete node class a value of type ``cls`` can have is trivia."""
    if cls in _TRIVIA:
        return True
    subclasses: list[type] = cls.__subclasses__()
    if not subclasses or not inspect.isabstract(cls):
        return False  # instances of the class itself are possible
    return all(_only_trivia(sub) for sub in subclasses)


def _may_hold_code(annotation: object) -> bool:
    """Whether a field annotated ``annotation`` can hold a node that is not trivia (unknown: yes)."""
    for item in _classes_in(annotation):
        if item is None or item is type(None) or item is str or isinstance(item, str) and item in ("", "*", "**"):
            continue
        if not isinstance(item, type):
            return True  # a forward reference or something else we cannot judge
        if issubclass(item, cst.CSTNode):
            if not _only_trivia(item):
                return True
        elif item is not cst.MaybeSentinel and item not in (str, int, bool, float):
            return True
    return False


_CODE_FIELDS: dict[type, frozenset[str]] = {}


def _code_fields(cls: type) -> frozenset[str]:
    """The child fields of a node class that can hold more than trivia."""
    found = _CODE_FIELDS.get(cls)
    if found is None:
        types = {field.name: field.type for field in dataclasses.fields(cls)}
        found = _CODE_FIELDS[cls] = frozenset(
            name for name in child_fields(cls) if name not in types or _may_hold_code(types[name])
        )
    return found


# How to walk the nodes of one class for one visitor class: a function of (visitor, node), made
# once per pair from the hooks the visitor has (None: the nodes need no visit at all).
_Walker = Callable[[Any, Any], Any]


class _Walkers(dict):  # type: ignore[type-arg]  # keys are node classes, values walkers or None
    """Per visitor class: the walker of each node class, compiled on first sight.

    A walker reads its class's child fields by name and hands each child to the walker of the
    child's class, calling the visitor's hooks on the way: the loop over a generic plan that a
    walk would otherwise interpret at every node is unrolled once per class. A leaf whose only
    hook is ``visit_<Node>`` is walked by the hook itself.
    """

    def __init__(self, visitor_class: type, trivia_hooks: bool) -> None:
        super().__init__()
        self.visitor_class = visitor_class
        self.trivia_hooks = trivia_hooks

    def __missing__(self, cls: type) -> _Walker | None:
        walker = self[cls] = self._compile(cls)
        return walker

    def _compile(self, cls: type) -> _Walker | None:
        if not issubclass(cls, cst.CSTNode) or (cls in _TRIVIA and not self.trivia_hooks):
            return None  # a string, MaybeSentinel …: not a node; or trivia
        name = cls.__name__
        hooks = self.visitor_class
        visit_hook = _hook(hooks, f"visit_{name}")
        leave_hook = _hook(hooks, f"leave_{name}")
        code_fields = _code_fields(cls)
        skipped: frozenset[tuple[str, str]] = getattr(hooks, "WALK_SKIPS", frozenset())
        shapes = _field_shapes(cls)
        fields = []
        for field in child_fields(cls):
            if (name, field) in skipped:
                continue
            visit_field = _hook(hooks, f"visit_{name}_{field}")
            leave_field = _hook(hooks, f"leave_{name}_{field}")
            if self.trivia_hooks or field in code_fields or visit_field is not None or leave_field is not None:
                fields.append((field, visit_field, leave_field, (name, field) in _VISITED_ONLY_WHEN_SET))
        if not fields:
            if leave_hook is None:
                return visit_hook  # a leaf (Name, Integer …): its hook walks it
            if visit_hook is None:
                return leave_hook
        namespace: dict[str, Any] = {"W": self, "VH": visit_hook, "LH": leave_hook}
        lines = ["def walk_node(v, n):"]
        indent = "    "
        if visit_hook is not None:
            lines.append("    if VH(v, n) is not False:")
            indent = "        "
        if not fields and visit_hook is not None:
            lines.append(indent + "pass")
        for number, (field, visit_field, leave_field, only_when_set) in enumerate(fields):
            value = f"x{number}"
            lines.append(f"{indent}{value} = n.{field}")
            if visit_field is not None:
                namespace[f"FV{number}"] = visit_field
                lines.append(f"{indent}if {value} is not None: FV{number}(v, n)" if only_when_set
                             else f"{indent}FV{number}(v, n)")
            shape = shapes.get(field, "any")
            each = [f"for c in {value}:", "    w = W[c.__class__]", "    if w is not None: w(v, c)"]
            one = [f"w = W[{value}.__class__]", f"if w is not None: w(v, {value})"]
            if shape == "many":
                lines.extend(indent + line for line in each)
            elif shape == "one":
                lines.extend(indent + line for line in one)
            else:
                lines.append(f"{indent}if {value}.__class__ is tuple or {value}.__class__ is list:")
                lines.extend(indent + "    " + line for line in each)
                lines.append(f"{indent}else:")
                lines.extend(indent + "    " + line for line in one)
            if leave_field is not None:
                namespace[f"FL{number}"] = leave_field
                lines.append(f"{indent}if {value} is not None: FL{number}(v, n)" if only_when_set
                             else f"{indent}FL{number}(v, n)")
        if leave_hook is not None:
            lines.append("    LH(v, n)")
        if len(lines) == 1:
            return None
        exec("\n".join(lines), namespace)  # noqa: S102 - source built above from field names only
        walker: _Walker = namespace["walk_node"]
        return walker


def _field_shapes(cls: type) -> dict[str, str]:
    """For each field of a node class: "many" (a sequence of nodes), "one" (a node, None or a
    sentinel) or "any" (either, as its annotation allows or when it cannot be read)."""
    shapes: dict[str, str] = {}
    for field in dataclasses.fields(cls):
        annotation = field.type
        options = typing.get_args(annotation) if typing.get_origin(annotation) is typing.Union else (annotation,)
        many = [typing.get_origin(option) in (Sequence, list, tuple) for option in options]
        if all(many):
            shapes[field.name] = "many"
        elif not any(many) and all(isinstance(option, type) for option in options):
            shapes[field.name] = "one"
        else:
            shapes[field.name] = "any"
    return shapes


_WALKERS: dict[type, _Walkers | None] = {}


def _walkers_for(visitor: cst.CSTVisitor) -> _Walkers | None:
    cls = type(visitor)
    if cls not in _WALKERS:
        walkable, trivia_hooks = _hooks(visitor)
        _WALKERS[cls] = _Walkers(cls, trivia_hooks) if walkable else None
    return _WALKERS[cls]


def walk(root: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """Visit ``root`` and its descendants as ``root.visit(visitor)`` would, without rebuilding them.

    ``visit_<Node>``, ``leave_<Node>`` and the attribute hooks ``visit_<Node>_<field>`` /
    ``leave_<Node>_<field>`` (looked up on the visitor's class) are called in libcst's order.
    Visitors that override ``on_visit``, ``on_leave`` or the attribute dispatch go through
    libcst's own traversal.
    """
    walkers = _walkers_for(visitor)
    if walkers is None:
        root.visit(visitor)
        return
    walker = walkers[root.__class__]
    if walker is not None:
        walker(visitor, root)


_CODE_CHILDREN: dict[type, tuple[str, ...] | None] = {}


def _code_children(cls: type) -> tuple[str, ...] | None:
    """The child fields of a node class that can hold code, in source order (None: not a node, or trivia)."""
    if cls not in _CODE_CHILDREN:
        _CODE_CHILDREN[cls] = (
            None if not issubclass(cls, cst.CSTNode) or cls in _TRIVIA
            else tuple(name for name in child_fields(cls) if name in _code_fields(cls))
        )
    return _CODE_CHILDREN[cls]


def code_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """A node's children that can hold code, in source order: libcst's ``node.children`` without
    the trivia, and without rebuilding the node (which ``children`` does)."""
    found: list[cst.CSTNode] = []
    for name in _code_children(node.__class__) or ():
        value = getattr(node, name)
        for child in value if isinstance(value, (tuple, list)) else (value,):
            if _code_children(child.__class__) is not None:
                found.append(child)
    return found


def code_path(root: cst.CSTNode, target: cst.CSTNode) -> list[cst.CSTNode] | None:
    """The nodes from ``root`` down to ``target`` (both included), or None when ``target`` is not
    in it; trivia (whitespace, comments, punctuation) is not searched, so ``target`` is code."""
    path: list[cst.CSTNode] = []

    def search(node: cst.CSTNode) -> bool:
        path.append(node)
        if node is target or any(search(child) for child in code_children(node)):
            return True
        path.pop()
        return False

    return path if search(root) else None


class _AllFound(Exception):
    """Ends a search as soon as every node looked for is found."""


class StatementIndex:
    """For code nodes of a module: the innermost statement that holds each, and its context.

    :meth:`locate` walks the module until it has found the given nodes (or every node, given
    None). Then ``statement_of[id(node)]`` is the statement (None for the module itself); for each
    statement walked, ``parent_of[id(statement)]`` is the enclosing statement (None at the top),
    ``indents_of[id(statement)]`` the indentation tokens codegen has pushed when it renders the
    statement (one per enclosing ``IndentedBlock``) and ``siblings_of[id(statement)]`` the body it
    belongs to and its place there. Trivia (whitespace, comments, punctuation) is not indexed.
    """

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self.statement_of: dict[int, cst.CSTNode | None] = {}
        self.parent_of: dict[int, cst.CSTNode | None] = {}
        self.indents_of: dict[int, tuple[str, ...]] = {}
        self.siblings_of: dict[int, tuple[Sequence[cst.CSTNode], int]] = {}

    def locate(self, nodes: Iterable[cst.CSTNode] | None = None) -> None:
        """Index ``nodes`` (all nodes, given None), walking no further than the last one found."""
        wanted = None if nodes is None else {id(node) for node in nodes} - self.statement_of.keys()
        if wanted is not None and not wanted:
            return
        module = self.module
        default_indent = module.default_indent
        statement_of = self.statement_of
        parent_of = self.parent_of
        indents_of = self.indents_of
        siblings_of = self.siblings_of
        sequence = (tuple, list)
        indented_block = cst.IndentedBlock
        plans: dict[type, tuple[tuple[str, ...], bool] | None] = {}

        def plan(cls: type) -> tuple[tuple[str, ...], bool] | None:
            found = plans[cls] = (
                None
                if not issubclass(cls, cst.CSTNode) or cls in _TRIVIA
                else (
                    tuple(name for name in child_fields(cls) if name in _code_fields(cls)),
                    issubclass(cls, (cst.SimpleStatementLine, cst.BaseCompoundStatement)),
                )
            )
            return found

        def visit(node: cst.CSTNode, parent: cst.CSTNode | None, statement: cst.CSTNode | None,
                  indents: tuple[str, ...], fields: tuple[str, ...], is_statement_class: bool) -> None:
            if is_statement_class and not (parent.__class__ is cst.If and parent.orelse is node):  # type: ignore[union-attr, unused-ignore]  # parent is an If here (mypy narrows it on some versions)
                parent_of[id(node)] = statement
                indents_of[id(node)] = indents
                statement = node
            if wanted is None:
                statement_of[id(node)] = statement
            elif id(node) in wanted:
                statement_of[id(node)] = statement
                wanted.discard(id(node))
                if not wanted:
                    raise _AllFound
            if node.__class__ is indented_block:
                indents = (*indents, default_indent if node.indent is None else node.indent)  # type: ignore[attr-defined, unused-ignore]  # an IndentedBlock (narrowed on some mypy versions)
            for name in fields:
                value = getattr(node, name)
                if isinstance(value, sequence):
                    for position, child in enumerate(value):
                        found = plans.get(child.__class__, ...)
                        if found is ...:
                            found = plan(child.__class__)
                        if found is not None:
                            if found[1]:
                                siblings_of[id(child)] = (value, position)
                            visit(child, node, statement, indents, *found)
                else:
                    found = plans.get(value.__class__, ...)
                    if found is ...:
                        found = plan(value.__class__)
                    if found is not None:
                        visit(value, node, statement, indents, *found)

        root = plan(module.__class__)
        assert root is not None
        try:
            visit(module, None, None, (), *root)
        except _AllFound:
            pass
