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

from reviewlint.consts import ConstantFolder, is_number
from reviewlint.knowledge.backbones import BackboneFamily
from reviewlint.knowledge.transforms import Form, Magnitude, TransformSpec
from reviewlint.names import ImportTable, dotted

MODULE_SCOPE = "<module>"

# Roles a pipeline plays, as far as use and names show it.
TRAIN, VALIDATION, TTA, PREDICT = "train", "validation", "tta", "predict"


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
        positional = 0
        for arg in self.node.args:
            if arg.keyword is not None:
                if arg.keyword.value == name:
                    return arg
            elif arg.star == "":
                if position is not None and positional == position:
                    return arg
                positional += 1
        return None

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
        low, high = float(value[0]), float(value[1])  # type: ignore[arg-type]
        if form in (Form.FACTOR, Form.ZOOM_RANGE):
            return low - 1.0, high - 1.0
        if form is Form.TURN:
            return low * 360.0, high * 360.0
        return low, high
    if is_number(value):
        number = float(value)  # type: ignore[arg-type]
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


@dataclass(eq=False)
class AttributeAssignment:
    """``obj.attr = value`` (e.g. ``base_model.trainable = True``)."""

    target: str
    value: cst.BaseExpression
    node: cst.CSTNode
    scope: str
    loops: tuple[cst.CSTNode, ...]
    index: int


@dataclass(eq=False)
class Loop:
    """A ``for``/``while`` loop or a comprehension, with the names used inside it."""

    node: cst.CSTNode
    names: set[str]
    scope: str


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

    def value(self, node: cst.BaseExpression | None) -> object:
        """The folded value of an expression, or UNKNOWN."""
        return self.folder.fold(node)

    def calls_to(self, *qualnames: str) -> Iterator[CallSite]:
        """Calls whose callee resolves to one of ``qualnames``."""
        wanted = set(qualnames)
        return (call for call in self.calls if call.qualname in wanted)

    def method_calls(self, *methods: str) -> Iterator[CallSite]:
        """``obj.method(…)`` calls on a receiver that is not an imported module."""
        wanted = set(methods)
        return (call for call in self.calls if call.method in wanted and call.qualname is None)

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
    node.visit(collector)
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
