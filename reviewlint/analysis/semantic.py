"""The semantic model of one module: what its names are, where they are bound and what flows where.

Built once per file by :func:`reviewlint.analysis.scan.build_model` and frozen; every domain extractor
and every rule reads it, none writes it.

- :class:`Scope` — the module, or a function or class body (scopes are named as written).
- :class:`Var` — a name (or dotted name) as bound in one scope: the unit of data flow.
- :class:`Binding` — one place that binds a :class:`Var`, with its position in call order.
- :class:`CallSite` — every call, with its qualified name when the callee is imported.
- :class:`SemanticModel` — imports (star imports included), scopes, bindings, calls, loops,
  assignments, returns, the data flow between names and folded constants, with the queries
  rules need: :meth:`~SemanticModel.qualify`, :meth:`~SemanticModel.reaching`,
  :meth:`~SemanticModel.binding_at`, :meth:`~SemanticModel.flows_into`,
  :meth:`~SemanticModel.calls_within`, :meth:`~SemanticModel.value` (a folded value or
  :data:`UNKNOWN`) …

"Position in call order" (``order``/``index``) counts the calls visited before a node, in source
order; it compares within one scope, where code runs top to bottom (a notebook's cells, one
function body).
"""

from __future__ import annotations

import builtins
import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Literal, NamedTuple

import libcst as cst

from reviewlint.analysis.constants import UNKNOWN, ConstantFolder
from reviewlint.analysis.imports import ImportTable, dotted
from reviewlint.analysis.walk import code_path, walk

ScopeKind = Literal["module", "function", "class"]
BindingKind = Literal["assign", "augassign", "annassign", "for", "def"]

# Methods that run a model on data (keras.io/api/models/model_training_apis; the ``*_generator``
# spellings are tf.keras 2.x's, deprecated since TF 2.1 and gone in Keras 3).
MODEL_METHODS = frozenset(
    {"fit", "fit_generator", "predict", "predict_generator", "predict_on_batch", "evaluate", "evaluate_generator",
     "train_on_batch", "test_on_batch", "__call__"}
)


class Scope(NamedTuple):
    """The module, or a function or class body, by the name it is written with; a method also by
    the class it is defined in (``owner``), so that two classes' ``__init__`` are two scopes."""

    name: str
    kind: ScopeKind
    owner: str = ""

    @property
    def is_module(self) -> bool:
        return self.kind == "module"


MODULE = Scope("<module>", "module")

_BUILTIN_NAMES = frozenset(dir(builtins))

# What calling an instance of a class runs: torch.nn.Module.forward, a Keras layer's or model's
# call, Python's __call__.
_RUN_METHODS = frozenset({"forward", "call", "__call__"})

# Methods that put their arguments into the container they are called on.
GROWING_METHODS = frozenset({"append", "extend", "insert", "add", "update", "appendleft", "extendleft"})


class Var(NamedTuple):
    """A (dotted) name as bound in one scope: ``x`` at module level, or ``x`` local to ``train``.

    Immutable and hashed in C (a named tuple): variables are the members of every data-flow set.
    """

    name: str
    scope: Scope

    def __str__(self) -> str:
        return self.name if self.scope.kind == "module" else f"{self.scope.name}:{self.name}"

    def __lt__(self, other: object) -> bool:
        return str(self) < str(other)

    @property
    def head(self) -> str:
        """The plain name a dotted name starts with (``gen`` for ``gen.filenames``)."""
        return self.name.split(".", 1)[0]


def find_arg(call: cst.Call, name: str, position: int | None = None) -> cst.Arg | None:
    """The argument passed as keyword ``name`` or at ``position`` (0-based, plain positionals only)."""
    positional = 0
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value == name:
                return arg
        elif arg.star == "":
            if position is not None and positional == position:
                return arg
            positional += 1
    return None


@dataclass(frozen=True, eq=False)
class CallSite:
    """One call in the module."""

    node: cst.Call
    qualname: str | None
    method: str | None
    receiver: str | None
    scope: Scope
    loops: tuple[cst.CSTNode, ...]
    assigned_to: tuple[str, ...]
    index: int
    statement: bool = False  # the call is a whole expression statement: its result is dropped
    end: int = 0  # one past the index of the last call inside this one (calls are numbered in source order)

    def arg(self, name: str, position: int | None = None) -> cst.Arg | None:
        """The argument passed as keyword ``name`` or at ``position`` (0-based)."""
        return find_arg(self.node, name, position)

    def keywords(self) -> dict[str, cst.Arg]:
        """Keyword arguments by name."""
        return {arg.keyword.value: arg for arg in self.node.args if arg.keyword is not None}

    @property
    def in_loop(self) -> bool:
        return bool(self.loops)


@dataclass(frozen=True, eq=False)
class Binding:
    """One place that binds a name: an assignment, an augmented assignment, a loop target, a ``def``."""

    var: Var
    kind: BindingKind
    node: cst.CSTNode
    order: int  # calls visited before it: the binding precedes call ``c`` when ``order <= c.index``
    value: cst.BaseExpression | None  # the value assigned, when one name gets one value


@dataclass(frozen=True, eq=False)
class AttributeAssignment:
    """``obj.attr = value`` (e.g. ``base_model.trainable = True``).

    ``index`` counts the calls visited before the statement, so it compares with
    :attr:`CallSite.index`: the assignment comes before call ``c`` when ``index <= c.index`` and
    after it when ``index > c.index``.
    """

    target: str
    value: cst.BaseExpression
    node: cst.CSTNode
    scope: Scope
    loops: tuple[cst.CSTNode, ...]
    index: int
    # Enclosing ``if`` tests, innermost last, each with True when the statement is in the ``else``.
    conditions: tuple[tuple[cst.BaseExpression, bool], ...] = ()


@dataclass(frozen=True, eq=False)
class Loop:
    """A ``for``/``while`` loop or a comprehension, with the names used inside it."""

    node: cst.CSTNode
    names: frozenset[str]
    scope: Scope


@dataclass(frozen=True, eq=False)
class SubscriptAssignment:
    """``obj[key] = value`` (e.g. ``submission['label'] = preds``): a value stored into a container."""

    target: str  # the dotted name subscripted ("submission", "df.loc"); "" when it is not a name
    value: cst.BaseExpression
    node: cst.Assign
    scope: Scope


@dataclass(frozen=True, eq=False)
class Assignment:
    """``name = value`` to plain names (tuple targets flattened), in statement order.

    ``index`` compares with :attr:`CallSite.index` as :class:`AttributeAssignment`'s does.
    """

    targets: tuple[str, ...]
    value: cst.BaseExpression
    node: cst.CSTNode
    scope: Scope
    loops: tuple[cst.CSTNode, ...]
    index: int


@dataclass(frozen=True, eq=False)
class Arithmetic:
    """``a / b``, ``a * b`` (possibly ``… - 1``) or ``a /= b``, ``a *= b``."""

    node: cst.BinaryOperation | cst.AugAssign
    left: cst.BaseExpression
    right: cst.BaseExpression
    divide: bool
    enclosing_call: str | None  # the dotted callee of the call it is an argument of
    targets: tuple[str, ...]  # the names its result is assigned to
    scope: Scope
    index: int
    minus_one: bool = False  # the product or quotient has 1 subtracted from it: ``x / 127.5 - 1``


# What the walk records of data flow and bindings, resolved into variables on first use:
# ``x = f(a, b)``: (target name, its scope, names used, the scope they are read in);
Edge = tuple[str, Scope, AbstractSet[str], Scope]
# ``a, b = f(x, k=y)``: (targets, function name, names used, scope, the call);
Unpacking = tuple[tuple[str, ...], str, AbstractSet[str], Scope, cst.Call]
# Methods whose return value is what iterating over or indexing an instance gives: what a class
# whose instances are data defines (torch.utils.data.Dataset.__getitem__, IterableDataset.__iter__,
# a Keras Sequence's __getitem__).
ITEM_METHODS = frozenset({"__getitem__", "__iter__", "__next__"})

# ``self.attr = …`` in a method of a class, or a name its ``__getitem__`` returns: (class name, the
# scope the class is bound in, "self.attr" or the name, the method's scope);
InstanceState = tuple[str, Scope, str, Scope]
# a binding: (name, scope, kind, statement, order, value).
RawBinding = tuple[str, Scope, BindingKind, cst.CSTNode, int, cst.BaseExpression | None]


@dataclass(frozen=True)
class FlowRecords:
    """The walk's records of bindings, data flow and attribute reads (kept as recorded, read only)."""

    edges: Sequence[Edge]
    unpacked: Sequence[Unpacking]
    bindings: Sequence[RawBinding]
    attribute_reads: Sequence[tuple[str, cst.Attribute, Scope]]
    # For each edge and each unpacking, the position among ``bindings`` of the binding it makes
    # when module-level code makes it (in a loop: where the loop ends; None in functions): a
    # module-level statement reads what was bound before it, not what a later cell binds under
    # the same name.
    edge_order: Sequence[int | None]
    unpacked_order: Sequence[int | None]
    call_order: Mapping[int, int]  # the same by id() of a module-level ``x.append(…)`` call
    instance_state: Sequence[InstanceState] = ()


_NO_VARS: frozenset[Var] = frozenset()
# The limit of a variable read with no place in module-level code (see SemanticModel._reach).
_ANYWHERE = 1 << 62

# A call another module (an importer) makes of one of this module's functions or classes: the
# folded values it passes by position, and by keyword.
ExternalCall = tuple[tuple[object, ...], tuple[tuple[str, object], ...]]


@dataclass(frozen=True, eq=False)
class SemanticModel:
    """Everything one module says about names, bindings, calls and data flow; immutable.

    Bindings, attribute reads and the data-flow graph are resolved on first use: a file whose
    rules never ask about data flow does not pay for it.
    """

    module: cst.Module
    imports: ImportTable
    folder: ConstantFolder
    calls: tuple[CallSite, ...]
    assignments: tuple[Assignment, ...]
    attribute_assignments: tuple[AttributeAssignment, ...]
    subscript_assignments: tuple[SubscriptAssignment, ...]
    loops: tuple[Loop, ...]
    arithmetic: tuple[Arithmetic, ...]
    functions: Mapping[str, cst.FunctionDef]
    # The expressions each function returns, by function name.
    returns: Mapping[str, tuple[cst.BaseExpression, ...]]
    # Module-level bindings of each name in statement order: (order, value); value None when the
    # binding cannot be folded (a loop target, a binding under ``if``/in a loop, ``x += …``).
    module_history: Mapping[str, tuple[tuple[int, cst.BaseExpression | None], ...]]
    _local_names: Mapping[Scope, frozenset[str]]
    _records: FlowRecords
    # The scope of each function and method, and the scope each returned expression is in (by id).
    _scope_functions: Mapping[Scope, cst.FunctionDef] = field(default_factory=dict)
    _return_scopes: Mapping[int, Scope] = field(default_factory=dict)
    _by_node: dict[int, CallSite] = field(default_factory=dict, repr=False)
    _scope_folders: dict[Scope, ConstantFolder] = field(default_factory=dict, repr=False)
    # What :meth:`reaches` found, by the variables asked about (rules ask the same questions).
    _reached: dict[frozenset[Var], frozenset[Var]] = field(default_factory=dict, repr=False)
    # The calls the module that imports this one makes of its module-level functions and classes,
    # by their name here (``models.model(pretrained=True)`` in train.py: ``model``).
    external_calls: Mapping[str, tuple[ExternalCall, ...]] = field(default_factory=dict)
    # The names whose calls from an importer were asked for (:meth:`_external_values`): only these
    # can make an importer's view of the module differ from the module's own.
    asked_external: set[str] = field(default_factory=set, repr=False)
    # What each of :attr:`_model_runs` was fed (:meth:`_run_data`), by its place there, as asked for.
    _run_data: dict[int, frozenset[Var]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_node.update((id(call.node), call) for call in self.calls)

    @cached_property
    def _def_scopes(self) -> Mapping[int, Scope]:
        """The scope of each ``def``, by node id."""
        return {id(node): scope for scope, node in self._scope_functions.items()}

    @property
    def bindings(self) -> Mapping[Var, tuple[Binding, ...]]:
        """Every binding of every variable, in source order."""
        return self._binding_tables[0]

    @cached_property
    def _binding_tables(self) -> tuple[Mapping[Var, tuple[Binding, ...]], Mapping[int, Binding]]:
        """Bindings by variable, and the first binding each statement makes by the statement's id()."""
        by_var: dict[Var, list[Binding]] = {}
        by_statement: dict[int, Binding] = {}
        for name, scope, kind, node, order, value in self._records.bindings:
            var = self.qualify(name, scope)
            binding = Binding(var, kind, node, order, value)
            by_var.setdefault(var, []).append(binding)
            by_statement.setdefault(id(node), binding)
        return {var: tuple(found) for var, found in by_var.items()}, by_statement

    @cached_property
    def attribute_reads(self) -> Mapping[Var, tuple[cst.Attribute, ...]]:
        """Every read of a dotted attribute (``test_gen.filenames``), by the variable it reads."""
        found: dict[Var, list[cst.Attribute]] = {}
        for name, node, scope in self._records.attribute_reads:
            found.setdefault(self.qualify(name, scope), []).append(node)
        return {var: tuple(nodes) for var, nodes in found.items()}

    @cached_property
    def _deps(self) -> Mapping[Var, AbstractSet[Var]]:
        """The data-flow graph: each variable to the variables its value was computed from."""
        return self._flow[0]

    @cached_property
    def _flow(self) -> tuple[dict[Var, set[Var]], dict[Var, set[Var]], dict[Var, list[tuple[int, AbstractSet[Var]]]]]:
        """:attr:`_deps`; for module-level variables, their sources that hold whenever they are read
        (``append``, stored items, bindings in functions); and the bindings module-level code
        makes, by variable, each with its position among the bindings and what it read (see
        :meth:`_reach`)."""
        qualify = self.qualify
        deps: dict[Var, set[Var]] = {}
        untimed: dict[Var, set[Var]] = {}
        timed: dict[Var, list[tuple[int, AbstractSet[Var]]]] = {}
        for (target, target_scope, used, use_scope), order in zip(self._records.edges, self._records.edge_order):
            key = qualify(target, target_scope)
            if key.scope != MODULE:
                # A function's variables: no order, and _reach reads them from ``deps`` alone.
                deps.setdefault(key, set()).update(qualify(name, use_scope) for name in used)
                continue
            read = {qualify(name, use_scope) for name in used}
            deps.setdefault(key, set()).update(read)
            if order is not None:
                timed.setdefault(key, []).append((order, read))
            else:
                untimed.setdefault(key, set()).update(read)
        unpacked_calls: list[tuple[Var, str, cst.Call, Scope]] = []
        for (targets, function, used, scope, call_node), order in zip(self._records.unpacked, self._records.unpacked_order):
            # ``a, b = f()`` where ``f`` returns a tuple: ``a`` depends on the first element only.
            returned = [
                value for value in self.returns.get(function, ())
                if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(targets)
            ]
            for position, name in enumerate(targets):
                key = qualify(name, scope)
                merged = deps.setdefault(key, set())
                found: set[Var] = set()
                if returned:
                    # Only the element at this position: not everything the function returns.
                    merged.discard(qualify(function, scope))
                    for value in returned:
                        found.update(qualify(read, self.return_scope(value)) for read in names_in(value.elements[position].value))
                    if isinstance(call_node.func, cst.Name):  # obj.method(…): its arguments bind the method's parameters, not f's
                        unpacked_calls.append((key, function, call_node, scope))
                else:
                    found.update(qualify(read, scope) for read in used)
                found.discard(key)
                merged.update(found)
                merged.discard(key)
                if order is not None and key.scope == MODULE:
                    timed.setdefault(key, []).append((order, found))
                elif key.scope == MODULE:
                    untimed.setdefault(key, set()).update(found)

        def add(key: Var, read: Iterable[Var], cycle_free: bool = False) -> None:
            """Sources that hold whenever the variable is read (not tied to one binding); kept
            apart for module-level variables only (_reach reads the others from ``deps``)."""
            found = deps.setdefault(key, set())
            if key.scope != MODULE:
                found.update(read)
                if cycle_free:
                    found.discard(key)
                return
            read = set(read)
            for graph in (found, untimed.setdefault(key, set())):
                graph.update(read)
                if cycle_free:
                    graph.discard(key)

        for call in self.calls:
            # outputs.append(x): the list now holds x (from where the call stands, in module-level code).
            if call.method in GROWING_METHODS and call.qualname is None and call.receiver and "." not in call.receiver:
                key = qualify(call.receiver, call.scope)
                read = {qualify(name, call.scope) for argument in call.node.args for name in names_in(argument.value)}
                order = self._records.call_order.get(id(call.node))
                if order is not None and key.scope == MODULE:
                    read.discard(key)
                    deps.setdefault(key, set()).update(read)
                    deps[key].discard(key)
                    timed.setdefault(key, []).append((order, read))
                else:
                    add(key, read, True)
        for stored in self.subscript_assignments:
            # x_train[i] = load(path): the array now holds what the call made (filled by position;
            # a table given a named column, ``submission["label"] = preds``, and a lookup table
            # given a counter, ``index_of[name] = i``, are bookkeeping, not data).
            if (stored.target and "." not in stored.target and isinstance(stored.value, cst.Call)
                    and not _keyed_by_string(stored.node)):
                add(qualify(stored.target, stored.scope), (qualify(read, stored.scope) for read in names_in(stored.value)), True)
        for key, function, call_node, scope in unpacked_calls:
            # ``a, b = f(train_gen)``: what ``a`` was computed from inside ``f`` includes parameters;
            # at this call they are its arguments (this call's, not every call's).
            before = set(deps.get(key, ()))
            self._add_arguments(deps, key, function, call_node, scope)
            if key.scope == MODULE:
                untimed.setdefault(key, set()).update(deps.get(key, set()) - before)
        for class_name, class_scope, attribute, method_scope in self._records.instance_state:
            # A dataset's instance carries what its methods store on it and what its items are
            # made of: ``LeafDataset(df)`` reaches the ``self.transform = A.Compose(…)`` of
            # LeafDataset.__init__ (only classes that define __getitem__/__iter__/__next__).
            add(qualify(class_name, class_scope), (qualify(attribute, method_scope),))
        for name, scope, kind, _, _, _ in self._records.bindings:
            # A function's name stands for what it returns where it is passed on, not called:
            # ``ds.map(decode_image)`` carries the ``image / 255`` that decode_image returns.
            if kind == "def" and name in self.returns:
                add(qualify(name, scope), (qualify(read, self.return_scope(value)) for value in self.returns[name] for read in names_in(value)))
        return deps, untimed, timed

    def _add_arguments(self, deps: dict[Var, set[Var]], key: Var, function: str, call: cst.Call, scope: Scope) -> None:
        """Add to ``key`` the arguments of ``call`` bound to the parameters of ``function`` that
        ``key``'s value was computed from inside the function (followed within its scope)."""
        for inside in self.function_scopes(function, ""):
            seen: set[Var] = set()
            stack = [var for var in deps.get(key, ()) if var.scope == inside]
            while stack:
                var = stack.pop()
                if var not in seen:
                    seen.add(var)
                    stack.extend(found for found in deps.get(var, ()) if found.scope == inside)
            parameters = [param.name.value for param in _parameters(self._scope_functions[inside])]
            wanted = {var.name.split(".", 1)[0] for var in seen}
            for parameter, argument in _bound_arguments(call, parameters):
                if parameter in wanted:
                    deps[key].update(self.qualify(read, scope) for read in names_in(argument.value))

    # Names ---------------------------------------------------------------------------------
    @staticmethod
    def encloses(outer: cst.CSTNode, inner: cst.CSTNode) -> bool:
        """Whether ``inner`` is ``outer`` or lies inside it."""
        return code_path(outer, inner) is not None

    def qualify(self, name: str, scope: Scope) -> Var:
        """The variable a (dotted) name read or bound in ``scope`` stands for."""
        if scope.kind != "module" and name.split(".", 1)[0] in self._local_names.get(scope, ()):
            return Var(name, scope)
        return Var(name, MODULE)

    def function_of(self, scope: Scope) -> cst.FunctionDef | None:
        """The ``def`` of a function or method scope."""
        return self._scope_functions.get(scope)

    def function_scopes(self, name: str, owner: str | None = None) -> list[Scope]:
        """The scopes of the functions and methods named ``name``; with ``owner``, those of that
        class (``""``: module-level functions) when there are any."""
        found = [scope for scope in self._scope_functions if scope.name == name]
        if owner is not None:
            mine = [scope for scope in found if scope.owner == owner]
            if mine:
                return mine
        return found

    def methods_reaching(self, scopes: Iterable[Scope]) -> dict[str, frozenset[str]]:
        """The module's classes with their methods that are among ``scopes`` or call one of them,
        directly or through other methods of the class (``self.train_epoch()``) and functions of
        the module (``train_one_epoch(…)``), by name; keyed by the method's own class, so that a
        ``Standardizer.fit`` is not a module function ``fit`` that trains."""
        reaching = {scope for scope in scopes if scope.kind == "function"}
        by_scope: dict[Scope, list[CallSite]] = {}
        for call in self.calls:
            if call.scope.kind == "function":
                by_scope.setdefault(call.scope, []).append(call)
        grown = True
        while grown:
            grown = False
            for scope, calls in by_scope.items():
                if scope not in reaching and any(self._calls_one_of(call, scope, reaching) for call in calls):
                    reaching.add(scope)
                    grown = True
        found: dict[str, set[str]] = {}
        for scope in reaching:
            if scope.owner:
                found.setdefault(scope.owner, set()).add(scope.name)
        return {cls: frozenset(methods) for cls, methods in found.items()}

    def _calls_one_of(self, call: CallSite, scope: Scope, targets: AbstractSet[Scope]) -> bool:
        """Whether a call in ``scope`` calls a module function or, from a method, a method of its
        own class (``self.m()``) whose scope is among ``targets``."""
        func = call.node.func
        if isinstance(func, cst.Name):
            return Scope(func.value, "function") in targets
        if scope.owner and isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self":
            return Scope(func.attr.value, "function", scope.owner) in targets
        return False

    def return_scope(self, value: cst.BaseExpression) -> Scope:
        """The scope of the function a returned expression is returned from."""
        return self._return_scopes.get(id(value), MODULE)

    def is_local(self, name: str, scope: Scope) -> bool:
        """Whether ``name`` is bound inside function or class ``scope`` (a parameter, an assignment …)."""
        return name in self._local_names.get(scope, ())

    def bound_anywhere(self, name: str) -> bool:
        """Whether ``name`` is bound anywhere: imported, assigned, a function, class, parameter or
        local, a ``with``/``except`` target, a comprehension variable (the scan's record)."""
        return name in (self.imports.bound or ())

    def is_builtin(self, name: str) -> bool:
        """Whether ``name`` is one of Python's builtins here (``iter``, ``len`` …): not rebound or imported."""
        return name in _BUILTIN_NAMES and name not in self.imports.bindings and not self.bound_anywhere(name)

    def assigned_from(self, vars: Iterable[Var], at: int) -> set[Var]:
        """The variables ``vars`` (read at position ``at``) were assigned from, transitively,
        through the binding in force of each (``valid_loader = DataLoader(valid_ds)``,
        ``train_part, val_part = random_split(train_ds, …)``), not through what a class's methods
        store (every instance of a class shares those, unlike :meth:`reaches`)."""
        seen = set(vars)
        stack = [(var, at) for var in seen]
        while stack:
            var, position = stack.pop()
            binding = self.reaching(var, position)
            for found in [binding] if binding is not None else self.bindings_of(var):
                node = found.node
                value = found.value if found.value is not None else (
                    node.iter if isinstance(node, cst.For) else getattr(node, "value", None))
                if isinstance(value, cst.BaseExpression):
                    for used in self.names_used(value, var.scope) - seen:
                        seen.add(used)
                        # a position counts calls within one scope: another scope's name is read whole
                        stack.append((used, found.order if used.scope == var.scope else 1 << 62))
        return seen

    def names_used(self, node: cst.CSTNode, scope: Scope) -> set[Var]:
        """The variables every name used in a subtree that lies in ``scope`` stands for."""
        return {self.qualify(name, scope) for name in names_in(node)}

    def keyed_entry(self, node: cst.Subscript, scope: Scope) -> cst.BaseExpression | None:
        """What ``d["val"]`` stands for where ``d`` is assigned once, to a dict display with that
        constant key (``loaders = {"train": DataLoader(…), "val": DataLoader(…)}``): that entry's
        value; None when the key is not a constant string or the dict is built another way."""
        key = string_key(node)
        if key is None or not isinstance(node.value, cst.Name):
            return None
        where = self.qualify(node.value.value, scope).scope
        bound = [a for a in self.assignments if a.scope == where and a.targets == (node.value.value,)]
        if len(bound) != 1 or not isinstance(bound[0].value, cst.Dict):
            return None
        for element in bound[0].value.elements:
            if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString) \
                    and element.key.evaluated_value == key:
                return element.value
        return None

    def names_through_keys(self, node: cst.CSTNode, scope: Scope, _depth: int = 0) -> set[Var]:
        """The variables a subtree uses, reading ``d["val"]`` as the entry of that key in the dict
        display ``d`` is bound to (:meth:`keyed_entry`), not as all of ``d``; a subscript that
        cannot be read so (``df["path"]`` of a DataFrame) uses its names as they are."""
        found = self.names_used(node, scope)
        for sub in subscripts_in(node):
            entry = self.keyed_entry(sub, scope) if _depth < 4 else None
            if entry is not None:
                found -= self.names_used(sub, scope)
                found |= self.names_through_keys(entry, scope, _depth + 1)
        return found

    def owners(self, call: CallSite) -> frozenset[Var]:
        """The variables a call's result is bound to."""
        if not call.assigned_to:
            return _NO_VARS  # most calls: their result is not bound
        return frozenset(self.qualify(name, call.scope) for name in call.assigned_to)

    def enclosing_calls(self, call: CallSite) -> list[CallSite]:
        """The calls a call is nested in (in their callee or arguments), nearest first."""
        return [outer for outer in reversed(self.calls[:call.index]) if outer.end > call.index and outer.scope == call.scope]

    def added_to(self, call: CallSite) -> frozenset[Var]:
        """The container a call's result is put into straight away (``model.add(Dense(10))``,
        ``layers.append(base)``): the receiver of the growing method the call is an argument of."""
        for outer in self.enclosing_calls(call)[:1]:
            if (outer.method in GROWING_METHODS and outer.qualname is None and outer.receiver
                    and "." not in outer.receiver and any(arg.value is call.node for arg in outer.node.args)):
                return frozenset({self.qualify(outer.receiver, call.scope)})
        return _NO_VARS

    def holders(self, call: CallSite) -> frozenset[Var]:
        """What a call's result is bound to, or, for a call nested in others (``T.Normalize`` inside
        ``T.Compose([...])``, ``cv2.imread`` inside ``cv2.resize``), what the nearest enclosing call
        that is bound is bound to; for a result stored by position into an array
        (``x_train[i] = load(path)``), the array."""
        owners = self.owners(call)
        outermost = call
        for enclosing in self.enclosing_calls(call) if not owners else ():
            outermost = enclosing
            owners = self.owners(enclosing)
            if owners:
                break
        if owners:
            return owners
        return frozenset(
            self.qualify(stored.target, stored.scope) for stored in self.subscript_assignments
            if stored.value is outermost.node and stored.target and "." not in stored.target
        )

    # Bindings ------------------------------------------------------------------------------
    def bindings_of(self, var: Var) -> tuple[Binding, ...]:
        """Every binding of a variable, in source order."""
        return self.bindings.get(var, ())

    def binding_at(self, node: cst.CSTNode) -> Binding | None:
        """The binding a statement makes (the first, for ``a = b = …`` or tuple targets)."""
        return self._binding_tables[1].get(id(node))

    def reaching(self, var: Var, at: int) -> Binding | None:
        """The binding of ``var`` in force at position ``at`` of its scope: the last one before it."""
        found: Binding | None = None
        for binding in self.bindings.get(var, ()):
            if binding.order > at:
                break
            found = binding
        return found

    def next_binding(self, var: Var, after: int) -> Binding | None:
        """The first ``var = …`` strictly after position ``after``: where the value bound before ends."""
        for binding in self.bindings.get(var, ()):
            if binding.order > after and binding.kind == "assign":
                return binding
        return None

    def replaced_after(self, var: Var, after: int) -> Binding | None:
        """For a module-level variable: its first binding after position ``after`` that no branch
        or loop guards (the cell of a notebook that builds the model again), which ends the value
        bound before it for the module-level code that follows."""
        if var.scope != MODULE:
            return None
        return next((binding for binding, unconditional in self._module_bindings(var.name)
                     if binding.order > after and unconditional), None)

    def _module_bindings(self, name: str) -> Iterator[tuple[Binding, bool]]:
        """Each module-level binding of a name, in order, with whether no branch or loop guards it
        and it binds one expression."""
        for binding, (_, unconditional) in zip(self.bindings_of(Var(name, MODULE)), self.module_history.get(name, ())):
            yield binding, unconditional is not None

    def replacement_before(self, name: str, owners: AbstractSet[Var], after: int, at: int) -> Binding | None:
        """The binding of the module-level variable ``name`` in force at call position ``at`` when
        it comes after position ``after``, no branch or loop guards it, and its value is not
        computed from ``owners``: a notebook cell that builds a new model under the old name before
        running it (None otherwise). What calls grow it with in between (``model.add(base)``)
        counts as computing it."""
        last: tuple[Binding, bool] | None = None
        for binding, unconditional in self._module_bindings(name):
            if binding.order > at:
                break
            last = binding, unconditional
        if last is None:
            return None
        binding, unconditional = last
        if not unconditional or binding.order <= after or binding.kind != "assign" or binding.value is None:
            return None
        used = set(self.names_used(binding.value, MODULE))
        for call in self.calls:
            if call.scope.is_module and binding.order <= call.index < at and call.receiver == name:
                used.update(var for argument in call.node.args for var in self.names_used(argument.value, MODULE))
        return None if self.reaches(used) & owners else binding

    def rebound_between(self, vars: Iterable[Var], start: int, end: int) -> bool:
        """Whether any of ``vars`` is assigned a new value strictly between two positions in call
        order: one not computed from them (``x = load_other()``, not ``x = x[:100]`` nor
        ``x, x_val = train_test_split(shuffle(x))``)."""
        wanted = set(vars)
        for var in wanted:
            for binding in self.bindings.get(var, ()):
                if not start < binding.order < end or binding.kind != "assign":
                    continue
                value = getattr(binding.node, "value", None)
                if not isinstance(value, cst.BaseExpression) or not self.reaches(self.names_used(value, var.scope)) & wanted:
                    return True
        return False

    # Data flow -----------------------------------------------------------------------------
    def reaches(self, vars: Iterable[Var]) -> set[Var]:
        """Every variable the given ones were (transitively) computed from, themselves included:
        from every binding of the given ones, and from there on what each module-level statement
        read when it ran (see :meth:`_reach`).

        ``x.name`` also reaches what ``name`` is for the module's classes (see :attr:`_members`).
        """
        asked = frozenset(vars)
        found = self._reached.get(asked)
        if found is None:
            found = self._reached[asked] = frozenset(self._reach(asked))
        return set(found)

    def _reach(self, vars: AbstractSet[Var]) -> set[Var]:
        """What ``vars`` were computed from. A module-level statement outside any loop reads what
        was bound before it: from a variable reached through such a statement's read, only its
        bindings made before that statement are followed (``labels`` read by ``Labels =
        pd.Series(labels)`` is not what a later cell's ``imgs, labels = next(train_gen)`` binds).
        Everything else is followed whatever its place (reads in functions and loops, values
        added by ``append`` or stored into items)."""
        deps, untimed, timed = self._flow
        members = self._members
        if not timed:  # no module-level code binds anything: every binding counts
            seen: set[Var] = set()
            pending = list(vars)
            while pending:
                var = pending.pop()
                if var not in seen:
                    seen.add(var)
                    pending.extend(deps.get(var, ()))
                    if members and "." in var.name:
                        pending.extend(self._member_vars(var))
            return seen
        # For each variable reached, the latest position it is read at (_ANYWHERE: with no limit).
        limits: dict[Var, int] = {}
        stack = [(var, _ANYWHERE) for var in vars]
        while stack:
            var, limit = stack.pop()
            if limits.get(var, -1) >= limit:
                continue
            limits[var] = limit
            bindings = timed.get(var)
            if bindings is None:
                stack.extend((found, _ANYWHERE) for found in deps.get(var, ()))
            else:
                stack.extend((found, _ANYWHERE) for found in untimed.get(var, ()))
                for order, read in bindings:
                    if order <= limit:
                        stack.extend((found, order if found.scope == MODULE else _ANYWHERE) for found in read)
            if members and "." in var.name:
                stack.extend((found, _ANYWHERE) for found in self._member_vars(var))
        return set(limits)

    def reaches_through_callers(self, vars: Iterable[Var]) -> set[Var]:
        """:meth:`reaches`, and where that leads to a parameter of one of the module's functions,
        on to the arguments every call of the function passes it (``for x in loader`` inside
        ``def train_one_epoch(model, loader)``, called as ``train_one_epoch(model, train_loader)``).
        For questions asked from inside a function about where its data comes from: all the
        function's callers count."""
        return self._through(vars, self._all_parameter_arguments)

    def _through(self, vars: Iterable[Var], arguments: Mapping[Var, frozenset[Var]]) -> set[Var]:
        found = self.reaches(vars)
        frontier = found
        for _ in range(4):  # functions calling functions, a few levels up
            # A parameter reached through what its function returns (``val_ds = make(val_df,
            # val_tf)`` reaching ``make``'s ``transform``) stands for that call's argument, which
            # the assignment already reads: not for what the function's other calls pass.
            more = {var for parameter in frontier if not _returned_from(parameter, found)
                    for var in arguments.get(parameter, ())} - found
            if not more:
                break
            frontier = self.reaches(more) - found
            found |= frontier
        return found

    def passed_to(self, parameter: Var) -> frozenset[Var]:
        """The names the calls of a module function pass to its ``parameter`` (none for other variables)."""
        return self._all_parameter_arguments.get(parameter, frozenset())

    @cached_property
    def _all_parameter_arguments(self) -> Mapping[Var, frozenset[Var]]:
        """:attr:`_parameter_arguments`, and the arguments of calls of instances of the module's
        model classes (``net(images)`` where ``net`` is, through names and callers, a ``Net(…)``
        whose class defines ``forward``, ``call`` or ``__call__``) bound to that method's parameters."""
        base = self._parameter_arguments
        runs = {scope.owner: scope for scope in self._scope_functions if scope.owner and scope.name in _RUN_METHODS}
        if not runs:
            return base
        found = {var: set(used) for var, used in base.items()}
        classes_reached: dict[Var, set[str]] = {}
        for call in self.calls:
            func = call.node.func
            if call.qualname is not None or not call.node.args:
                continue
            if isinstance(func, cst.Name) and func.value not in self.functions and func.value not in runs:
                callee = func.value
            elif call.receiver == "self" and call.method in self._self_attributes and not call.scope.is_module:
                callee = f"self.{call.method}"
            else:
                continue
            var = self.qualify(callee, call.scope)
            if var not in classes_reached:
                classes_reached[var] = {v.name for v in self._through({var}, base) if v.scope.is_module} & runs.keys()
            for owner in classes_reached[var]:
                parameters = [param.name.value for param in _parameters(self._scope_functions[runs[owner]])][1:]
                for parameter, argument in _bound_arguments(call.node, parameters):
                    found.setdefault(Var(parameter, runs[owner]), set()).update(self.names_used(argument.value, call.scope))
        return {var: frozenset(used) for var, used in found.items()}

    def same_object(self, var: Var, targets: AbstractSet[Var], depth: int = 4) -> bool:
        """Whether ``var`` names one of ``targets`` itself, not something computed from it: through
        plain rebinding (``s = scheduler``) and parameters given the name (``train(model, scheduler)``)."""
        if var in targets:
            return True
        if depth == 0:
            return False
        aliases = set(self.passed_to(var))
        for binding in self.bindings_of(var):
            if binding.kind == "assign" and isinstance(binding.value, cst.Name):
                aliases.add(self.qualify(binding.value.value, var.scope))
        return any(self.same_object(alias, targets, depth - 1) for alias in aliases)

    @cached_property
    def _parameter_arguments(self) -> Mapping[Var, frozenset[Var]]:
        """Each parameter of the module's functions, and the names the calls of the function pass
        it (positionally or by keyword; ``self.f(x)`` binds ``x`` to the parameter after ``self``,
        and ``Trainer(model, loader)`` binds them to the parameters of its class's ``__init__``)."""
        found: dict[Var, set[Var]] = {}
        constructed = self._constructed_classes
        for call in self.calls:
            func = call.node.func
            if call.qualname is not None:
                continue
            if isinstance(func, cst.Name) and func.value in constructed:
                # Trainer(model, loader): the arguments of the class's __init__
                scopes = self.function_scopes("__init__", func.value)
            elif isinstance(func, cst.Name):
                scopes = self.function_scopes(func.value, "")
            elif isinstance(func, cst.Attribute):
                receiver = func.value
                own = receiver.value == "self" if isinstance(receiver, cst.Name) else False
                scopes = self.function_scopes(func.attr.value, call.scope.owner if own else None)
            else:
                continue
            for inside in scopes:
                definition = self._scope_functions[inside]
                parameters = [param.name.value for param in _parameters(definition)]
                if (isinstance(func, cst.Attribute) or inside.owner) and parameters[:1] in (["self"], ["cls"]):
                    parameters = parameters[1:]
                for parameter, argument in _bound_arguments(call.node, parameters):
                    found.setdefault(Var(parameter, inside), set()).update(self.names_used(argument.value, call.scope))
        return {var: frozenset(used) for var, used in found.items()}

    @cached_property
    def module_level_names(self) -> frozenset[str]:
        """The plain names the module binds at its top level: assigned names, functions and classes."""
        found = {var.name for var in self.bindings if var.scope.is_module and "." not in var.name}
        found.update(statement.name.value for statement in self.module.body
                     if isinstance(statement, (cst.ClassDef, cst.FunctionDef)))
        return frozenset(found)

    @cached_property
    def _constructed_classes(self) -> frozenset[str]:
        """The classes defined at the module's top level with an ``__init__`` whose parameters a
        call of the class binds; not classes whose instances are data (``__getitem__``, ``__iter__``, ``__next__``): a dataset is
        built once per split with different transforms, and what each instance holds is followed
        by the class's instance state instead, not by one ``__init__`` shared by every call."""
        found: set[str] = set()
        for statement in self.module.body:
            if isinstance(statement, cst.ClassDef) and isinstance(statement.body, cst.IndentedBlock):
                members = {member.name.value for member in statement.body.body if isinstance(member, cst.FunctionDef)}
                if "__init__" in members and not members & ITEM_METHODS:
                    found.add(statement.name.value)
        return frozenset(found)

    def _member_vars(self, var: Var) -> list[Var]:
        """What ``x.name`` may stand for (:attr:`_members`): for ``self.name`` in a method, the
        members of that method's class when it has one of that name; else those of every class."""
        entries = self._members.get(var.name.rpartition(".")[2], ())
        if var.name.startswith("self.") and var.scope.owner:
            own = [member for owner, member in entries if owner == var.scope.owner]
            if own:
                return own
        return [member for _, member in entries]

    @cached_property
    def _members(self) -> Mapping[str, tuple[tuple[str, Var], ...]]:
        """What ``x.name`` may stand for where ``x`` is an instance of one of the module's classes
        (``.name`` where it is not a name: ``Loader().make``): a method, for what it returns
        (``ds.map(self.process)``, ``loader.make_dataset(…)``), or an attribute its methods set
        (``self.model = self.build_model()``, run as ``trainer.model.fit``)."""
        found: dict[str, list[tuple[str, Var]]] = {}
        for name, scope, kind, _, _, _ in self._records.bindings:
            if kind == "def" and scope.kind == "class" and name in self.returns:
                found.setdefault(name, []).append((scope.name, Var(name, MODULE)))
        for assignment in self.attribute_assignments:
            owner, _, attribute = assignment.target.partition(".")
            if owner == "self" and attribute and "." not in attribute and not assignment.scope.is_module:
                # ``self.encoder`` read in ``forward`` is the ``self.encoder`` its ``__init__`` bound.
                cls = assignment.scope.owner
                found.setdefault(attribute, []).append((cls, self.qualify(assignment.target, assignment.scope)))
                found[attribute].extend((cls, used) for used in self.names_used(assignment.value, assignment.scope))
        return {name: tuple(dict.fromkeys(vars)) for name, vars in found.items()}

    @cached_property
    def _self_attributes(self) -> frozenset[str]:
        """The attributes the module's methods set on ``self`` (``self.encoder = resnet50(…)``)."""
        return frozenset(
            assignment.target[5:] for assignment in self.attribute_assignments
            if assignment.target.startswith("self.") and "." not in assignment.target[5:] and not assignment.scope.is_module
        )

    def flows_into(self, source: Var, target: Var) -> bool:
        """Whether ``target``'s value was (transitively) computed from ``source``'s."""
        return source in self.reaches({target})

    def computed_from(self, var: Var) -> AbstractSet[Var]:
        """The variables ``var`` was directly computed from (one step of :meth:`reaches`)."""
        return self._deps.get(var, frozenset())

    def consumers(self, owners: frozenset[Var]) -> Iterator[tuple[CallSite, set[Var]]]:
        """Calls that run a model built from ``owners`` (``model.fit(x)``, ``base(x)``), each with
        everything its model and its data were computed from."""
        for index, (call, model_flow) in enumerate(self._model_runs):
            if owners & model_flow:
                yield call, model_flow | self._data_of_run(index)

    def fed_to_a_model(self, owners: frozenset[Var], bound_at: int | None = None) -> bool:
        """Whether ``owners`` flow into the data of any call that runs a model (``fit``,
        ``predict`` … of any model, or a model called on them). ``bound_at``: the call-order
        position of the module-level binding meant; a run before it, or after the names were
        bound anew, is fed by another value (``test_datagen`` defined, never used, and redefined
        before the prediction)."""
        return any(
            owners & self._data_of_run(index)
            and (bound_at is None or not call.scope.is_module
                 or (call.index > bound_at and not self.rebound_between(owners, bound_at, call.index)))
            for index, (call, _) in enumerate(self._model_runs)
        )

    def _data_of_run(self, index: int) -> frozenset[Var]:
        """For the ``index``-th of :attr:`_model_runs`, everything its call's arguments were computed
        from; for a run inside a loop (``for x, y in loader: model(x)`` in
        ``train_one_epoch(model, loader)``), through the arguments the function's callers pass it too."""
        found = self._run_data.get(index)
        if found is None:
            call = self._model_runs[index][0]
            reach = self.reaches_through_callers if call.loops or call.scope.name in _RUN_METHODS and call.scope.owner else self.reaches
            found = self._run_data[index] = frozenset(reach(self.names_used(call.node, call.scope)))
        return found

    @cached_property
    def _model_runs(self) -> tuple[tuple[CallSite, set[Var]], ...]:
        """Calls that may run a model, each with what the model was computed from (for a run inside
        a loop, through the arguments the function's callers pass it: ``net(x)`` in
        ``train_one_epoch(net, loader)`` called with the module's ``model``)."""
        runs = []
        for call in self.calls:
            if call.qualname is not None:
                continue
            if call.method is not None:
                if call.receiver == "self" and call.method in self._self_attributes and not call.scope.is_module:
                    model = f"self.{call.method}"  # a sub-module applied in forward: ``self.encoder(x)``
                elif call.method not in MODEL_METHODS or call.receiver is None:
                    continue
                else:
                    model = call.receiver
            else:
                model = dotted(call.node.func) or ""
            if model:
                reach = self.reaches_through_callers if call.loops else self.reaches
                runs.append((call, reach({self.qualify(model, call.scope)})))
        return tuple(runs)

    def origins(
        self, node: cst.BaseExpression, scope: Scope, before: int | None = None, _depth: int = 0
    ) -> list[tuple[cst.BaseExpression, Scope]]:
        """The expressions a value may come from, each with the scope it is in.

        Follows names to the values assigned to them (with ``before``, only the last assignment
        that precedes call index ``before``, when there is one), ``x.append(…)``/``x.extend(…)``
        into a list, calls of the module's own functions to what they return, and flattens list,
        tuple and set displays and ``a + b``. Anything else is an origin: a call, a constant, an
        attribute, a parameter name with no assignment.
        """
        if _depth > 8:
            return []
        depth = _depth + 1
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            found: list[tuple[cst.BaseExpression, Scope]] = []
            for element in node.elements:
                found.extend(self.origins(element.value, scope, before, depth))
            return found
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            return self.origins(node.left, scope, before, depth) + self.origins(node.right, scope, before, depth)
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in self.functions:
            site = self.call_site(node)
            if site is not None and site.qualname is None and node.func.value in self.returns:
                function = node.func.value
                found = []
                for value in self.returns[function]:
                    found.extend(self.origins(value, self.return_scope(value), None, depth))
                return found
        if isinstance(node, cst.Name) and node.value not in ("True", "False", "None"):
            return self._name_origins(node, scope, before, depth)
        return [(node, scope)]

    def _name_origins(
        self, node: cst.Name, scope: Scope, before: int | None, depth: int
    ) -> list[tuple[cst.BaseExpression, Scope]]:
        name = node.value
        where = self.qualify(name, scope).scope
        bound = [a for a in self.assignments if a.scope == where and name in a.targets and len(a.targets) == 1]
        if before is not None:
            earlier = [a for a in bound if a.index <= before]
            if earlier:
                bound = [max(earlier, key=lambda a: a.index)]
        found: list[tuple[cst.BaseExpression, Scope]] = []
        for assignment in bound:
            found.extend(self.origins(assignment.value, where, before, depth))
        for call in self.calls:
            if call.receiver != name or call.qualname is not None or call.method not in ("append", "extend", "insert"):
                continue
            if call.scope != where and not (where.is_module and not self.is_local(name, call.scope)):
                continue
            if before is not None and call.index >= before:
                continue
            args = [arg for arg in call.node.args if arg.keyword is None]
            if call.method == "insert":
                args = args[1:]
            for arg in args[:1]:
                found.extend(self.origins(arg.value, call.scope, before, depth))
        return found if found or bound else [(node, scope)]

    def guarded_body(self, call: CallSite) -> cst.BaseSuite | None:
        """The block a call guards as a ``with`` item (``with torch.no_grad():``) or as a decorator
        (``@torch.no_grad()`` on a function): the statement's or the function's body, else None."""
        return self._guarded_bodies.get(id(call.node))

    @cached_property
    def _guarded_bodies(self) -> Mapping[int, cst.BaseSuite]:
        """``with`` items and decorators, by the id of their expression, with the body they guard
        (a walk over statements only)."""
        found: dict[int, cst.BaseSuite] = {}
        stack: list[cst.CSTNode] = list(self.module.body)
        while stack:
            statement = stack.pop()
            if isinstance(statement, cst.With):
                found.update((id(item.item), statement.body) for item in statement.items)
            elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                found.update((id(decorator.decorator), statement.body) for decorator in statement.decorators)
            for suite in _suites(statement):
                stack.extend(suite.body)
        return found

    # Calls ---------------------------------------------------------------------------------
    def call_site(self, node: cst.CSTNode) -> CallSite | None:
        """The CallSite of a ``cst.Call`` node of this module, or None."""
        return self._by_node.get(id(node))

    def calls_within(self, node: cst.CSTNode) -> list[CallSite]:
        """The calls inside a subtree (the node itself included), in source order."""
        site = self._by_node.get(id(node))
        if site is not None:
            return list(self.calls[site.index : site.end])
        finder = _OutermostCalls(self)
        walk(node, finder)
        return finder.found

    def calls_to(self, *qualnames: str) -> Iterator[CallSite]:
        """Calls whose callee resolves to one of ``qualnames``."""
        wanted = set(qualnames)
        return (call for call in self.calls if call.qualname in wanted)

    def method_calls(self, *methods: str) -> Iterator[CallSite]:
        """``obj.method(…)`` calls on a receiver that is not an imported module."""
        wanted = set(methods)
        return (call for call in self.calls if call.method in wanted and call.qualname is None)

    @cached_property
    def _local_calls(self) -> dict[str, set[str]]:
        """Which of the module's own functions each function calls by name ("" for module-level
        code), methods included where the receiver is an instance of the module's class (``self.fit()``,
        ``trainer.train()`` after ``trainer = Trainer(…)``); a function handed to a call as an argument (``xmp.spawn(run, …)``,
        ``Process(target=run)``, ``pool.map(work, items)``) counts as called by it."""
        called: dict[str, set[str]] = {}
        methods = {scope.name for scope in self._scope_functions if scope.owner}
        classes = {scope.owner for scope in self._scope_functions if scope.owner}
        for call in self.calls:
            func = call.node.func
            caller = call.scope.name if call.scope.name in self.functions else ""
            if call.qualname is None and isinstance(func, cst.Name) and func.value in self.functions:
                called.setdefault(caller, set()).add(func.value)
            elif (call.qualname is None and isinstance(func, cst.Attribute) and func.attr.value in methods
                  and self._instance_of(func.value, call.scope, classes)):
                called.setdefault(caller, set()).add(func.attr.value)  # trainer.train() on TrainEval(…)
            for argument in call.node.args:
                if isinstance(argument.value, cst.Name) and argument.value.value in self.functions:
                    called.setdefault(caller, set()).add(argument.value.value)
        return called

    def _instance_of(self, node: cst.BaseExpression, scope: Scope, classes: AbstractSet[str]) -> bool:
        """Whether an expression is an instance of one of ``classes`` of this module: ``self`` in a
        method, or a name bound to ``Cls(…)``."""
        if isinstance(node, cst.Name) and node.value == "self" and not scope.is_module:
            return True
        return any(isinstance(origin, cst.Call) and isinstance(origin.func, cst.Name) and origin.func.value in classes
                   for origin, _ in self.origins(node, scope))

    @cached_property
    def run_from_module(self) -> frozenset[str]:
        """The module's own functions that its module-level code calls, directly or through other
        functions of the module (by name, as ``functions`` holds them)."""
        called = self._local_calls
        reached: set[str] = set()
        stack = list(called.get("", ()))
        while stack:
            name = stack.pop()
            if name not in reached:
                reached.add(name)
                stack.extend(called.get(name, ()))
        return frozenset(reached)

    def functions_reaching(self, names: Iterable[str]) -> frozenset[str]:
        """The module's functions that are among ``names`` or call one of them, directly or
        through other functions of the module."""
        reaching = {name for name in names if name in self.functions}
        grown = True
        while grown:
            grown = False
            for caller, called in self._local_calls.items():
                if caller and caller not in reaching and called & reaching:
                    reaching.add(caller)
                    grown = True
        return frozenset(reaching)

    def branches_to(self, node: cst.CSTNode, within: cst.CSTNode | None = None
                    ) -> list[tuple[cst.If | cst.IfExp, bool]] | None:
        """The ``if`` statements and conditional expressions whose body or ``else`` holds ``node``
        (searched from ``within``, by default the module), outermost first, each with True when
        ``node`` is in its body; None when ``node`` is not inside ``within``."""
        path = code_path(within if within is not None else self.module, node)
        if path is None:
            return None
        return [(parent, child is parent.body) for parent, child in zip(path, path[1:])
                if isinstance(parent, (cst.If, cst.IfExp)) and child is not parent.test]

    def never_runs(self, site: CallSite | cst.CSTNode) -> bool:
        """Whether a call or statement sits in a branch that cannot run: the body of an ``if``
        whose test folds to a false value (``if not custom_weight:`` with ``custom_weight = True``),
        or the ``else`` of one whose test folds to a true value. A test that is a parameter of the
        enclosing function, or a parameter compared with a constant (``if requires_grad ==
        False:``), takes what every call passes it (``def prep(image, scale=False): if scale: …``
        only ever called without ``scale``, or only handed to ``ds.map``; the importer's calls for
        a function the module never calls)."""
        node = site.node if isinstance(site, CallSite) else site
        path = code_path(self.module, node) or []
        for depth, (parent, child) in enumerate(zip(path, path[1:])):
            if not isinstance(parent, cst.If):
                continue
            test = self._branch_test(parent.test, path[:depth])
            if test is UNKNOWN:
                continue
            if (child is parent.body and not test) or (child is parent.orelse and test):
                return True
        return False

    def _branch_test(self, test: cst.BaseExpression, enclosing: Sequence[cst.CSTNode]) -> object:
        """The folded value of an ``if`` test inside the given enclosing nodes (outermost first)."""
        function = next((node for node in reversed(enclosing) if isinstance(node, cst.FunctionDef)), None)
        if function is None:
            return self.value(test)
        name = _tested_parameter(test, self.value)
        parameter = next((p for p in _parameters(function) if p.name.value == name), None)
        if parameter is None or name is None:
            return self.value_in(test, self._def_scopes.get(id(function), Scope(function.name.value, "function")))
        passed = [value for _, value in self.arguments_for(function, name)] or self._external_values(function, name)
        if not passed:
            if parameter.default is None or self._wrapped(function.name.value):
                return UNKNOWN
            passed = [self.value(parameter.default)]  # only handed on (ds.map(prep)): called with its defaults
        truths = {_decided(test, partial(_only, name, value), self.value) for value in passed if value is not UNKNOWN}
        return truths.pop() if len(truths) == 1 and None not in truths and UNKNOWN not in passed else UNKNOWN

    def runs_for_call(self, node: cst.CSTNode, function: cst.FunctionDef, call: CallSite,
                      caller: SemanticModel | None = None) -> bool:
        """Whether ``node``, inside ``function``, can run when ``call`` calls the function: False
        when an ``if`` or conditional expression around it tests a parameter (``if train:``,
        ``mode == "train"``, ``mode != "valid"``, ``mode in ("train", "tr")``, ``not train``,
        ``augment is True``) and the argument the call passes (or the parameter's default)
        decides the test against ``node``'s branch (``get_dataloader(df, mode="valid")`` never
        takes the ``train_tf if mode == "train" else valid_tf`` training side). ``caller``: the
        model the call belongs to when it is another module's (it folds the arguments), by
        default this one."""
        return False not in self._branch_decisions(node, function, call, caller or self)

    def taken_by_no_call(self, node: cst.CSTNode, scope: Scope) -> bool:
        """Whether ``node``, in a branch of the module-level function ``scope`` that tests a
        parameter, can run for none of the function's calls: every reference to the function is a
        call of this module by its name, and each passes arguments that take another branch
        (``get_transforms(data="train")`` and ``(data="valid")`` never build the ``data == "cam"``
        pipeline)."""
        function = self.function_of(scope)
        if function is None or scope.owner or not self.branches_to(node, function):
            return False
        name = function.name.value
        calls = [call for call in self.calls
                 if call.qualname is None and isinstance(call.node.func, cst.Name) and call.node.func.value == name]
        if not calls or len(self.function_scopes(name, "")) != 1:
            return False
        if self._name_counts[name] != len(calls) + 1:
            return False  # also handed on or bound to another name: its other calls are out of sight
        return not any(self.runs_for_call(node, function, call) for call in calls)

    @cached_property
    def _name_counts(self) -> Counter[str]:
        """How many times each name is written in the module (attribute names left out)."""
        return Counter(found.value for found in name_nodes_in(self.module))

    def chosen_by_call(self, node: cst.CSTNode, function: cst.FunctionDef, call: CallSite,
                       caller: SemanticModel | None = None) -> bool:
        """Whether ``call``'s arguments select ``node``'s branch of ``function``: it sits in at
        least one ``if`` or conditional expression on a parameter, and the arguments decide every
        one of them for it (``get_transforms(data="valid")`` takes the ``elif data == "valid":``
        branch)."""
        decisions = self._branch_decisions(node, function, call, caller or self)
        return bool(decisions) and all(decisions)

    def runs_for_construction(self, node: cst.CSTNode, cls: str, call: CallSite) -> bool:
        """Whether ``node``, in a method of class ``cls``, can run for the instance ``call`` builds
        (``SimpsonsDataset(val_files, mode="val")``): False when an ``if`` around it in the method
        tests an attribute ``__init__`` set from one of its parameters (``self.mode = mode`` …
        ``if self.mode == "train": x = self.train_transform(x)``) and the call's argument (or the
        parameter's default) decides the test against ``node``'s branch."""
        method = next((function for scope, function in self._scope_functions.items()
                       if scope.owner == cls and scope.name != "__init__" and code_path(function, node) is not None), None)
        init_scopes = self.function_scopes("__init__", cls)
        init = self._scope_functions.get(init_scopes[0]) if init_scopes else None
        if method is None or init is None:
            return True
        declared = {param.name.value: param for param in _parameters(init)}
        from_parameters = {assignment.target: assignment.value.value for assignment in self.attribute_assignments
                           if assignment.scope == init_scopes[0] and assignment.target.startswith("self.")
                           and isinstance(assignment.value, cst.Name) and assignment.value.value in declared}
        positional = positional_parameters(init, bound=True)

        def argument(name: str) -> object:
            parameter = from_parameters.get(name)
            return UNKNOWN if parameter is None else self._passed(call, parameter, positional, declared, self)

        return False not in self._decisions(node, method, argument)

    def _passed(self, call: CallSite, parameter: str, positional: list[str], declared: Mapping[str, cst.Param],
                caller: SemanticModel) -> object:
        """The folded value ``call`` passes for a declared parameter (read in ``caller``, the call's
        module), or the parameter's default (read here); UNKNOWN through ``*args``/``**kwargs``."""
        passed = call.arg(parameter, positional.index(parameter) if parameter in positional else None)
        if passed is not None:
            return caller.value_in(passed.value, call.scope)
        default = declared[parameter].default
        if default is None or any(arg.star for arg in call.node.args):
            return UNKNOWN
        return self.value(default)

    def _branch_decisions(self, node: cst.CSTNode, function: cst.FunctionDef, call: CallSite,
                          caller: SemanticModel) -> list[bool | None]:
        """For each branch around ``node`` in ``function``: True when ``call``'s arguments decide
        it for ``node``, False when against, None when they do not decide it."""
        positional = positional_parameters(function, bound=isinstance(call.node.func, cst.Attribute))
        declared = {param.name.value: param for param in _parameters(function)}

        def argument(name: str) -> object:
            return UNKNOWN if name not in declared else self._passed(call, name, positional, declared, caller)

        return self._decisions(node, function, argument)

    def _decisions(self, node: cst.CSTNode, within: cst.FunctionDef, argument: Callable[[str], object]) -> list[bool | None]:
        """For each branch around ``node`` in ``within``: True when what ``argument`` says of the
        names its test reads decides it for ``node``, False when against, None when undecided."""
        decisions: list[bool | None] = []
        for branch, in_body in self.branches_to(node, within) or []:
            truth = _decided(branch.test, argument, self.value)
            decisions.append(None if truth is None else truth == in_body)
        return decisions

    def _wrapped(self, function: str) -> bool:
        """Whether a function is handed to ``functools.partial`` (which may bind its parameters)."""
        return any(
            call.qualname == "functools.partial" and call.node.args and isinstance(call.node.args[0].value, cst.Name)
            and call.node.args[0].value.value == function
            for call in self.calls
        )

    # Parameters ----------------------------------------------------------------------------
    def parameter_guards(self, call: CallSite) -> tuple[tuple[cst.FunctionDef, str], ...]:
        """``(function, parameter)`` for each ``if parameter:`` whose body holds ``call``, where
        ``parameter`` is a parameter of the function the call is in or of one that encloses it
        (``def make_input_fn(df, shuffle=True): def input_fn(): if shuffle: ds = ds.shuffle(…)``)."""
        if call.scope.is_module:
            return ()
        path = code_path(self.module, call.node) or []
        guards = []
        for depth, (node, child) in enumerate(zip(path, path[1:])):
            if not (isinstance(node, cst.If) and child is node.body and isinstance(node.test, cst.Name)):
                continue
            name = node.test.value
            owner = next((f for f in reversed(path[:depth]) if isinstance(f, cst.FunctionDef)
                          and any(p.name.value == name for p in _parameters(f))), None)
            if owner is not None:
                guards.append((owner, name))
        return tuple(guards)

    def arguments_for(self, function: cst.FunctionDef, parameter: str) -> list[tuple[CallSite, object]]:
        """Each call of ``function`` (by its name; a class's ``__init__`` by the class's name) with the
        folded value it passes for ``parameter`` (the parameter's default when it passes none;
        UNKNOWN through ``*args``/``**kwargs``)."""
        return [(call, value) for call, _, value in self._calls_passing(function, parameter)]

    def _calls_passing(self, function: cst.FunctionDef, parameter: str) -> list[tuple[CallSite, cst.BaseExpression | None, object]]:
        """:meth:`arguments_for`, with the expression each call passes (None: the default, or unpacked)."""
        name = function.name.value
        owner = self._owner_of(function) or ""
        constructed = bool(owner) and name == "__init__" and owner in self._constructed_classes
        if constructed:
            name = owner  # Classifier(arch, n): the parameters after self
        position, default = self._parameter_slot(function, parameter, bound=constructed)
        found: list[tuple[CallSite, cst.BaseExpression | None, object]] = []
        for call in self.calls:
            if call.qualname is not None or not isinstance(call.node.func, cst.Name) or call.node.func.value != name:
                continue
            argument = call.arg(parameter, position)
            if argument is not None:
                found.append((call, argument.value, self.value(argument.value)))
            elif any(arg.star for arg in call.node.args):
                found.append((call, None, UNKNOWN))
            else:
                found.append((call, None, default))
        return found

    def _owner_of(self, function: cst.FunctionDef) -> str | None:
        """The class a ``def`` is a method of ("" for a function), None for one the module does not list."""
        scope = self._def_scopes.get(id(function))
        return scope.owner if scope is not None else None

    def _parameter_slot(self, function: cst.FunctionDef, parameter: str, bound: bool) -> tuple[int | None, object]:
        """Where a call passes ``parameter`` by position (None: by keyword only), and its folded
        default (UNKNOWN without one); ``bound`` as :func:`positional_parameters` takes it."""
        positional = positional_parameters(function, bound=bound)
        declared = next((p for p in _parameters(function) if p.name.value == parameter), None)
        default = declared.default if declared is not None else None
        return (positional.index(parameter) if parameter in positional else None,
                self.value(default) if default is not None else UNKNOWN)

    # Values --------------------------------------------------------------------------------
    def value(self, node: cst.BaseExpression | None) -> object:
        """The folded value of an expression, or UNKNOWN."""
        return self.folder.fold(node)

    def value_in(self, node: cst.BaseExpression | None, scope: Scope) -> object:
        """The folded value of an expression read in ``scope``: in a function, a local name bound
        once (``rescale = 1.0 / 255`` … ``ImageDataGenerator(rescale=rescale)``) folds to its
        value, and a parameter or a local bound several times shadows the module's name."""
        if scope.kind != "function" or not self._local_names.get(scope):
            return self.value(node)
        folder = self._scope_folders.get(scope)
        if folder is None:
            local: dict[str, cst.BaseExpression] = {}
            function = self.function_of(scope)
            parameters = {parameter.name.value for parameter in _parameters(function)} if function is not None else set()
            for name in self._local_names[scope]:
                found = self.bindings_of(Var(name, scope))
                if name not in parameters and len(found) == 1 and found[0].kind == "assign" and found[0].value is not None:
                    local[name] = found[0].value
            folder = self._scope_folders[scope] = self.folder.scoped(local, self._local_names[scope])
        return folder.fold(node)

    def value_at(self, node: cst.BaseExpression | None, index: int) -> object:
        """The folded value of an expression in module-level code just before call ``index``.

        Unlike :meth:`value`, a name bound several times at module level (a notebook that sets
        ``EPOCHS = 10`` and later ``EPOCHS = 5``) takes the binding that precedes ``index``.
        Use it only for code that runs once, top to bottom (module scope, outside loops).
        """
        bindings: dict[str, cst.BaseExpression] = {}
        for name, history in self.module_history.items():
            latest: cst.BaseExpression | None = None
            for where, bound in history:
                if where > index:
                    break
                latest = bound
            if latest is not None:
                bindings[name] = latest
        return self.folder.with_bindings(bindings).fold(node)

    def possible_values(self, expression: cst.BaseExpression, scope: Scope) -> list[object]:
        """What an expression read in ``scope`` may be: its folded value; for a parameter of the
        function it is read in (``def get_model(weights_path): base.load_weights(weights_path)``),
        what each call of the function in this module passes (a module-level name it passes, what that
        name may hold there: :meth:`reaching_values`), and for ``args.epochs`` of a parameter ``args``
        the ``epochs`` of what each call passes; when the module never calls it (a helper another
        module calls), what the importer's calls pass (:attr:`external_calls`), else the parameter's
        default (``def initialize_model(use_pretrained=True)``). A module-level name bound several
        times may be any of its values."""
        function = self.function_of(scope)
        base = _base_name(expression)
        parameter = next((p for p in _parameters(function) if base is not None and p.name.value == base.value),
                         None) if function is not None else None
        if function is not None and parameter is not None and base is not expression:
            folded = self.value_in(expression, scope)
            if folded is not UNKNOWN:
                return [folded]
            # args.epochs of a parameter args: the attribute of what each call passes (a name of its scope).
            rebased: list[object] = []
            for call, given, _ in self._calls_passing(function, parameter.name.value):
                rebased.append(self.value_in(_rebased(expression, given), call.scope) if isinstance(given, cst.Name) else UNKNOWN)
            return rebased or [UNKNOWN]
        if function is None or parameter is None:
            folded = self.value_in(expression, scope)
            if folded is UNKNOWN and isinstance(expression, cst.Name) and self.qualify(expression.value, scope).scope == MODULE:
                return self.reaching_values(expression.value)
            return [folded]
        passed: list[object] = []
        for call, given, value in self._calls_passing(function, parameter.name.value):
            if value is UNKNOWN and isinstance(given, cst.Name) and self.qualify(given.value, call.scope).scope == MODULE:
                passed.extend(self.reaching_values(given.value, call.index if call.scope.is_module and not call.loops else None))
            else:
                passed.append(value)
        if passed:
            return passed
        external = self._external_values(function, parameter.name.value)
        if external or parameter.default is None:
            return external
        if scope.owner and any(call.method == function.name.value for call in self.calls):
            return [UNKNOWN]  # trainer.train(num_epochs=20): a method's calls are not matched by name
        return [self.value(parameter.default)]

    def _external_values(self, function: cst.FunctionDef, parameter: str) -> list[object]:
        """What the importer's calls of a module-level function (or of a class, for its
        ``__init__``) pass for ``parameter``, the default where a call passes nothing; empty
        when the importer calls it nowhere."""
        name = function.name.value
        owner = self._owner_of(function)
        if owner is None or (owner and name != "__init__"):
            return []
        self.asked_external.add(owner or name)
        calls = self.external_calls.get(owner or name, ())
        position, default = self._parameter_slot(function, parameter, bound=bool(owner))
        return [dict(keywords).get(parameter, given[position] if position is not None and position < len(given) else default)
                for given, keywords in calls]

    def reaching_values(self, name: str, at: int | None = None) -> list[object]:
        """The folded values a module-level name may hold just before call ``at`` (module-level code
        that runs once), or anywhere (given None): the last binding made unconditionally before
        ``at`` and every binding made after it in a branch or a loop (``n_epochs = 25`` under ``if
        len(sys.argv) < 2:``, ``n_epochs = int(sys.argv[2])`` under its ``else``: 25 and UNKNOWN);
        UNKNOWN for a binding whose value is not one expression (a loop target, ``+=``)."""
        values: list[cst.BaseExpression | None] = []
        for binding, unconditional in self._module_bindings(name):
            if at is not None and binding.order > at:
                break
            if at is not None and unconditional:
                values = []
            values.append(binding.value)
        return [self.value(value) if value is not None else UNKNOWN for value in values] or [UNKNOWN]

    def range_length(self, node: cst.BaseExpression | None, scope: Scope | None = None) -> int | None:
        """len(range(…)) for a call to the builtin ``range`` with foldable integer arguments
        (``range(const.NUM_EPOCHS)`` too: the constants of imported project modules fold). With
        the ``scope`` it is read in, a parameter counts for what the function's callers pass
        (:meth:`possible_values`; ``def train(num_epochs=25): for epoch in range(num_epochs)``),
        and the range is the shortest of those that can be told (a count read from the command
        line in one branch and written out in the other is the written one). tqdm's progress bars
        count as what they wrap: ``trange(n)``, ``tqdm(range(n))``, also through a name bound once
        (``pbar = trange(num_epochs)`` … ``for epoch in pbar``)."""
        if isinstance(node, cst.Name) and scope is not None:
            bindings = self.bindings_of(self.qualify(node.value, scope))
            if len(bindings) == 1 and isinstance(bindings[0].value, cst.Call) and self._progress_bar(bindings[0].value):
                node = bindings[0].value
        if isinstance(node, cst.Call) and self._progress_bar(node):
            resolved = self.imports.resolve(node.func) or ""
            if resolved.rpartition(".")[2] == "trange":  # trange(n, desc="Epoch"): range(n)
                node = node.with_changes(func=cst.Name("range"), args=[arg for arg in node.args if arg.keyword is None])
            elif node.args and not node.args[0].keyword and not node.args[0].star:
                node = node.args[0].value
        if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Name) or node.func.value != "range":
            return None
        if "range" in self.imports.bindings or any(arg.keyword is not None or arg.star for arg in node.args) or not 1 <= len(node.args) <= 3:
            return None
        choices = [self.possible_values(arg.value, scope) if scope is not None else [self.value(arg.value)] for arg in node.args]
        if math.prod(len(choice) for choice in choices) > _MOST_RANGES:
            return None  # too many callers to tell the shortest run
        lengths = [length for bounds in itertools.product(*choices) if (length := _range_length(bounds)) is not None]
        return min(lengths) if lengths else None

    def _progress_bar(self, call: cst.Call) -> bool:
        """``tqdm(…)``/``trange(…)`` of the tqdm package (``tqdm.auto``, ``tqdm.notebook`` …)."""
        resolved = self.imports.resolve(call.func) or ""
        return resolved.startswith("tqdm") and resolved.rpartition(".")[2] in ("tqdm", "trange")

    def value_of_call_arg(self, call: CallSite, node: cst.BaseExpression | None) -> object:
        """:meth:`value_at` for a call that runs once at module level, else :meth:`value`."""
        if call.scope.is_module and not call.loops:
            return self.value_at(node, call.index)
        return self.value(node)


def _returned_from(parameter: Var, found: AbstractSet[Var]) -> bool:
    """Whether ``found`` holds the return value of the module-level function ``parameter`` belongs to."""
    scope = parameter.scope
    return scope.kind == "function" and not scope.owner and Var(scope.name, MODULE) in found


def _base_name(expression: cst.BaseExpression) -> cst.Name | None:
    """The name a dotted expression starts from (``args`` of ``args.epochs``; a name is its own)."""
    while isinstance(expression, cst.Attribute):
        expression = expression.value
    return expression if isinstance(expression, cst.Name) else None


def _rebased(expression: cst.BaseExpression, base: cst.Name) -> cst.BaseExpression:
    """A dotted expression read from another name (``args.epochs`` as ``options.epochs``)."""
    if isinstance(expression, cst.Attribute):
        return expression.with_changes(value=_rebased(expression.value, base))
    return base


class _OutermostCalls(cst.CSTVisitor):
    """Collects the calls of a subtree: each outermost call with the calls nested in it."""

    def __init__(self, model: SemanticModel) -> None:
        self.model = model
        self.found: list[CallSite] = []

    def visit_Call(self, node: cst.Call) -> bool:
        site = self.model.call_site(node)
        if site is None:
            return True
        self.found.extend(self.model.calls[site.index : site.end])
        return False


def _bound_arguments(call: cst.Call, parameters: Sequence[str]) -> Iterator[tuple[str, cst.Arg]]:
    """Each argument of a call with the parameter it binds, by keyword or position (``*args`` and
    ``**kwargs`` and positions past the parameters bind nothing that can be named)."""
    for position, argument in enumerate(call.args):
        if argument.star:
            continue
        if argument.keyword is not None:
            yield argument.keyword.value, argument
        elif position < len(parameters):
            yield parameters[position], argument


def string_key(node: cst.Subscript) -> str | None:
    """The constant string a subscript indexes by (``d["val"]``), else None."""
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    key = node.slice[0].slice.value
    if isinstance(key, cst.SimpleString):
        value = key.evaluated_value
        return value if isinstance(value, str) else None
    return None


def subscripts_in(node: cst.CSTNode) -> list[cst.Subscript]:
    """The outermost subscripts in a subtree (``d["val"]`` in ``DataLoader(d["val"], …)``)."""
    found: list[cst.Subscript] = []

    class _Collect(cst.CSTVisitor):
        def visit_Subscript(self, sub: cst.Subscript) -> bool:
            found.append(sub)
            return False

    walk(node, _Collect())
    return found


def names_in(node: cst.CSTNode) -> set[str]:
    """Every plain name and dotted name used in a subtree (``a.b`` gives ``a`` and ``a.b``)."""
    collector = _NameCollector()
    walk(node, collector)
    return collector.names


def name_nodes_in(node: cst.CSTNode) -> list[cst.Name]:
    """Every ``Name`` node of a subtree in source order, but an attribute's own name (``attr`` of
    ``x.attr``, which names no variable)."""
    collector = _NameNodes()
    walk(node, collector)
    return collector.found


class _NameNodes(cst.CSTVisitor):
    WALK_SKIPS = frozenset({("Attribute", "attr")})

    def __init__(self) -> None:
        self.found: list[cst.Name] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.found.append(node)


def branches_in(node: cst.CSTNode) -> list[cst.If | cst.IfExp]:
    """Every ``if`` statement and conditional expression of a subtree, in source order."""
    collector = _Branches()
    walk(node, collector)
    return collector.found


class _Branches(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: list[cst.If | cst.IfExp] = []

    def visit_If(self, node: cst.If) -> None:
        self.found.append(node)

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self.found.append(node)


def unnamed_attribute(node: cst.Attribute) -> str | None:
    """``.make`` for ``Loader().make`` (an attribute of a value that is not a name, read as such);
    None for an inner link of a longer chain, whose outermost attribute stands for it."""
    return None if isinstance(node.value, cst.Attribute) else f".{node.attr.value}"


class _NameCollector(cst.CSTVisitor):
    # Attribute names (``.map``) and keywords (``rescale=``) are no reads.
    WALK_SKIPS = frozenset({("Attribute", "attr"), ("Arg", "keyword")})

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        name = dotted(node)
        if name is not None:
            self.names.add(name)
        else:
            unnamed = unnamed_attribute(node)
            if unnamed is not None:
                self.names.add(unnamed)


def loop_parts(node: cst.CSTNode) -> tuple[cst.BaseExpression, cst.BaseExpression, cst.CSTNode] | None:
    """A ``for`` loop's or a comprehension's iterable, target and body (None for a ``while``)."""
    if isinstance(node, cst.For):
        return node.iter, node.target, node.body
    if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
        return node.for_in.iter, node.for_in.target, node.elt
    if isinstance(node, cst.DictComp):
        return node.for_in.iter, node.for_in.target, node.value
    return None


def _suites(statement: cst.CSTNode) -> list[cst.BaseSuite]:
    """The blocks of statements a compound statement holds (its body, else, except, finally …)."""
    if not isinstance(statement, cst.BaseCompoundStatement):
        return []
    suites: list[cst.BaseSuite] = [statement.body]
    for name in ("orelse", "finalbody"):
        extra = getattr(statement, name, None)
        while isinstance(extra, (cst.If, cst.Else, cst.Finally)):
            suites.append(extra.body)
            extra = extra.orelse if isinstance(extra, cst.If) else None
    for handler in getattr(statement, "handlers", ()):
        suites.append(handler.body)
    if isinstance(statement, cst.Match):
        suites.extend(case.body for case in statement.cases)
    return [suite for suite in suites if isinstance(suite, cst.IndentedBlock)]


def _keyed_by_string(node: cst.Assign) -> bool:
    """Whether a subscript assignment stores under a string key (``df["label"] = …``)."""
    for target in node.targets:
        if isinstance(target.target, cst.Subscript) and any(
            isinstance(element.slice, cst.Index) and isinstance(element.slice.value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString))
            for element in target.target.slice
        ):
            return True
    return False


def _decided(test: cst.BaseExpression, argument: Callable[[str], object], fold: Callable[[cst.BaseExpression], object]) -> bool | None:
    """The truth of a test on a function's parameters, given what ``argument`` says each parameter
    is (UNKNOWN: not known), or None when it is not decided."""
    if isinstance(test, (cst.Name, cst.Attribute)):
        value = argument(dotted(test) or "")
        return None if value is UNKNOWN else bool(value)
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = _decided(test.expression, argument, fold)
        return None if inner is None else not inner
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return None
    target = test.comparisons[0]
    left, operator, right = test.left, target.operator, target.comparator
    left_name = dotted(left) if isinstance(left, (cst.Name, cst.Attribute)) else None
    right_name = dotted(right) if isinstance(right, (cst.Name, cst.Attribute)) else None
    if left_name is not None and argument(left_name) is not UNKNOWN:
        value, other = argument(left_name), fold(right)
    elif right_name is not None and isinstance(operator, (cst.Equal, cst.NotEqual)) and argument(right_name) is not UNKNOWN:
        value, other = argument(right_name), fold(left)
    else:
        return None
    if other is UNKNOWN:
        return None
    if isinstance(operator, (cst.Equal, cst.NotEqual)):
        return (value == other) == isinstance(operator, cst.Equal)
    if isinstance(operator, (cst.In, cst.NotIn)) and isinstance(other, (tuple, list, dict, str)) and isinstance(value, str):
        return (value in other) == isinstance(operator, cst.In)
    if isinstance(operator, (cst.Is, cst.IsNot)) and (other is None or isinstance(other, bool)):
        return (value is other) == isinstance(operator, cst.Is)  # if augment is True: / if mode is not None:
    return None


# The most argument combinations range_length weighs (a function called from that many places).
_MOST_RANGES = 64


def _range_length(bounds: tuple[object, ...]) -> int | None:
    """len(range(*bounds)) for integer bounds, else None."""
    if not all(isinstance(value, int) and not isinstance(value, bool) for value in bounds):
        return None
    try:
        steps = range(*(value for value in bounds if isinstance(value, int)))
    except ValueError:  # a zero step
        return None
    if steps.step > 0:  # len() of a range over 2**63 items raises OverflowError
        return max(0, (steps.stop - steps.start + steps.step - 1) // steps.step)
    return max(0, (steps.start - steps.stop - steps.step - 1) // -steps.step)


def _tested_parameter(test: cst.BaseExpression, fold: Callable[[cst.BaseExpression], object]) -> str | None:
    """The one name a branch test reads to decide it (evaluated by :func:`_decided`): ``if flag:``,
    or the name compared with a constant in ``flag == False``, ``mode != "train"``, ``weights is None``."""
    if isinstance(test, cst.Name):
        return test.value
    if not isinstance(test, cst.Comparison) or not isinstance(test.left, cst.Name) or len(test.comparisons) != 1:
        return None
    target = test.comparisons[0]
    if isinstance(target.comparator, cst.Name) and target.comparator.value not in ("True", "False", "None"):
        return None  # another variable, or a module constant
    constant = isinstance(fold(target.comparator), (bool, int, float, str, type(None)))
    return test.left.value if constant and isinstance(target.operator, (cst.Equal, cst.NotEqual, cst.Is, cst.IsNot)) else None


def _only(name: str, value: object, read: str) -> object:
    """What a test's ``argument`` says of ``read`` when only ``name`` is known, as ``value``."""
    return value if read == name else UNKNOWN


def positional_parameters(function: cst.FunctionDef, bound: bool) -> list[str]:
    """The names a call passes positionally to ``function``; ``bound``: called on an instance or
    a class (``obj.method(…)``, ``Class(…)`` for ``__init__``), so a first ``self``/``cls`` takes none."""
    names = [param.name.value for param in (*function.params.posonly_params, *function.params.params)]
    return names[1:] if bound and names[:1] in (["self"], ["cls"]) else names


def _parameters(function: cst.FunctionDef | None) -> list[cst.Param]:
    if function is None:
        return []
    params = function.params
    return [*params.posonly_params, *params.params, *params.kwonly_params]


