"""The one traversal of the CST: the raw material facts are made of.

:class:`Scan` records imports, calls (with scope, enclosing loops and the names their result is
bound to), assignments and the data flow between names, loops, returns and pixel arithmetic, in
a single pass; nothing is resolved here, since imports may come after their use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from reviewlint.facts import (
    MODULE_SCOPE,
    Assignment,
    AttributeAssignment,
    Loop,
    ParenthesizedTuple,
    SubscriptAssignment,
    names_in,
)
from reviewlint.names import ImportTable, dotted



@dataclass
class RawCall:
    node: cst.Call
    scope: str
    loops: tuple[cst.CSTNode, ...]
    assigned_to: tuple[str, ...]
    enclosing_call: str | None


@dataclass
class TupleAssign:
    targets: list[str]
    function: str
    names: set[str]
    scope: str


@dataclass
class Arithmetic:
    """``a / b``, ``a * b`` or ``a /= b``, ``a *= b``."""

    node: cst.BinaryOperation | cst.AugAssign
    left: cst.BaseExpression
    right: cst.BaseExpression
    divide: bool
    enclosing_call: str | None
    targets: tuple[str, ...]
    scope: str
    index: int


@dataclass
class Edge:
    """``target`` (bound in ``target_scope``) was computed from ``used`` (read in ``use_scope``)."""

    target: str
    target_scope: str
    used: set[str]
    use_scope: str


@dataclass
class Scan(cst.CSTVisitor):
    """Collects the raw material in one pass."""

    imports: ImportTable = field(default_factory=ImportTable)
    calls: list[RawCall] = field(default_factory=list)
    module_bindings: dict[str, cst.BaseExpression] = field(default_factory=dict)
    rebound: set[str] = field(default_factory=set)
    attribute_assignments: list[AttributeAssignment] = field(default_factory=list)
    loops: list[Loop] = field(default_factory=list)
    functions: dict[str, cst.FunctionDef] = field(default_factory=dict)
    returns: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    local_names: dict[str, set[str]] = field(default_factory=dict)
    tuple_assigns: list[TupleAssign] = field(default_factory=list)
    arithmetic: list[Arithmetic] = field(default_factory=list)
    binding_indexes: list[tuple[str, str, int]] = field(default_factory=list)
    renormalizations: list[cst.BinaryOperation] = field(default_factory=list)
    minus_one: set[int] = field(default_factory=set)
    subscript_assignments: list[SubscriptAssignment] = field(default_factory=list)
    parenthesized_tuples: list[ParenthesizedTuple] = field(default_factory=list)
    attribute_reads: list[tuple[str, cst.Attribute, str]] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    module_history: dict[str, list[tuple[int, cst.BaseExpression | None]]] = field(default_factory=dict)
    statement_calls: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        super().__init__()
        self._scopes: list[str] = [MODULE_SCOPE]
        self._loops: list[cst.CSTNode] = []
        self._collectors: list[set[str]] = []
        self._targets: list[tuple[str, ...]] = []
        self._call_names: list[str | None] = []
        self._lambda_params: list[frozenset[str]] = []
        self._index = 0
        self._conditions: list[tuple[cst.BaseExpression, bool]] = []

    # Imports -------------------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> bool:
        self.imports.add(node)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        self.imports.add(node)
        return False

    # Scopes and loops ------------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions[node.name.value] = node
        self._bind(node.name.value, None)
        self._scopes.append(node.name.value)
        params = node.params
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        every += [star for star in (params.star_arg, params.star_kwarg) if isinstance(star, cst.Param)]
        self.local_names.setdefault(node.name.value, set()).update(param.name.value for param in every)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._scopes.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._scopes.append(node.name.value)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._scopes.pop()

    def _enter_loop(self, node: cst.CSTNode) -> None:
        self._loops.append(node)
        self._collectors.append(set())

    def _leave_loop(self, node: cst.CSTNode) -> None:
        self._loops.pop()
        self.loops.append(Loop(node, self._collectors.pop(), self._scopes[-1]))

    def visit_For(self, node: cst.For) -> None:
        self._enter_loop(node)
        if isinstance(node.target, cst.Tuple) and node.target.lpar:
            self.parenthesized_tuples.append(ParenthesizedTuple(node.target, "for"))
        for name in target_names(node.target):
            self._bind(name, None)
            self.edges.append(Edge(name, self._scopes[-1], names_in(node.iter), self._scopes[-1]))

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

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._enter_loop(node)

    def leave_ListComp(self, original_node: cst.ListComp) -> None:
        self._leave_loop(original_node)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._enter_loop(node)

    def leave_SetComp(self, original_node: cst.SetComp) -> None:
        self._leave_loop(original_node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._enter_loop(node)

    def leave_DictComp(self, original_node: cst.DictComp) -> None:
        self._leave_loop(original_node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._enter_loop(node)

    def leave_GeneratorExp(self, original_node: cst.GeneratorExp) -> None:
        self._leave_loop(original_node)

    # Names and data flow ---------------------------------------------------------------------
    def visit_Lambda(self, node: cst.Lambda) -> None:
        params = node.params
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        every += [star for star in (params.star_arg, params.star_kwarg) if isinstance(star, cst.Param)]
        self._lambda_params.append(frozenset(param.name.value for param in every))

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._lambda_params.pop()

    def _shadowed(self, name: str) -> bool:
        """A lambda's parameter: local to the lambda, not the module-level name it spells."""
        return any(name in params for params in self._lambda_params)

    def visit_Name(self, node: cst.Name) -> None:
        if self._lambda_params and self._shadowed(node.value):
            return
        for names in self._collectors:
            names.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        name = dotted(node)
        if name is not None:
            self.attribute_reads.append((name, node, self._scopes[-1]))
            if self._lambda_params and self._shadowed(name.split(".", 1)[0]):
                return
            for names in self._collectors:
                names.add(name)

    def _bind(self, name: str, value: cst.BaseExpression | None) -> None:
        if len(self._scopes) > 1:
            self.local_names.setdefault(self._scopes[-1], set()).add(name)
            return
        unconditional = value if not (self._loops or self._conditions) else None
        self.module_history.setdefault(name, []).append((self._index, unconditional))
        if name in self.module_bindings or name in self.rebound or value is None:
            self.module_bindings.pop(name, None)
            self.rebound.add(name)
            return
        self.module_bindings[name] = value

    def visit_Assign(self, node: cst.Assign) -> None:
        targets: list[str] = []
        for target in node.targets:
            targets.extend(target_names(target.target))
            if isinstance(target.target, cst.Attribute):
                self.attribute_assignments.append(
                    AttributeAssignment(
                        dotted(target.target) or "",
                        node.value,
                        node,
                        self._scopes[-1],
                        tuple(self._loops),
                        self._index,
                        tuple(self._conditions),
                    )
                )
            elif isinstance(target.target, cst.Subscript):
                base = dotted(target.target.value) or ""
                self.subscript_assignments.append(SubscriptAssignment(base, node.value, node, self._scopes[-1]))
            elif isinstance(target.target, cst.Tuple) and target.target.lpar:
                self.parenthesized_tuples.append(ParenthesizedTuple(target.target, "assign"))
        for name in targets:
            self._bind(name, node.value if len(targets) == 1 else None)
            self.binding_indexes.append((name, self._scopes[-1], self._index))
        if targets:
            self.assignments.append(
                Assignment(tuple(targets), node.value, node, self._scopes[-1], tuple(self._loops), self._index)
            )
        self._targets.append(tuple(targets))
        self._collectors.append(set())

    def leave_Assign(self, original_node: cst.Assign) -> None:
        targets = self._targets.pop()
        names = self._collectors.pop()
        used = names - set(targets)
        value = original_node.value
        if (
            len(original_node.targets) == 1
            and isinstance(original_node.targets[0].target, (cst.Tuple, cst.List))
            and isinstance(value, cst.Call)
            and isinstance(value.func, cst.Name)
        ):
            self.tuple_assigns.append(TupleAssign(list(targets), value.func.value, used, self._scopes[-1]))
            return
        for name in targets:
            self.edges.append(Edge(name, self._scopes[-1], used, self._scopes[-1]))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        names = target_names(node.target)
        for name in names:
            self._bind(name, None)
            self.binding_indexes.append((name, self._scopes[-1], self._index))
        if isinstance(node.operator, (cst.DivideAssign, cst.MultiplyAssign)):
            self.arithmetic.append(
                Arithmetic(
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
        names = target_names(node.target)
        for name in names:
            self._bind(name, node.value)
        self._targets.append(tuple(names))
        self._collectors.append(set())

    def leave_AnnAssign(self, original_node: cst.AnnAssign) -> None:
        targets = self._targets.pop()
        used = self._collectors.pop() - set(targets)
        for name in targets:
            self.edges.append(Edge(name, self._scopes[-1], used, self._scopes[-1]))

    def visit_Return(self, node: cst.Return) -> None:
        scope = self._scopes[-1]
        if node.value is not None:
            self.returns.setdefault(scope, []).append(node.value)
            if isinstance(node.value, cst.Tuple) and node.value.lpar:
                self.parenthesized_tuples.append(ParenthesizedTuple(node.value, "return"))
        self._targets.append((scope,))
        self._collectors.append(set())

    def leave_Return(self, original_node: cst.Return) -> None:
        (scope,) = self._targets.pop()
        self.edges.append(Edge(scope, MODULE_SCOPE, self._collectors.pop(), scope))

    # Calls and arithmetic --------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(
            RawCall(
                node,
                self._scopes[-1],
                tuple(self._loops),
                self._targets[-1] if self._targets else (),
                self._call_names[-1] if self._call_names else None,
            )
        )
        self._call_names.append(dotted(node.func))
        self._index += 1

    def leave_Call(self, original_node: cst.Call) -> None:
        self._call_names.pop()

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if isinstance(node.operator, (cst.Divide, cst.Multiply)):
            self.arithmetic.append(
                Arithmetic(
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
                left = node.left
                if isinstance(left.operator, cst.Multiply) and any(
                    isinstance(side, (cst.Integer, cst.Float)) and side.value in ("2", "2.", "2.0")
                    for side in (left.left, left.right)
                ):
                    self.renormalizations.append(node)  # 2 * x - 1: [0, 1] -> [-1, 1]


def target_names(node: cst.BaseExpression) -> list[str]:
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
