"""The fact model: what a file's code does, extracted once and queried by every rule.

Facts are plain dataclasses that keep a reference to the CST node they came from, so that a
rule can report at that node; positions are computed later, only for what is reported.

- :class:`CallSite` — every call, with its canonical qualified name when the callee is an
  imported name, the method name for ``obj.method(…)``, and where it stands (function, loops,
  the names its result is assigned to).
- :class:`Transform` — one augmentation (albumentations transform, Keras preprocessing layer,
  ``tf.image`` op, or the whole of an ``ImageDataGenerator``) with its folded parameters.
- :class:`Pipeline` — an albumentations ``Compose`` (with nested ``OneOf``/``SomeOf``), an
  ``ImageDataGenerator`` or a ``Sequential`` of preprocessing layers, and its roles.
- :class:`Backbone` — a pretrained model constructor and the input it expects.
- :class:`Normalization` — a place where pixel values are scaled or normalized.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import libcst as cst

from reviewlint.consts import UNKNOWN, ConstantFolder, is_number
from reviewlint.knowledge.backbones import BackboneFamily
from reviewlint.knowledge.transforms import Form, Magnitude, TransformSpec
from reviewlint.names import ImportTable, dotted
from reviewlint.traverse import walk

MODULE_SCOPE = "<module>"

# Methods that run a model on data (keras.io/api/models/model_training_apis).
MODEL_METHODS = frozenset(
    {"fit", "fit_generator", "predict", "predict_generator", "predict_on_batch", "evaluate", "train_on_batch", "__call__"}
)

# Roles a pipeline plays, as far as use and names show it.
TRAIN, VALIDATION, TTA, PREDICT = "train", "validation", "tta", "predict"


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


@dataclass(eq=False)
class CallSite:
    """One call in the module."""

    node: cst.Call
    qualname: str | None
    method: str | None
    receiver: str | None
    scope: str
    loops: tuple[cst.CSTNode, ...]
    assigned_to: tuple[str, ...]
    index: int

    def arg(self, name: str, position: int | None = None) -> cst.Arg | None:
        """The argument passed as keyword ``name`` or at ``position`` (0-based)."""
        return find_arg(self.node, name, position)

    def keywords(self) -> dict[str, cst.Arg]:
        """Keyword arguments by name."""
        return {arg.keyword.value: arg for arg in self.node.args if arg.keyword is not None}

    @property
    def in_loop(self) -> bool:
        return bool(self.loops)


@dataclass(eq=False)
class Transform:
    """One augmentation with its folded parameters."""

    call: CallSite
    spec: TransformSpec
    params: dict[str, object]
    pipeline: Pipeline | None = None

    @property
    def qualname(self) -> str:
        return self.call.qualname or ""

    @property
    def short_name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]

    @property
    def node(self) -> cst.Call:
        return self.call.node

    def param_node(self, name: str) -> cst.Arg | None:
        """The argument that sets a parameter, by keyword or by position."""
        position = self.spec.positional.index(name) if name in self.spec.positional else None
        return self.call.arg(name, position)

    @property
    def p(self) -> object:
        """The probability the transform is applied, UNKNOWN when it cannot be folded."""
        if "p" in self.params:
            return self.params["p"]
        return self.spec.default_p

    def kinds(self) -> frozenset[str]:
        """What the transform does (``hflip``, ``vflip``, ``rotate`` …), given its arguments."""
        kinds = set(self.spec.kinds)
        if self.spec.mode_param is not None:
            mode = self.params.get(self.spec.mode_param, self.spec.mode_default)
            if isinstance(mode, str):
                kinds |= self.spec.mode_kinds.get(mode, frozenset())
        for param, kind in self.spec.switches.items():
            if self.params.get(param) is True:
                kinds.add(kind)
        for magnitude in self.spec.magnitudes:
            value = self.magnitude(magnitude.dimension)
            if value:
                kinds.add(magnitude.dimension)
        return frozenset(kinds)

    def magnitude_range(self, magnitude: Magnitude) -> tuple[float, float] | None:
        """The range of deviation from the identity that one parameter allows, if known."""
        value = self.params.get(magnitude.param, magnitude.default)
        if value is None:
            return None
        return deviation_range(value, magnitude.form)

    def magnitude(self, dimension: str) -> float | None:
        """The largest deviation from the identity along a dimension, None if unknown or absent."""
        best: float | None = None
        for magnitude in self.spec.magnitudes:
            if magnitude.dimension != dimension:
                continue
            span = self.magnitude_range(magnitude)
            if span is None:
                continue
            value = max(abs(span[0]), abs(span[1]))
            best = value if best is None else max(best, value)
        return best

    def dimensions(self) -> dict[str, float]:
        """Every dimension with a known, non-zero magnitude."""
        found: dict[str, float] = {}
        for magnitude in self.spec.magnitudes:
            value = self.magnitude(magnitude.dimension)
            if value:
                found[magnitude.dimension] = value
        return found


def deviation_range(value: object, form: Form) -> tuple[float, float] | None:
    """Map a parameter value to (low, high) deviation from the identity, or None if unknown."""
    if isinstance(value, dict):
        spans = [deviation_range(item, form) for item in value.values()]
        known = [span for span in spans if span is not None]
        if not known:
            return None
        return min(span[0] for span in known), max(span[1] for span in known)
    if isinstance(value, tuple) and len(value) == 2 and all(is_number(item) for item in value):
        low, high = float(value[0]), float(value[1])  # type: ignore[arg-type, unused-ignore]  # numbers, checked above (narrowed on some mypy versions)
        if form in (Form.FACTOR, Form.ZOOM_RANGE):
            return low - 1.0, high - 1.0
        if form is Form.TURN:
            return low * 360.0, high * 360.0
        return low, high
    if is_number(value):
        number = float(value)
        if form is Form.FACTOR:
            return number - 1.0, number - 1.0
        if form is Form.TURN:
            return -abs(number) * 360.0, abs(number) * 360.0
        return -abs(number), abs(number)
    return None


@dataclass(eq=False)
class Pipeline:
    """An augmentation pipeline and the transforms it holds (nested containers flattened)."""

    kind: str  # albumentations | image-data-generator | keras-layers
    call: CallSite
    owners: frozenset[str]  # names it is bound to: the assigned variable, the building function
    transforms: list[Transform] = field(default_factory=list)
    roles: set[str] = field(default_factory=set)
    role_evidence: dict[str, str] = field(default_factory=dict)
    stage: int = -1  # for training pipelines: the index of the last fit call that uses it

    @property
    def node(self) -> cst.Call:
        return self.call.node

    @property
    def name(self) -> str:
        return sorted(self.owners)[0].rpartition(":")[2] if self.owners else "<anonymous>"

    def augmenting(self) -> list[Transform]:
        """Transforms that change images randomly (not resize, normalize, crop to center …)."""
        return [t for t in self.transforms if "deterministic" not in t.spec.kinds and t.p != 0]

    def dimensions(self) -> dict[str, tuple[float, Transform]]:
        """Per dimension, the largest magnitude in the pipeline and the transform that sets it."""
        found: dict[str, tuple[float, Transform]] = {}
        for transform in self.augmenting():
            for dimension, value in transform.dimensions().items():
                if dimension not in found or value > found[dimension][0]:
                    found[dimension] = (value, transform)
        return found

    def kinds(self) -> dict[str, Transform]:
        """Every kind of change the pipeline makes, with the first transform that makes it."""
        found: dict[str, Transform] = {}
        for transform in self.augmenting():
            for kind in transform.kinds():
                found.setdefault(kind, transform)
        return found


@dataclass(eq=False)
class Backbone:
    """A pretrained backbone constructor."""

    call: CallSite
    family: BackboneFamily
    expects: str | None
    weights: object
    pretrained: bool
    owners: frozenset[str] = frozenset()

    @property
    def node(self) -> cst.Call:
        return self.call.node

    @property
    def short_name(self) -> str:
        return (self.call.qualname or "").rsplit(".", 1)[-1]


@dataclass(eq=False)
class Normalization:
    """A place where pixel values are scaled or normalized, and the convention it produces."""

    kind: str  # rescale | rescaling-layer | arithmetic | preprocess-function
    produces: str  # unit | tf | raw | torch | caffe
    node: cst.CSTNode
    description: str
    call: CallSite | None = None
    owners: frozenset[str] = frozenset()
    index: int = 0  # position in call order (comparable with CallSite.index)
    scope: str = MODULE_SCOPE


@dataclass(eq=False)
class AttributeAssignment:
    """``obj.attr = value`` (e.g. ``base_model.trainable = True``).

    ``index`` counts the calls visited before the statement, so it compares with
    :attr:`CallSite.index`: the assignment comes before call ``c`` when ``index <= c.index`` and
    after it when ``index > c.index``.
    """

    target: str
    value: cst.BaseExpression
    node: cst.CSTNode
    scope: str
    loops: tuple[cst.CSTNode, ...]
    index: int
    # Enclosing ``if`` tests, innermost last, each with True when the statement is in the ``else``.
    conditions: tuple[tuple[cst.BaseExpression, bool], ...] = ()


@dataclass(eq=False)
class Loop:
    """A ``for``/``while`` loop or a comprehension, with the names used inside it."""

    node: cst.CSTNode
    names: set[str]
    scope: str


@dataclass(eq=False)
class SubscriptAssignment:
    """``obj[key] = value`` (e.g. ``submission['label'] = preds``): a value stored into a container."""

    target: str  # the dotted name subscripted ("submission", "df.loc"); "" when it is not a name
    value: cst.BaseExpression
    node: cst.Assign
    scope: str


@dataclass(eq=False)
class ParenthesizedTuple:
    """A tuple in parentheses where Python needs none: ``return (a, b)``, ``(a, b) = f()``, ``for (a, b) in …``."""

    node: cst.Tuple
    context: str  # return | assign | for


@dataclass(eq=False)
class PredictLoop:
    """A ``predict`` call whose innermost enclosing loop repeats it (the shape of test-time augmentation)."""

    loop: Loop
    call: CallSite
    steps: int | None  # len(range(…)) when the loop runs over a foldable range, else None
    targets: frozenset[str]  # the loop variables
    # The same input and the same model on every pass: the input does not use the loop variables,
    # and nothing in the loop rebinds the model or changes its weights (``load_weights`` …).
    repeats: bool = False


@dataclass(eq=False)
class Assignment:
    """``name = value`` to plain names (tuple targets flattened), in statement order.

    ``index`` compares with :attr:`CallSite.index` as :class:`AttributeAssignment`'s does.
    """

    targets: tuple[str, ...]
    value: cst.BaseExpression
    node: cst.CSTNode
    scope: str
    loops: tuple[cst.CSTNode, ...]
    index: int


@dataclass(eq=False)
class Fit:
    """A ``fit``/``fit_generator`` call on a Keras model, and what the code says about the run.

    Only calls with evidence that the receiver is a Keras model become a Fit (see
    ``reviewlint.knowledge.training``); a scikit-learn, CatBoost, LightGBM or XGBoost ``fit`` never does.
    """

    call: CallSite
    evidence: str  # why this is a Keras fit ("passes epochs=", "model is built by keras.Model" …)
    epochs: object  # folded ``epochs`` (1, Keras's default, when not passed), or UNKNOWN
    initial_epoch: object  # folded ``initial_epoch`` (0 when not passed), or UNKNOWN
    steps_per_epoch: object  # folded ``steps_per_epoch``, None when not passed, or UNKNOWN
    callbacks: list[CallSite]  # calls whose result reaches ``callbacks=`` (constructors of callbacks)
    statement: bool  # the call is a whole expression statement: the History it returns is dropped

    @property
    def node(self) -> cst.Call:
        return self.call.node

    @property
    def receiver(self) -> str | None:
        return self.call.receiver

    @property
    def planned_epochs(self) -> object:
        """Epochs this call runs if nothing stops it early (``epochs - initial_epoch``), or UNKNOWN."""
        if is_number(self.epochs) and is_number(self.initial_epoch):
            return max(0, self.epochs - self.initial_epoch)
        return UNKNOWN


@dataclass
class Facts:
    """Everything extracted from one module."""

    module: cst.Module
    imports: ImportTable
    folder: ConstantFolder
    calls: list[CallSite] = field(default_factory=list)
    transforms: list[Transform] = field(default_factory=list)
    pipelines: list[Pipeline] = field(default_factory=list)
    backbones: list[Backbone] = field(default_factory=list)
    normalizations: list[Normalization] = field(default_factory=list)
    attribute_assignments: list[AttributeAssignment] = field(default_factory=list)
    loops: list[Loop] = field(default_factory=list)
    functions: dict[str, cst.FunctionDef] = field(default_factory=dict)
    # Names bound inside each function (parameters, assignments, loop targets).
    local_names: dict[str, set[str]] = field(default_factory=dict)
    # Data flow: a name -> the names its value was computed from. Names local to a function
    # are keyed "function:name" (see qualify); module-level names are keyed as written.
    deps: dict[str, set[str]] = field(default_factory=dict)
    # Where each name is (re)bound, in call order (comparable with CallSite.index).
    binding_indexes: dict[str, list[int]] = field(default_factory=dict)
    # True when the module also maps [0, 1] to [-1, 1] somewhere (2 * x - 1).
    renormalized: bool = False
    subscript_assignments: list[SubscriptAssignment] = field(default_factory=list)
    parenthesized_tuples: list[ParenthesizedTuple] = field(default_factory=list)
    # Every read of a dotted attribute (``test_gen.filenames``), by the data-flow key of its name.
    attribute_reads: dict[str, list[cst.Attribute]] = field(default_factory=dict)
    predict_loops: list[PredictLoop] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    fits: list[Fit] = field(default_factory=list)
    # Module-level bindings of each name in statement order: (index, value); value None when the
    # binding cannot be folded (a loop target, a binding under ``if``/in a loop, ``x += …``).
    module_history: dict[str, list[tuple[int, cst.BaseExpression | None]]] = field(default_factory=dict)
    # The expressions each function returns, by function name.
    returns: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)

    def qualify(self, name: str, scope: str) -> str:
        """The data-flow key of a (dotted) name read or bound in ``scope``."""
        if scope != MODULE_SCOPE and name.split(".", 1)[0] in self.local_names.get(scope, ()):
            return f"{scope}:{name}"
        return name

    def names_used(self, node: cst.CSTNode, scope: str) -> set[str]:
        """The data-flow keys of every name used in a subtree that lies in ``scope``."""
        return {self.qualify(name, scope) for name in names_in(node)}

    def owners(self, call: CallSite) -> frozenset[str]:
        """The data-flow keys of the names a call's result is bound to."""
        return frozenset(self.qualify(name, call.scope) for name in call.assigned_to)

    def consumers(self, owners: frozenset[str]) -> Iterator[tuple[CallSite, set[str]]]:
        """Calls that run a model built from ``owners`` (``model.fit(x)``, ``base(x)``), each with
        everything its model and its data were computed from."""
        for call in self.calls:
            if call.qualname is not None:
                continue
            if call.method is not None:
                if call.method not in MODEL_METHODS or call.receiver is None:
                    continue
                model = call.receiver
            else:
                model = dotted(call.node.func) or ""
            if not model:
                continue
            model_flow = self.reaches({self.qualify(model, call.scope)})
            if not owners & model_flow:
                continue
            yield call, model_flow | self.reaches(self.names_used(call.node, call.scope))

    def rebound_between(self, names: Iterable[str], start: int, end: int) -> bool:
        """Whether any of ``names`` is bound again strictly between two positions in call order."""
        return any(start < index < end for name in names for index in self.binding_indexes.get(name, ()))

    def value(self, node: cst.BaseExpression | None) -> object:
        """The folded value of an expression, or UNKNOWN."""
        return self.folder.fold(node)

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
        return ConstantFolder(bindings).fold(node)

    def value_of_call_arg(self, call: CallSite, node: cst.BaseExpression | None) -> object:
        """:meth:`value_at` for a call that runs once at module level, else :meth:`value`."""
        if call.scope == MODULE_SCOPE and not call.loops:
            return self.value_at(node, call.index)
        return self.value(node)

    def calls_to(self, *qualnames: str) -> Iterator[CallSite]:
        """Calls whose callee resolves to one of ``qualnames``."""
        wanted = set(qualnames)
        return (call for call in self.calls if call.qualname in wanted)

    def method_calls(self, *methods: str) -> Iterator[CallSite]:
        """``obj.method(…)`` calls on a receiver that is not an imported module."""
        wanted = set(methods)
        return (call for call in self.calls if call.method in wanted and call.qualname is None)

    def call_site(self, node: cst.CSTNode) -> CallSite | None:
        """The CallSite of a ``cst.Call`` node of this module, or None."""
        by_node = self.__dict__.get("_call_sites")
        if by_node is None or len(by_node) != len(self.calls):
            by_node = {id(call.node): call for call in self.calls}
            self.__dict__["_call_sites"] = by_node
        return by_node.get(id(node))

    def origins(
        self, node: cst.BaseExpression, scope: str, before: int | None = None, _depth: int = 0
    ) -> list[tuple[cst.BaseExpression, str]]:
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
            found: list[tuple[cst.BaseExpression, str]] = []
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
                    found.extend(self.origins(value, function, None, depth))
                return found
        if isinstance(node, cst.Name) and node.value not in ("True", "False", "None"):
            return self._name_origins(node, scope, before, depth)
        return [(node, scope)]

    def _name_origins(
        self, node: cst.Name, scope: str, before: int | None, depth: int
    ) -> list[tuple[cst.BaseExpression, str]]:
        name = node.value
        where = scope if scope != MODULE_SCOPE and name in self.local_names.get(scope, ()) else MODULE_SCOPE
        bound = [a for a in self.assignments if a.scope == where and name in a.targets and len(a.targets) == 1]
        if before is not None:
            earlier = [a for a in bound if a.index <= before]
            if earlier:
                bound = [max(earlier, key=lambda a: a.index)]
        found: list[tuple[cst.BaseExpression, str]] = []
        for assignment in bound:
            found.extend(self.origins(assignment.value, where, before, depth))
        for call in self.calls:
            if call.receiver != name or call.qualname is not None or call.method not in ("append", "extend", "insert"):
                continue
            if call.scope != where and not (where == MODULE_SCOPE and name not in self.local_names.get(call.scope, ())):
                continue
            if before is not None and call.index >= before:
                continue
            args = [arg for arg in call.node.args if arg.keyword is None]
            if call.method == "insert":
                args = args[1:]
            for arg in args[:1]:
                found.extend(self.origins(arg.value, call.scope, before, depth))
        return found if found or bound else [(node, scope)]

    def reaches(self, names: Iterable[str]) -> set[str]:
        """Every name that the given names were (transitively) computed from, themselves included."""
        seen: set[str] = set()
        stack = list(names)
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            stack.extend(self.deps.get(name, ()))
        return seen


def names_in(node: cst.CSTNode) -> set[str]:
    """Every plain name and dotted name used in a subtree (``a.b`` gives ``a`` and ``a.b``)."""
    collector = _NameCollector()
    walk(node, collector)
    return collector.names


class _NameCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        name = dotted(node)
        if name is not None:
            self.names.add(name)
