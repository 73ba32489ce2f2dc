"""The one traversal of the CST, and the semantic model built from it.

:class:`Scan` records imports, calls (with scope, enclosing loops and the names their result is
bound to), bindings, assignments and the data flow between names, loops, returns and pixel
arithmetic, in a single pass; nothing is resolved while walking, since imports may come after
their use. :func:`build_model` then resolves names and freezes the result into a
:class:`~reviewlint.analysis.semantic.SemanticModel`. Rules that need syntax of their own pass their
hooks in, so that one walk serves everything (see :mod:`reviewlint.analysis.syntax_hooks`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import libcst as cst

from reviewlint.analysis.argparse_defaults import option_defaults
from reviewlint.analysis.constants import ConstantFolder
from reviewlint.analysis.imports import ImportTable, dotted
from reviewlint.knowledge.backbones import ONE_FAMILY_MODULES, backbone_family
from reviewlint.knowledge.modules import canonical
from reviewlint.analysis.semantic import (
    MODULE,
    Arithmetic,
    Assignment,
    AttributeAssignment,
    BindingKind,
    CallSite,
    Edge,
    ExternalCall,
    ITEM_METHODS,
    FlowRecords,
    GROWING_METHODS,
    InstanceState,
    Loop,
    RawBinding,
    Scope,
    SemanticModel,
    SubscriptAssignment,
    Unpacking,
    names_in,
    unnamed_attribute,
)
from reviewlint.analysis.syntax_hooks import SyntaxHooks, batched
from reviewlint.analysis.walk import walk
from reviewlint.source.project_constants import MUTATING_METHODS


@dataclass
class _RawCall:
    node: cst.Call
    scope: Scope
    loops: tuple[cst.CSTNode, ...]
    assigned_to: tuple[str, ...]
    callee: str | None  # the dotted name of the callee (``np.random.seed``), None when it is not one
    end: int = 0  # one past the index of the last call inside it


@dataclass
class _RawArithmetic:
    node: cst.BinaryOperation | cst.AugAssign
    left: cst.BaseExpression
    right: cst.BaseExpression
    divide: bool
    enclosing_call: str | None
    targets: tuple[str, ...]
    scope: Scope
    index: int


# The order of a module-level statement in a loop until the loop ends (Scan._statement_order).
_LOOP_END = -1

# Builtins whose result is a number or a flag made from their arguments, not the data itself.
_NUMBER_BUILTINS = frozenset({"len", "int", "float", "round", "bool", "isinstance", "hash", "id"})


@dataclass
class Scan(cst.CSTVisitor):
    """Collects the raw material of the semantic model in one pass."""

    imports: ImportTable = field(default_factory=ImportTable)
    calls: list[_RawCall] = field(default_factory=list)
    module_bindings: dict[str, cst.BaseExpression] = field(default_factory=dict)
    rebound: set[str] = field(default_factory=set)
    attribute_assignments: list[AttributeAssignment] = field(default_factory=list)
    loops: list[Loop] = field(default_factory=list)
    functions: dict[str, cst.FunctionDef] = field(default_factory=dict)
    scope_functions: dict[Scope, cst.FunctionDef] = field(default_factory=dict)
    return_scopes: dict[int, Scope] = field(default_factory=dict)
    returns: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    # For each edge (and each tuple assignment below), where its binding stands among the module's
    # bindings when it is made by module-level code outside any loop (None elsewhere): what it
    # reads is what was bound before it (FlowRecords.edge_order).
    edge_order: list[int | None] = field(default_factory=list)
    unpacked_order: list[int | None] = field(default_factory=list)
    # The same for the module-level calls that add to what a name holds (``labels.append(i)``).
    call_order: dict[int, int] = field(default_factory=dict)
    local_names: dict[Scope, set[str]] = field(default_factory=dict)
    tuple_assigns: list[Unpacking] = field(default_factory=list)
    arithmetic: list[_RawArithmetic] = field(default_factory=list)
    bindings: list[RawBinding] = field(default_factory=list)
    minus_one: set[int] = field(default_factory=set)
    subscript_assignments: list[SubscriptAssignment] = field(default_factory=list)
    updated_items: set[str] = field(default_factory=set)  # names whose items an augmented assignment changes
    attribute_reads: list[tuple[str, cst.Attribute, Scope]] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    module_history: dict[str, list[tuple[int, cst.BaseExpression | None]]] = field(default_factory=dict)
    statement_calls: set[int] = field(default_factory=set)
    stored: set[str] = field(default_factory=set)
    instance_state: list[InstanceState] = field(default_factory=list)
    # Classes whose instances are data: they define __getitem__, __iter__ or __next__.
    data_classes: set[str] = field(default_factory=set)
    # Configuration attributes: "CFG.model_name" for ``class CFG: model_name = "…"`` and for
    # ``self.model_name = "…"`` in ``CFG.__init__`` (module-level classes), bound once and
    # unconditionally; a key bound again, or assigned from outside, is dropped.
    config_attributes: dict[str, cst.BaseExpression] = field(default_factory=dict)
    reassigned_attributes: set[str] = field(default_factory=set)
    # ``cfg = Config()`` in any scope: the classes each name is made an instance of.
    instances: dict[str, set[str]] = field(default_factory=dict)

    # Names that are no variable's read: an attribute's name (``.map``, read as part of the
    # dotted name) and a keyword argument's (``rescale=``, a parameter's name).
    WALK_SKIPS = frozenset({("Attribute", "attr"), ("Arg", "keyword")})

    def __post_init__(self) -> None:
        super().__init__()
        self._scopes: list[Scope] = [MODULE]
        self._loops: list[cst.CSTNode] = []
        self._collectors: list[set[str]] = []
        self._targets: list[tuple[str, ...]] = []
        self._orders: list[int | None] = []
        # Orders to set when the module-level loop being walked ends (its body reads its own bindings).
        self._after_loop: list[tuple[list[int | None] | dict[int, int], int]] = []
        self._call_names: list[str | None] = []
        self._lambda_params: list[frozenset[str]] = []
        self._index = 0
        self._conditions: list[tuple[cst.BaseExpression, bool]] = []
        # Dotted names already computed for attribute nodes not yet visited (the inner links of
        # a chain, a callee): each chain is read once.
        self._dotted: dict[int, str | None] = {}
        self._open_calls: list[_RawCall] = []
        # Per open call, the collectors set aside while its arguments are read: a builtin that
        # returns a number (``len(files)``) passes no data on.
        self._suspended: list[list[set[str]] | None] = []

    def _dotted_name(self, node: cst.Attribute) -> str | None:
        key = id(node)
        name = self._dotted.pop(key) if key in self._dotted else dotted(node)
        inner, prefix = node.value, name
        while isinstance(inner, cst.Attribute):
            prefix = prefix.rpartition(".")[0] if prefix is not None else None
            self._dotted[id(inner)] = prefix
            inner = inner.value
        return name

    # Imports -------------------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> bool:
        self.imports.add(node)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        self.imports.add(node)
        return False

    # Scopes and loops ------------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.name.value in ITEM_METHODS and self._scopes[-1].kind == "class":
            self.data_classes.add(self._scopes[-1].name)
        self.functions[node.name.value] = node
        self._bind(node.name.value, None, "def", node)
        enclosing = self._scopes[-1]
        scope = Scope(node.name.value, "function", enclosing.name if enclosing.kind == "class" else "")
        self.scope_functions[scope] = node
        self._scopes.append(scope)
        params = node.params
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        every += [star for star in (params.star_arg, params.star_kwarg) if isinstance(star, cst.Param)]
        self.local_names.setdefault(scope, set()).update(param.name.value for param in every)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._scopes.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.stored.add(node.name.value)
        self._scopes.append(Scope(node.name.value, "class"))

    # Other bindings, recorded only as names bound somewhere (``with … as f``, ``except E as e``,
    # comprehension targets, ``x := …``, ``global x``): enough to keep a library's name from
    # being assumed where the module binds that name itself.
    def visit_AsName(self, node: cst.AsName) -> None:
        self.stored.update(target_names(node.name) if not isinstance(node.name, cst.Name) else [node.name.value])

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self.stored.update(target_names(node.target))

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.stored.update(target_names(node.target))

    def visit_Global(self, node: cst.Global) -> None:
        self.stored.update(item.name.value for item in node.names)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._scopes.pop()

    def _enter_loop(self, node: cst.CSTNode) -> None:
        self._loops.append(node)
        self._collectors.append(set())

    def _leave_loop(self, node: cst.CSTNode) -> None:
        self._loops.pop()
        self.loops.append(Loop(node, frozenset(self._collectors.pop()), self._scopes[-1]))
        if not self._loops and len(self._scopes) == 1:
            end = len(self.bindings)
            for orders, key in self._after_loop:
                orders[key] = end
            self._after_loop.clear()

    def visit_For(self, node: cst.For) -> None:
        self._enter_loop(node)
        order = self._statement_order()
        for name in target_names(node.target):
            self._bind(name, None, "for", node)
            self.edges.append((name, self._scopes[-1], names_in(node.iter), self._scopes[-1]))
            self.edge_order.append(None)
            self._record_order(self.edge_order, len(self.edge_order) - 1, order)

    def leave_For(self, original_node: cst.For) -> None:
        self._leave_loop(original_node)

    def visit_If_body(self, node: cst.If) -> None:
        self._conditions.append((node.test, False))

    def leave_If_body(self, node: cst.If) -> None:
        self._conditions.pop()

    def visit_If_orelse(self, node: cst.If) -> None:
        self._conditions.append((node.test, True))

    def leave_If_orelse(self, node: cst.If) -> None:
        self._conditions.pop()

    def visit_Expr(self, node: cst.Expr) -> None:
        if isinstance(node.value, cst.Call):
            self.statement_calls.add(id(node.value))

    def visit_While(self, node: cst.While) -> None:
        self._enter_loop(node)

    def leave_While(self, original_node: cst.While) -> None:
        self._leave_loop(original_node)

    def _enter_comprehension(self, node: cst.BaseComp) -> None:
        """A comprehension is a loop whose targets (``[f for f in files]``) are its own, like a
        lambda's parameters: not reads of the names they spell outside."""
        self._enter_loop(node)
        names: list[str] = []
        comp_for: cst.CompFor | None = node.for_in
        while comp_for is not None:
            names.extend(target_names(comp_for.target))
            comp_for = comp_for.inner_for_in
        self._lambda_params.append(frozenset(name.split(".", 1)[0] for name in names))

    def _leave_comprehension(self, original_node: cst.BaseComp) -> None:
        self._lambda_params.pop()
        self._leave_loop(original_node)

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _enter_comprehension
    leave_ListComp = leave_SetComp = leave_DictComp = leave_GeneratorExp = _leave_comprehension

    # Names and data flow ---------------------------------------------------------------------
    def visit_Lambda(self, node: cst.Lambda) -> None:
        params = node.params
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        every += [star for star in (params.star_arg, params.star_kwarg) if isinstance(star, cst.Param)]
        self._lambda_params.append(frozenset(param.name.value for param in every))

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._lambda_params.pop()

    def _shadowed(self, name: str) -> bool:
        """A lambda's parameter or a comprehension's target: its own, not the outer name it spells."""
        return any(name in params for params in self._lambda_params)

    def visit_Name(self, node: cst.Name) -> None:
        if self._lambda_params and self._shadowed(node.value):
            return
        for names in self._collectors:
            names.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        name = self._dotted_name(node)
        if name is not None:
            self.attribute_reads.append((name, node, self._scopes[-1]))
            if self._lambda_params and self._shadowed(name.split(".", 1)[0]):
                return
            for names in self._collectors:
                names.add(name)
        else:
            unnamed = unnamed_attribute(node)
            if unnamed is not None:
                for names in self._collectors:
                    names.add(unnamed)

    def _bind(self, name: str, value: cst.BaseExpression | None, kind: BindingKind, node: cst.CSTNode) -> None:
        scope = self._scopes[-1]
        self.bindings.append((name, scope, kind, node, self._index, value))
        if not scope.is_module:
            self.local_names.setdefault(scope, set()).add(name)
            return
        unconditional = value if not (self._loops or self._conditions) else None
        self.module_history.setdefault(name, []).append((self._index, unconditional))
        if name in self.module_bindings or name in self.rebound or value is None:
            self.module_bindings.pop(name, None)
            self.rebound.add(name)
            return
        self.module_bindings[name] = value

    def _config_attribute(self, target: cst.BaseExpression, attribute: str | None, value: cst.BaseExpression | None) -> None:
        """Record ``name = value`` in a module-level class body, or ``self.name = value`` in its
        ``__init__``, as the class's attribute; any other ``x.name = …`` (``attribute``, the dotted
        target) makes ``x.name`` unknown."""
        scopes = self._scopes
        key = None
        if attribute is None:
            if isinstance(target, cst.Name) and len(scopes) == 2 and scopes[1].kind == "class":
                key = f"{scopes[1].name}.{target.value}"
        elif (attribute.startswith("self.") and attribute.count(".") == 1 and len(scopes) == 3
                and scopes[1].kind == "class" and scopes[2].name == "__init__"):
            key = f"{scopes[1].name}.{attribute[5:]}"
        elif attribute:
            self.reassigned_attributes.add(attribute)
            return
        if key is None:
            return
        if key in self.config_attributes or value is None or self._loops or self._conditions:
            self.reassigned_attributes.add(key)
        else:
            self.config_attributes[key] = value

    def _statement_order(self) -> int | None:
        """Where the binding a statement is about to make stands among the module's bindings, for
        module-level code (None in functions and classes); in a module-level loop, where the loop
        ends (_LOOP_END until then: the body reads its own later bindings)."""
        if len(self._scopes) != 1:
            return None
        return _LOOP_END if self._loops else len(self.bindings)

    def _record_order(self, orders: list[int | None] | dict[int, int], key: int, order: int | None) -> None:
        """Record an order (see :meth:`_statement_order`), to be set at the loop's end if it is _LOOP_END."""
        if order is None:
            return
        orders[key] = order
        if order == _LOOP_END:
            self._after_loop.append((orders, key))

    def visit_Assign(self, node: cst.Assign) -> None:
        self._orders.append(self._statement_order())
        targets: list[str] = []
        stored: list[str] = []  # self.x targets: the call's result is bound to the instance's attribute
        single = node.value if len(node.targets) == 1 else None
        for target in node.targets:
            if isinstance(target.target, cst.Attribute):
                attribute = dotted(target.target) or ""
                self._config_attribute(target.target, attribute, single)
                if attribute.startswith("self.") and len(self._scopes) >= 3 and self._scopes[-2].kind == "class":
                    # self.transform = … in a method: what the class's instances carry.
                    self.instance_state.append((self._scopes[-2].name, self._scopes[-3], attribute, self._scopes[-1]))
                    if attribute.count(".") == 1:
                        stored.append(attribute)
                self.attribute_assignments.append(
                    AttributeAssignment(
                        attribute,
                        node.value,
                        node,
                        self._scopes[-1],
                        tuple(self._loops),
                        self._index,
                        tuple(self._conditions),
                    )
                )
                continue
            if len(self._scopes) == 2:
                self._config_attribute(target.target, None, single)
            targets.extend(target_names(target.target))
            for item, value in _stored_items(target.target, node.value):
                self.subscript_assignments.append(SubscriptAssignment(dotted(item.value) or "", value, node, self._scopes[-1]))
        if len(targets) == 1 and isinstance(node.value, cst.Call) and isinstance(node.value.func, cst.Name):
            self.instances.setdefault(targets[0], set()).add(node.value.func.value)
        values = _element_values(node) if len(targets) > 1 else None
        for position, name in enumerate(targets):
            self._bind(name, node.value if len(targets) == 1 else values[position] if values else None, "assign", node)
        if targets:
            self.assignments.append(
                Assignment(tuple(targets), node.value, node, self._scopes[-1], tuple(self._loops), self._index)
            )
        self._targets.append((*targets, *stored))
        self._collectors.append(set())

    def leave_Assign(self, original_node: cst.Assign) -> None:
        targets = self._targets.pop()
        order = self._orders.pop()
        names = self._collectors.pop()
        used = names - set(targets)
        value = original_node.value
        if (
            len(original_node.targets) == 1
            and isinstance(original_node.targets[0].target, (cst.Tuple, cst.List))
            and isinstance(value, cst.Call)
            and isinstance(value.func, (cst.Name, cst.Attribute))
        ):
            # a, b = f(…), and a, b = obj.method(…) (a method of the module's classes, by its name)
            function = value.func.value if isinstance(value.func, cst.Name) else value.func.attr.value
            self.tuple_assigns.append((targets, function, used, self._scopes[-1], value))
            self.unpacked_order.append(None)
            self._record_order(self.unpacked_order, len(self.unpacked_order) - 1, order)
            return
        for name in targets:
            self.edges.append((name, self._scopes[-1], used, self._scopes[-1]))
            self.edge_order.append(None)
            self._record_order(self.edge_order, len(self.edge_order) - 1, order)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Subscript):
            self.updated_items.add(dotted(node.target.value) or "")  # P["epochs"] += 1
        names = target_names(node.target)
        for name in names:
            self._bind(name, None, "augassign", node)
        if isinstance(node.operator, (cst.DivideAssign, cst.MultiplyAssign)):
            self.arithmetic.append(
                _RawArithmetic(
                    node,
                    node.target,
                    node.value,
                    isinstance(node.operator, cst.DivideAssign),
                    None,
                    tuple(names),
                    self._scopes[-1],
                    self._index,
                )
            )

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._orders.append(self._statement_order())
        self._config_attribute(node.target, dotted(node.target) or "" if isinstance(node.target, cst.Attribute) else None, node.value)
        names = target_names(node.target)
        for name in names:
            self._bind(name, node.value, "annassign", node)
        self._targets.append(tuple(names))
        self._collectors.append(set())

    def leave_AnnAssign(self, original_node: cst.AnnAssign) -> None:
        targets = self._targets.pop()
        order = self._orders.pop()
        used = self._collectors.pop() - set(targets)
        for name in targets:
            self.edges.append((name, self._scopes[-1], used, self._scopes[-1]))
            self.edge_order.append(None)
            self._record_order(self.edge_order, len(self.edge_order) - 1, order)

    def _open_result(self) -> None:
        """Start collecting what a ``return`` or a ``yield`` hands out of its function."""
        self._targets.append((self._scopes[-1].name,))
        self._collectors.append(set())

    def _close_result(self) -> set[str]:
        """The function's name now stands for what was read (its result), as a flow into it."""
        (name,) = self._targets.pop()
        read = self._collectors.pop()
        self.edges.append((name, MODULE, read, self._scopes[-1]))
        self.edge_order.append(None)
        return read

    def visit_Return(self, node: cst.Return) -> None:
        scope = self._scopes[-1]
        if node.value is not None:
            self.returns.setdefault(scope.name, []).append(node.value)
            self.return_scopes[id(node.value)] = scope
        self._open_result()

    def leave_Return(self, original_node: cst.Return) -> None:
        self._dataset_items(self._close_result())

    def _dataset_items(self, read: set[str]) -> None:
        """In ``__getitem__``/``__iter__``/``__next__`` of a class, what a ``return`` or a ``yield``
        reads is a dataset's items: what iterating over an instance (or a DataLoader of it) yields."""
        name = self._scopes[-1].name
        if name in ITEM_METHODS and len(self._scopes) >= 3 and self._scopes[-2].kind == "class":
            self.instance_state.extend((self._scopes[-2].name, self._scopes[-3], used, self._scopes[-1]) for used in read)

    # A generator function's name stands for what it yields, as for what a function returns
    # (``model.fit(batches(df))`` with ``def batches(df): … yield images / 255, labels``).
    def visit_Yield(self, node: cst.Yield) -> None:
        self._open_result()

    def leave_Yield(self, original_node: cst.Yield) -> None:
        self._dataset_items(self._close_result())

    # Calls and arithmetic --------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        callee = dotted(func)
        if isinstance(func, cst.Attribute):
            self._dotted[id(func)] = callee
        raw = _RawCall(node, self._scopes[-1], tuple(self._loops), self._targets[-1] if self._targets else (), callee)
        self.calls.append(raw)
        if isinstance(func, cst.Attribute) and func.attr.value in GROWING_METHODS:
            self._record_order(self.call_order, id(node), self._statement_order())
        self._open_calls.append(raw)
        self._call_names.append(callee)
        self._index += 1
        if callee in _NUMBER_BUILTINS:
            self._suspended.append(self._collectors)
            self._collectors = []
        else:
            self._suspended.append(None)

    def leave_Call(self, original_node: cst.Call) -> None:
        self._call_names.pop()
        self._open_calls.pop().end = self._index
        suspended = self._suspended.pop()
        if suspended is not None:
            self._collectors = suspended

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if isinstance(node.operator, (cst.Divide, cst.Multiply)):
            self.arithmetic.append(
                _RawArithmetic(
                    node,
                    node.left,
                    node.right,
                    isinstance(node.operator, cst.Divide),
                    self._call_names[-1] if self._call_names else None,
                    self._targets[-1] if self._targets else (),
                    self._scopes[-1],
                    self._index,
                )
            )
        elif isinstance(node.operator, cst.Subtract) and isinstance(node.left, cst.BinaryOperation):
            right = node.right
            if isinstance(right, (cst.Integer, cst.Float)) and right.value in ("1", "1.", "1.0"):
                self.minus_one.add(id(node.left))


def _stored_items(target: cst.BaseExpression, value: cst.BaseExpression) -> list[tuple[cst.Subscript, cst.BaseExpression]]:
    """The items an assignment target stores into, each with the value it gets: ``d[k] = v``, and
    each element of ``losses[epoch], accs[epoch] = loss, acc`` (the whole value when it is no
    display of as many elements)."""
    if isinstance(target, cst.Subscript):
        return [(target, value)]
    if not isinstance(target, (cst.Tuple, cst.List)):
        return []
    values = ([element.value for element in value.elements] if isinstance(value, (cst.Tuple, cst.List))
              and len(value.elements) == len(target.elements) else [value] * len(target.elements))
    return [(element.value, part) for element, part in zip(target.elements, values) if isinstance(element.value, cst.Subscript)]


def _element_values(node: cst.Assign) -> list[cst.BaseExpression] | None:
    """The value each name gets in ``a, b = x, y`` (plain names, as many as the plain elements of a
    tuple or list display), or None for another assignment."""
    if len(node.targets) != 1:
        return None
    target, value = node.targets[0].target, node.value
    if not isinstance(target, (cst.Tuple, cst.List)) or not isinstance(value, (cst.Tuple, cst.List)):
        return None
    if len(target.elements) != len(value.elements) or not all(isinstance(element.value, cst.Name) for element in target.elements) \
            or any(isinstance(element, cst.StarredElement) for element in (*target.elements, *value.elements)):
        return None
    return [element.value for element in value.elements]


def target_names(node: cst.BaseExpression) -> list[str]:
    """The plain names an assignment or loop target binds (tuples and starred targets flattened)."""
    if isinstance(node, cst.Name):
        return [node.value]
    if isinstance(node, (cst.Tuple, cst.List)):
        names: list[str] = []
        for element in node.elements:
            names.extend(target_names(element.value))
        return names
    if isinstance(node, cst.StarredElement):
        return target_names(node.value)
    return []


# Methods that store into the dict or list they are called on (its folded items are then unknown).
_MUTATING_METHODS = MUTATING_METHODS | {"__setitem__", "__delitem__"}


def build_model(
    module: cst.Module, hooks: Sequence[SyntaxHooks] = (), reexported: Mapping[str, Mapping[str, str]] | None = None,
    imported_constants: Mapping[str, object] | None = None, external_calls: Mapping[str, tuple[ExternalCall, ...]] | None = None,
) -> SemanticModel:
    """Walk a module once (the scan and any rules' syntax hooks together) and freeze its model.

    ``reexported``: for project modules the module star-imports, what their imports bind
    (see :attr:`reviewlint.analysis.imports.ImportTable.reexported`); ``imported_constants``: the
    constants of the project modules it imports, by its names for them
    (:func:`reviewlint.source.project_constants.imported_constants`); ``external_calls``: the calls a
    module that imports this one makes of its functions and classes (see :class:`SemanticModel`)."""
    scan = batched(Scan(), hooks) if hooks else Scan()
    if reexported:
        scan.imports.reexported = reexported
    walk(module, scan)
    scan.imports.bound = frozenset(
        {name for name, *_ in scan.bindings}.union(scan.stored, scan.imports.bindings, *scan.local_names.values())
    )
    attributes = {key: value for key, value in scan.config_attributes.items() if key not in scan.reassigned_attributes}
    # args.epochs for args = parser.parse_args(): the option's default (its value without flags).
    if "argparse" in scan.imports.packages:
        for key, default in option_defaults([(raw.node, raw.callee) for raw in scan.calls],
                                            [(name, value) for name, _, _, _, _, value in scan.bindings],
                                            scan.returns, scan.imports.resolve_dotted).items():
            if key not in scan.reassigned_attributes:
                attributes.setdefault(key, default)
    # A name only ever made an instance of one configuration class (``CFG = Config()`` in main(),
    # and the parameters named CFG it is passed to): its attributes are that class's.
    classes = {key.split(".", 1)[0] for key in attributes}
    instances = {name: next(iter(made)) for name, made in scan.instances.items() if len(made) == 1 and made <= classes}
    mutated = frozenset({stored.target for stored in scan.subscript_assignments}.union(scan.updated_items).union(
        raw.callee.rpartition(".")[0] for raw in scan.calls
        if raw.callee is not None and raw.callee.rpartition(".")[2] in _MUTATING_METHODS))
    folder = ConstantFolder(scan.module_bindings, attributes, frozenset(scan.reassigned_attributes), instances, mutated,
                            {name: value for name, value in (imported_constants or {}).items()
                             # not rebound here, nor set by this module (config.EPOCHS = args.epochs)
                             if name.split(".", 1)[0] not in scan.module_history and name not in scan.reassigned_attributes})
    chosen = _ChosenConstructors(scan.imports, folder, scan.module_bindings, scan.bindings)
    calls: list[CallSite] = []
    for index, raw_call in enumerate(scan.calls):
        func, callee = raw_call.node.func, raw_call.callee
        attribute = isinstance(func, cst.Attribute)
        calls.append(
            CallSite(
                node=raw_call.node,
                qualname=(scan.imports.resolve_dotted(callee) or (None if "." in callee else chosen.bound_qualname(callee, raw_call.scope)))
                if callee is not None else chosen.qualname(func, raw_call.scope),
                method=func.attr.value if isinstance(func, cst.Attribute) else None,
                receiver=callee.rpartition(".")[0] if attribute and callee is not None else None,
                scope=raw_call.scope,
                loops=raw_call.loops,
                assigned_to=raw_call.assigned_to,
                index=index,
                statement=id(raw_call.node) in scan.statement_calls,
                end=raw_call.end,
            )
        )
    arithmetic = tuple(
        Arithmetic(item.node, item.left, item.right, item.divide, item.enclosing_call, item.targets, item.scope,
                   item.index, id(item.node) in scan.minus_one)
        for item in scan.arithmetic
    )
    records = FlowRecords(
        edges=scan.edges,
        unpacked=scan.tuple_assigns,
        edge_order=scan.edge_order,
        unpacked_order=scan.unpacked_order,
        call_order=scan.call_order,
        bindings=scan.bindings,
        attribute_reads=scan.attribute_reads,
        instance_state=[state for state in scan.instance_state if state[0] in scan.data_classes],
    )
    return SemanticModel(
        module=module,
        imports=scan.imports,
        folder=folder,
        calls=tuple(calls),
        assignments=tuple(scan.assignments),
        attribute_assignments=tuple(scan.attribute_assignments),
        subscript_assignments=tuple(scan.subscript_assignments),
        loops=tuple(scan.loops),
        arithmetic=arithmetic,
        functions=scan.functions,
        returns={name: tuple(values) for name, values in scan.returns.items()},
        module_history={name: tuple(history) for name, history in scan.module_history.items()},
        _local_names={scope: frozenset(names) for scope, names in scan.local_names.items()},
        _records=records,
        _scope_functions=scan.scope_functions,
        _return_scopes=scan.return_scopes,
        external_calls=external_calls or {},
    )


# What a placeholder in ``getattr(efn, f"EfficientNetB{n}")`` may stand for: the variants that
# backbone families number or size (B0-B7, V2 S/M/L, ResNet 50/101/152 …).
_VARIANTS = ("0", "1", "2", "3", "4", "5", "6", "7", "S", "M", "L", "50", "101", "152", "121", "169", "201")


def _plain(value: object) -> str | None:
    """A folded value as an f-string shows it, for ints and strings (None otherwise)."""
    return str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else None


def _bound_once(bindings: list[RawBinding]) -> dict[tuple[str, Scope], cst.BaseExpression]:
    """The value of each name its scope binds exactly once, by plain assignment."""
    values: dict[tuple[str, Scope], cst.BaseExpression | None] = {}
    for name, scope, kind, _, _, value in bindings:
        key = (name, scope)
        values[key] = None if key in values or kind != "assign" else value
    return {key: value for key, value in values.items() if value is not None}


class _ChosenConstructors:
    """Backbone constructors chosen at run time: ``getattr(module, name)`` with a constant or
    f-string name (any name, for a module whose constructors are all of one family), or
    ``constructors[key]`` from a dict or list bound once at module level, called directly or
    through a name bound once to them (``constructor = getattr(efn, name)``). Such a call gets a
    qualified name only when every candidate is a backbone of one family (the same input
    expected): then any of them stands for all."""

    def __init__(self, imports: ImportTable, folder: ConstantFolder, bindings: dict[str, cst.BaseExpression],
                 all_bindings: list[RawBinding]) -> None:
        self.imports, self.folder, self.bindings, self._all_bindings = imports, folder, bindings, all_bindings

    @cached_property
    def bound_once(self) -> dict[tuple[str, Scope], cst.BaseExpression]:
        return _bound_once(self._all_bindings)

    def bound_qualname(self, callee: str, scope: Scope) -> str | None:
        """The constructor a plain name called in ``scope`` was bound to, if it was chosen so."""
        value = self.bound_once.get((callee, scope))
        if value is None and not scope.is_module:
            value = self.bound_once.get((callee, MODULE))
        if not isinstance(value, (cst.Call, cst.Subscript)):
            return None
        return self.qualname(value, scope)

    def qualname(self, func: cst.BaseExpression, scope: Scope = MODULE) -> str | None:
        candidates = self._candidates(func, scope)
        if not candidates:
            return None
        families = {id(backbone_family(name)) if backbone_family(name) is not None else None for name in candidates}
        return candidates[0] if len(families) == 1 and None not in families else None

    def _candidates(self, func: cst.BaseExpression, scope: Scope) -> list[str]:
        if isinstance(func, cst.Call) and isinstance(func.func, cst.Name) and func.func.value == "getattr" and len(func.args) >= 2:
            module = self.imports.resolve(func.args[0].value)
            name = func.args[1].value
            if module is None:
                return []
            folded = self.folder.fold(name)
            if isinstance(folded, str):
                return [canonical(f"{module}.{folded}")]
            if isinstance(name, cst.FormattedString):
                texts = [
                    part.value if isinstance(part, cst.FormattedStringText)
                    else _plain(self.folder.fold(part.expression)) if isinstance(part, cst.FormattedStringExpression) and part.format_spec is None and part.conversion is None
                    else None
                    for part in name.parts
                ]
                if None not in texts:  # f"EfficientNetB{N}" with N = 3 at module level
                    return [canonical(f"{module}." + "".join(text for text in texts if text is not None))]
                if texts.count(None) != 1:
                    return []
                return [
                    canonical(f"{module}." + "".join(text if text is not None else variant for text in texts))
                    for variant in _VARIANTS
                    if backbone_family(canonical(f"{module}." + "".join(text if text is not None else variant for text in texts)))
                ]
            if isinstance(name, (cst.Name, cst.Attribute, cst.Subscript)) and canonical(module) in ONE_FAMILY_MODULES:
                return [ONE_FAMILY_MODULES[canonical(module)]]  # getattr(efn, name): any of one family
            return []
        if isinstance(func, cst.Subscript) and isinstance(func.value, cst.Name):
            table = self.bindings.get(func.value.value) if scope.is_module else (
                self.bound_once.get((func.value.value, scope)) or self.bindings.get(func.value.value))
            if isinstance(table, (cst.Dict, cst.List, cst.Tuple)):
                values = [element.value for element in table.elements if isinstance(element, (cst.DictElement, cst.Element))]
                names = [self.imports.resolve(value) for value in values]
                return [name for name in names if name is not None] if all(names) else []
        return []
