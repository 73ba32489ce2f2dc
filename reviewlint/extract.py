"""One traversal of the CST that produces :class:`~reviewlint.facts.Facts`.

The traversal only records raw material (imports, calls, assignments, loops, arithmetic);
:func:`extract` then resolves qualified names once the whole import table is known and derives
the model: transforms, pipelines and their roles, backbones, normalization sites.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from reviewlint.consts import UNKNOWN, ConstantFolder, is_number
from reviewlint.facts import (
    MODULE_SCOPE,
    Assignment,
    Fit,
    PREDICT,
    TRAIN,
    TTA,
    VALIDATION,
    AttributeAssignment,
    Backbone,
    CallSite,
    Facts,
    Loop,
    Normalization,
    ParenthesizedTuple,
    Pipeline,
    PredictLoop,
    SubscriptAssignment,
    Transform,
    names_in,
)
from reviewlint.knowledge import backbones as backbone_table
from reviewlint.knowledge import transforms as transform_table
from reviewlint.knowledge import training as training_table
from reviewlint.knowledge.roles import FIT_METHODS, PLOTTING_CALLS, PREDICT_METHODS, WEIGHT_METHODS, role_from_name
from reviewlint.names import ImportTable, dotted
from reviewlint.traverse import walk

_LOOPS = (cst.For, cst.While, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
_UNIT = 1 / 255
_TF_SCALE = 1 / 127.5


@dataclass
class _RawCall:
    node: cst.Call
    scope: str
    loops: tuple[cst.CSTNode, ...]
    assigned_to: tuple[str, ...]
    enclosing_call: str | None


@dataclass
class _TupleAssign:
    targets: list[str]
    function: str
    names: set[str]
    scope: str


@dataclass
class _Arithmetic:
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
class _Edge:
    """``target`` (bound in ``target_scope``) was computed from ``used`` (read in ``use_scope``)."""

    target: str
    target_scope: str
    used: set[str]
    use_scope: str


@dataclass
class _Scan(cst.CSTVisitor):
    """Collects the raw material in one pass."""

    imports: ImportTable = field(default_factory=ImportTable)
    calls: list[_RawCall] = field(default_factory=list)
    module_bindings: dict[str, cst.BaseExpression] = field(default_factory=dict)
    rebound: set[str] = field(default_factory=set)
    attribute_assignments: list[AttributeAssignment] = field(default_factory=list)
    loops: list[Loop] = field(default_factory=list)
    functions: dict[str, cst.FunctionDef] = field(default_factory=dict)
    returns: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    edges: list[_Edge] = field(default_factory=list)
    local_names: dict[str, set[str]] = field(default_factory=dict)
    tuple_assigns: list[_TupleAssign] = field(default_factory=list)
    arithmetic: list[_Arithmetic] = field(default_factory=list)
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
        for name in _target_names(node.target):
            self._bind(name, None)
            self.edges.append(_Edge(name, self._scopes[-1], names_in(node.iter), self._scopes[-1]))

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
        if self._shadowed(node.value):
            return
        for names in self._collectors:
            names.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        name = dotted(node)
        if name is not None:
            self.attribute_reads.append((name, node, self._scopes[-1]))
            if self._shadowed(name.split(".", 1)[0]):
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
            targets.extend(_target_names(target.target))
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
            self.tuple_assigns.append(_TupleAssign(list(targets), value.func.value, used, self._scopes[-1]))
            return
        for name in targets:
            self.edges.append(_Edge(name, self._scopes[-1], used, self._scopes[-1]))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        names = _target_names(node.target)
        for name in names:
            self._bind(name, None)
            self.binding_indexes.append((name, self._scopes[-1], self._index))
        if isinstance(node.operator, (cst.DivideAssign, cst.MultiplyAssign)):
            self.arithmetic.append(
                _Arithmetic(
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
        names = _target_names(node.target)
        for name in names:
            self._bind(name, node.value)
        self._targets.append(tuple(names))
        self._collectors.append(set())

    def leave_AnnAssign(self, original_node: cst.AnnAssign) -> None:
        targets = self._targets.pop()
        used = self._collectors.pop() - set(targets)
        for name in targets:
            self.edges.append(_Edge(name, self._scopes[-1], used, self._scopes[-1]))

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
        self.edges.append(_Edge(scope, MODULE_SCOPE, self._collectors.pop(), scope))

    # Calls and arithmetic --------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(
            _RawCall(
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
                _Arithmetic(
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


def _target_names(node: cst.BaseExpression) -> list[str]:
    if isinstance(node, cst.Name):
        return [node.value]
    if isinstance(node, (cst.Tuple, cst.List)):
        names: list[str] = []
        for element in node.elements:
            names.extend(_target_names(element.value))
        return names
    if isinstance(node, cst.StarredElement):
        return _target_names(node.value)
    return []


def extract(module: cst.Module) -> Facts:
    """Build the facts of one parsed module."""
    scan = _Scan()
    walk(module, scan)  # module.visit(scan), without rebuilding the tree (reviewlint.traverse)
    facts = Facts(
        module=module,
        imports=scan.imports,
        folder=ConstantFolder(scan.module_bindings),
        attribute_assignments=scan.attribute_assignments,
        loops=scan.loops,
        functions=scan.functions,
        local_names=scan.local_names,
        subscript_assignments=scan.subscript_assignments,
        parenthesized_tuples=scan.parenthesized_tuples,
    )
    for name, node, scope in scan.attribute_reads:
        facts.attribute_reads.setdefault(facts.qualify(name, scope), []).append(node)
    for edge in scan.edges:
        key = facts.qualify(edge.target, edge.target_scope)
        facts.deps.setdefault(key, set()).update(facts.qualify(name, edge.use_scope) for name in edge.used)
    _resolve_tuple_assigns(scan, facts)
    by_node: dict[int, CallSite] = {}
    for index, raw in enumerate(scan.calls):
        func = raw.node.func
        method = func.attr.value if isinstance(func, cst.Attribute) else None
        receiver = dotted(func.value) if isinstance(func, cst.Attribute) else None
        site = CallSite(
            node=raw.node,
            qualname=scan.imports.resolve(func),
            method=method,
            receiver=receiver,
            scope=raw.scope,
            loops=raw.loops,
            assigned_to=raw.assigned_to,
            index=index,
        )
        facts.calls.append(site)
        by_node[id(raw.node)] = site
    _transforms_and_pipelines(facts, by_node)
    _backbones(facts)
    _normalizations(facts, scan)
    _roles(facts)
    _predict_loops(facts)
    facts.assignments = scan.assignments
    facts.module_history = scan.module_history
    facts.returns = scan.returns
    _fits(facts, scan, by_node)
    return facts


def _resolve_tuple_assigns(scan: _Scan, facts: Facts) -> None:
    """``a, b = f()`` where ``f`` returns a tuple: ``a`` depends on the first element only."""
    for pending in scan.tuple_assigns:
        returned = scan.returns.get(pending.function, [])
        positional = [
            value
            for value in returned
            if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(pending.targets)
        ]
        for position, name in enumerate(pending.targets):
            key = facts.qualify(name, pending.scope)
            deps = facts.deps.setdefault(key, set())
            if positional:
                for value in positional:
                    deps.update(facts.qualify(used, pending.function) for used in names_in(value.elements[position].value))
            else:
                deps.update(facts.qualify(used, pending.scope) for used in pending.names)
            deps.discard(key)


def _params(facts: Facts, call: CallSite, spec: transform_table.TransformSpec) -> dict[str, object]:
    params: dict[str, object] = {}
    positional = [arg for arg in call.node.args if arg.keyword is None and arg.star == ""]
    for name, arg in zip(spec.positional, positional):
        params[name] = facts.value(arg.value)
    for name, arg in call.keywords().items():
        params[name] = facts.value(arg.value)
    return params


def _transforms_and_pipelines(facts: Facts, by_node: dict[int, CallSite]) -> None:
    transforms: dict[int, Transform] = {}
    containers: list[CallSite] = []
    for call in facts.calls:
        if call.qualname is None:
            continue
        if transform_table.is_container(call.qualname):
            containers.append(call)
            continue
        spec = transform_table.lookup(call.qualname)
        if spec is None:
            continue
        transform = Transform(call, spec, _params(facts, call, spec))
        transforms[id(call.node)] = transform
        facts.transforms.append(transform)
        if spec is transform_table.IMAGE_DATA_GENERATOR:
            pipeline = Pipeline("image-data-generator", call, facts.owners(call), [transform])
            transform.pipeline = pipeline
            facts.pipelines.append(pipeline)

    nested: set[int] = set()
    for container in containers:
        for arg in container.node.args:
            for inner in _calls_in(arg.value, by_node):
                if transform_table.is_container(inner.qualname or ""):
                    nested.add(id(inner.node))
    by_name: dict[str, list[Transform]] = {}
    for transform in transforms.values():
        for name in transform.call.assigned_to:
            by_name.setdefault(name, []).append(transform)
    for container in containers:
        if id(container.node) in nested:
            continue
        pipeline = Pipeline("albumentations", container, facts.owners(container))
        members: list[Transform] = []
        for arg in container.node.args:
            if arg.keyword is not None and arg.keyword.value != "transforms":
                continue
            for inner in _calls_in(arg.value, by_node):
                found = transforms.get(id(inner.node))
                if found is not None and found not in members:
                    members.append(found)
            for name in names_in(arg.value):
                for found in by_name.get(name, []):
                    if found not in members:
                        members.append(found)
        for member in members:
            member.pipeline = pipeline
        pipeline.transforms = members
        facts.pipelines.append(pipeline)

    for call in facts.calls:
        if call.qualname == "keras.Sequential":
            layers = [transforms[id(inner.node)] for inner in _calls_in(call.node, by_node) if id(inner.node) in transforms]
            layers = [layer for layer in layers if layer.call.qualname and layer.call.qualname.startswith("keras.layers.")]
            if layers:
                pipeline = Pipeline("keras-layers", call, facts.owners(call), layers)
                for layer in layers:
                    layer.pipeline = pipeline
                facts.pipelines.append(pipeline)


def _calls_in(node: cst.CSTNode, by_node: dict[int, CallSite]) -> list[CallSite]:
    collector = _CallCollector(by_node)
    walk(node, collector)
    return collector.found


class _CallCollector(cst.CSTVisitor):
    def __init__(self, by_node: dict[int, CallSite]) -> None:
        self.by_node = by_node
        self.found: list[CallSite] = []

    def visit_Call(self, node: cst.Call) -> None:
        site = self.by_node.get(id(node))
        if site is not None:
            self.found.append(site)


def _backbones(facts: Facts) -> None:
    for call in facts.calls:
        if call.qualname is None:
            continue
        family = backbone_table.backbone_family(call.qualname)
        if family is None:
            continue
        weights_arg = call.arg("weights")
        weights: object = "imagenet" if weights_arg is None else facts.value(weights_arg.value)
        pretrained = weights is not None
        expects: str | None = family.expects
        include = call.arg("include_preprocessing")
        if include is not None and facts.value(include.value) is False:
            expects = None
        facts.backbones.append(Backbone(call, family, expects, weights, pretrained, facts.owners(call)))


def _close(value: object, target: float) -> bool:
    return is_number(value) and abs(float(value) - target) <= target * 0.01  # type: ignore[arg-type]


def _normalizations(facts: Facts, scan: _Scan) -> None:
    for call in facts.calls:
        qualname = call.qualname or ""
        if qualname in transform_table.IMAGE_DATA_GENERATOR_QUALNAMES:
            _generator_normalizations(facts, call)
        elif qualname == "keras.layers.Rescaling":
            scale_arg = call.arg("scale", 0)
            offset_arg = call.arg("offset", 1)
            scale = facts.value(scale_arg.value) if scale_arg is not None else UNKNOWN
            offset = facts.value(offset_arg.value) if offset_arg is not None else 0
            produces = _scale_convention(scale, offset)
            if produces is not None:
                facts.normalizations.append(
                    Normalization("rescaling-layer", produces, call.node, f"Rescaling({_fmt(scale)}"
                                  + (f", offset={_fmt(offset)})" if offset else ")"), call, facts.owners(call), call.index, call.scope)
                )
        else:
            mode = _preprocess_call_mode(facts, call)
            if mode is not None:
                facts.normalizations.append(
                    Normalization("preprocess-function", mode, call.node, f"{qualname}()", call, facts.owners(call), call.index, call.scope)
                )
    facts.renormalized = bool(scan.renormalizations)
    for name, scope, index in scan.binding_indexes:
        facts.binding_indexes.setdefault(facts.qualify(name, scope), []).append(index)
    for item in scan.arithmetic:
        node, enclosing = item.node, item.enclosing_call
        if enclosing is not None and enclosing.rsplit(".", 1)[-1] in PLOTTING_CALLS:
            continue
        left, right = facts.value(item.left), facts.value(item.right)
        if is_number(left) == is_number(right):
            continue  # constant arithmetic (1/255 itself), or no constant at all
        if item.divide:
            factor = 1 / right if is_number(right) and right else UNKNOWN  # type: ignore[operator]
        else:
            factor = right if is_number(right) else left
        offset = -1 if id(node) in scan.minus_one else 0
        produces = _scale_convention(factor, offset)
        if produces is None:
            continue
        text = facts.module.code_for_node(node)
        owners = frozenset(facts.qualify(name, item.scope) for name in item.targets)
        facts.normalizations.append(
            Normalization("arithmetic", produces, node, text.strip(), owners=owners, index=item.index, scope=item.scope)
        )


def _generator_normalizations(facts: Facts, call: CallSite) -> None:
    owners = facts.owners(call)
    function_arg = call.arg("preprocessing_function")
    if function_arg is not None:
        qualname = facts.imports.resolve(function_arg.value)
        mode = backbone_table.preprocess_mode(qualname) if qualname else None
        if mode is not None:
            facts.normalizations.append(
                Normalization("preprocess-function", mode, function_arg, f"preprocessing_function={qualname}", call, owners, call.index, call.scope)
            )
    rescale_arg = call.arg("rescale")
    if rescale_arg is not None:
        factor = facts.value(rescale_arg.value)
        produces = _scale_convention(factor, 0)
        if produces is not None:
            facts.normalizations.append(
                Normalization("rescale", produces, rescale_arg, "rescale=" + facts.module.code_for_node(rescale_arg.value), call, owners, call.index, call.scope)
            )


def _preprocess_call_mode(facts: Facts, call: CallSite) -> str | None:
    qualname = call.qualname or ""
    if qualname == backbone_table.IMAGENET_UTILS_PREPROCESS:
        mode_arg = call.arg("mode")
        mode = facts.value(mode_arg.value) if mode_arg is not None else "caffe"
        return mode if isinstance(mode, str) else None
    return backbone_table.preprocess_mode(qualname)


def _scale_convention(factor: object, offset: object) -> str | None:
    """'unit' for x/255, 'tf' for x/127.5 - 1, None for anything else."""
    if _close(factor, _UNIT) and offset == 0:
        return "unit"
    if _close(factor, _TF_SCALE) and is_number(offset) and abs(float(offset) + 1) < 0.01:  # type: ignore[arg-type]
        return "tf"
    return None


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value)


def _roles(facts: Facts) -> None:
    """Give each pipeline its roles: from use where data flow shows it, else from names."""
    by_owner: dict[str, list[Pipeline]] = {}
    for pipeline in facts.pipelines:
        for owner in pipeline.owners:
            by_owner.setdefault(owner, []).append(pipeline)

    def reached(names: set[str], at: int) -> list[Pipeline]:
        """Pipelines whose data reaches a use at call index ``at``; of several module-level
        pipelines bound to one name, only the last one bound before the use."""
        found: list[Pipeline] = []
        for name in facts.reaches(names):
            candidates = by_owner.get(name, [])
            earlier = [p for p in candidates if p.call.scope == MODULE_SCOPE and p.call.index < at]
            if earlier:
                latest = max(earlier, key=lambda p: p.call.index)
                candidates = [p for p in candidates if p is latest or p.call.scope != MODULE_SCOPE]
            for pipeline in candidates:
                if pipeline not in found:
                    found.append(pipeline)
        return found

    def mark(pipelines: list[Pipeline], role: str, evidence: str) -> None:
        for pipeline in pipelines:
            pipeline.roles.add(role)
            pipeline.role_evidence.setdefault(role, evidence)

    loops_with_predict: dict[int, int] = {}
    for call in facts.calls:
        if call.qualname is not None:
            continue
        if call.method in FIT_METHODS:
            data = call.arg("x", 0) or call.arg("generator", 0)
            if data is not None:
                for pipeline in reached(facts.names_used(data.value, call.scope), call.index):
                    pipeline.roles.add(TRAIN)
                    pipeline.role_evidence.setdefault(TRAIN, f"fed to {call.method}()")
                    pipeline.stage = max(pipeline.stage, call.index)
            validation = call.arg("validation_data")
            if validation is not None:
                mark(reached(facts.names_used(validation.value, call.scope), call.index), VALIDATION, f"validation_data of {call.method}()")
        elif call.method in PREDICT_METHODS:
            if call.loops:
                for loop in call.loops:
                    loops_with_predict.setdefault(id(loop), call.index)
            else:
                data = call.arg("x", 0) or call.arg("generator", 0)
                if data is not None:
                    mark(reached(facts.names_used(data.value, call.scope), call.index), PREDICT, f"fed to {call.method}()")
    for loop in facts.loops:
        if id(loop.node) in loops_with_predict:
            names = {facts.qualify(name, loop.scope) for name in loop.names}
            mark(reached(names, loops_with_predict[id(loop.node)]), TTA, "used in a loop around predict()")
    for pipeline in facts.pipelines:
        if not pipeline.roles:
            for owner in sorted(pipeline.owners):
                role = role_from_name(owner)
                if role is not None:
                    pipeline.roles.add(role)
                    pipeline.role_evidence.setdefault(role, f"named {owner!r}")


def _predict_loops(facts: Facts) -> None:
    """Each ``predict`` call inside a loop, with the innermost loop and how many times it runs."""
    loops = {id(loop.node): loop for loop in facts.loops}
    for call in facts.calls:
        if call.qualname is not None or call.method not in PREDICT_METHODS or not call.loops:
            continue
        loop = loops.get(id(call.loops[-1]))
        if loop is None:
            continue
        node = loop.node
        target: cst.BaseExpression | None = None
        iterable: cst.BaseExpression | None = None
        if isinstance(node, cst.For):
            target, iterable = node.target, node.iter
        elif isinstance(node, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
            target, iterable = node.for_in.target, node.for_in.iter
        targets = frozenset(_target_names(target)) if target is not None else frozenset()
        found = PredictLoop(loop, call, _range_length(facts, iterable), targets)
        found.repeats = _repeats(facts, found)
        facts.predict_loops.append(found)


def _repeats(facts: Facts, found: PredictLoop) -> bool:
    """Whether a loop predicts the same input with the same model on every pass."""
    call = found.call
    data = call.arg("x", 0) or call.arg("generator", 0)
    if data is None or call.receiver is None:
        return False
    if {name.split(".", 1)[0] for name in names_in(data.value)} & found.targets:
        return False  # it walks over the data
    head = call.receiver.split(".", 1)[0]
    for other in facts.calls:
        if found.loop.node not in other.loops:
            continue
        if head in other.assigned_to:
            return False
        if other.receiver is not None and other.receiver.split(".", 1)[0] == head and other.method in WEIGHT_METHODS:
            return False
    return True


def _range_length(facts: Facts, node: cst.BaseExpression | None) -> int | None:
    """len(range(…)) for a call to the builtin ``range`` with foldable integer arguments."""
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Name) or node.func.value != "range":
        return None
    if "range" in facts.imports.bindings or any(arg.keyword is not None or arg.star for arg in node.args):
        return None
    values = [facts.value(arg.value) for arg in node.args]
    if not 1 <= len(values) <= 3 or not all(isinstance(value, int) and not isinstance(value, bool) for value in values):
        return None
    try:
        return len(range(*values))  # type: ignore[arg-type]
    except ValueError:
        return None


def _fits(facts: Facts, scan: _Scan, by_node: dict[int, CallSite]) -> None:
    """Keras ``fit`` calls: the receiver is a Keras model as far as the code shows, never another estimator."""
    builders: dict[str, list[CallSite]] = {}
    for call in facts.calls:
        for owner in facts.owners(call):
            builders.setdefault(owner, []).append(call)
    compiled = {facts.qualify(call.receiver, call.scope) for call in facts.method_calls("compile") if call.receiver}
    keras_built = {
        owner
        for call in facts.calls
        if call.qualname is not None and training_table.is_keras_model_builder(call.qualname)
        for owner in facts.owners(call)
    }
    for backbone in facts.backbones:
        keras_built |= facts.owners(backbone.call)
    for call in facts.calls:
        if call.qualname is not None or call.method not in FIT_METHODS:
            continue
        callbacks = _callbacks(facts, call, by_node)
        evidence = _keras_evidence(facts, call, builders, compiled, keras_built, callbacks)
        if evidence is None:
            continue
        positions = training_table.FIT_POSITIONS.get(call.method or "", {})
        epochs_arg = call.arg("epochs", positions.get("epochs")) or call.arg("nb_epoch")
        initial_arg = call.arg("initial_epoch")
        steps_arg = call.arg("steps_per_epoch", positions.get("steps_per_epoch"))
        facts.fits.append(
            Fit(
                call=call,
                evidence=evidence,
                epochs=1 if epochs_arg is None else facts.value_of_call_arg(call, epochs_arg.value),
                initial_epoch=0 if initial_arg is None else facts.value_of_call_arg(call, initial_arg.value),
                steps_per_epoch=None if steps_arg is None else facts.value_of_call_arg(call, steps_arg.value),
                callbacks=callbacks,
                statement=id(call.node) in scan.statement_calls,
            )
        )


def _callbacks(facts: Facts, call: CallSite, by_node: dict[int, CallSite]) -> list[CallSite]:
    """The constructor calls of the callbacks passed as ``callbacks=`` (through names and lists)."""
    arg = call.arg("callbacks", 5 if call.method == "fit" else None)
    if arg is None:
        return []
    found: list[CallSite] = []
    for origin, _ in facts.origins(arg.value, call.scope):
        site = by_node.get(id(origin)) if isinstance(origin, cst.Call) else None
        if site is not None and site not in found:
            found.append(site)
    return found


def _builders_of(
    facts: Facts, key: str, builders: dict[str, list[CallSite]], depth: int = 0
) -> list[CallSite]:
    """The calls that build the value bound to ``key``, following calls of local functions to their returns."""
    found = list(builders.get(key, []))
    if depth >= 3:
        return found
    for call in list(found):
        func = call.node.func
        if call.qualname is None and isinstance(func, cst.Name) and func.value in facts.functions:
            found.extend(_builders_of(facts, func.value, builders, depth + 1))
            for returned in facts.deps.get(func.value, ()):
                found.extend(_builders_of(facts, returned, builders, depth + 1))
    return found


def _keras_evidence(
    facts: Facts,
    call: CallSite,
    builders: dict[str, list[CallSite]],
    compiled: set[str],
    keras_built: set[str],
    callbacks: list[CallSite],
) -> str | None:
    """Why ``call`` is a Keras fit, or None when it is not (or the code does not show it)."""
    receiver = call.receiver
    key = facts.qualify(receiver, call.scope) if receiver else None
    direct = _builders_of(facts, key, builders) if key else []
    if any(site.qualname and training_table.is_non_keras(site.qualname) for site in direct):
        return None
    if call.method in training_table.KERAS_ONLY_FIT_METHODS:
        return f"{call.method}() exists only on Keras models"
    for keyword in call.keywords():
        if keyword in training_table.KERAS_ONLY_FIT_KEYWORDS:
            return f"it passes {keyword}="
    for site in direct:
        if site.qualname and training_table.is_keras_model_builder(site.qualname):
            return f"{receiver} is built by {site.qualname}"
    if key is not None and key in compiled:
        return f"{receiver}.compile() is called"
    if key is not None and facts.reaches({key}) & keras_built:
        return f"{receiver} is built from a Keras model"
    for site in callbacks:
        if site.qualname and site.qualname.startswith("keras.callbacks."):
            return f"it passes {site.qualname.rsplit('.', 1)[-1]}"
    return None
