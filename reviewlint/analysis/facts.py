"""Domain facts: what a file's training code does, extracted once and queried by every rule.

Facts are frozen dataclasses made by the pure extractors of :mod:`reviewlint.analysis.extract` from the
:class:`~reviewlint.analysis.semantic.SemanticModel`; each keeps a reference to the CST node it came from,
so that a rule can report at that node (positions are computed later, only for what is reported).

- :class:`Transform` — one augmentation (albumentations transform, Keras preprocessing layer,
  ``tf.image`` op, or the whole of an ``ImageDataGenerator``) with its folded parameters.
- :class:`Pipeline` — an albumentations ``Compose`` (with nested ``OneOf``/``SomeOf``), an
  ``ImageDataGenerator`` or a ``Sequential`` of preprocessing layers, and its roles.
- :class:`Backbone` — a pretrained model constructor and the input it expects.
- :class:`Normalization` — a place where pixel values are scaled or normalized.
- :class:`PredictLoop` — a ``predict`` repeated by a loop (the shape of test-time augmentation).
- :class:`Fit` — a Keras ``fit`` call and its epochs, steps and callbacks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import libcst as cst

from reviewlint.analysis.constants import UNKNOWN, is_number
from reviewlint.analysis.semantic import MODULE, CallSite, Loop, Scope, SemanticModel, Var
from reviewlint.knowledge.backbones import NAMED_BY_ARGUMENT, BackboneFamily
from reviewlint.knowledge.roles import Role
from reviewlint.knowledge.transforms import Form, Magnitude, TransformSpec

# Roles a pipeline plays, as far as use and names show it (reviewlint.knowledge.roles).
TRAIN: Role = "train"
VALIDATION: Role = "validation"
TTA: Role = "tta"
PREDICT: Role = "predict"
PipelineKind = Literal["albumentations", "imgaug", "torchvision", "ttach", "image-data-generator", "keras-layers", "tf-image"]
NormalizationKind = Literal["rescale", "rescaling-layer", "arithmetic", "preprocess-function", "normalize-transform"]


@dataclass(frozen=True, eq=False)
class Transform:
    """One augmentation with its folded parameters (the pipeline that holds it: :meth:`Facts.pipeline_of`)."""

    call: CallSite
    spec: TransformSpec
    params: Mapping[str, object]
    # For a tensor's own method (``x.flip(-2)``), the method's qualified name (``torch.Tensor.flip``).
    method: str = ""

    @property
    def qualname(self) -> str:
        return self.call.qualname or self.method

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
        if self.spec.augments_when is not None:
            switch, switched_on = self.spec.augments_when
            if self.params.get(switch, switched_on) is not True:
                return frozenset()  # timm's create_transform(is_training=False): no augmentation
        kinds = set(self.spec.kinds)
        for param, (kind, usual) in self.spec.chances.items():
            chance = self.params.get(param, usual)
            if isinstance(chance, (int, float)) and not isinstance(chance, bool) and chance > 0:
                kinds.add(kind)
        if self.spec.mode_param is not None:
            mode = self.params.get(self.spec.mode_param, self.spec.mode_default)
            if isinstance(mode, str):
                kinds |= self.spec.mode_kinds.get(mode, frozenset())
        for param, kind in self.spec.switches.items():
            if self.params.get(param) is True:
                kinds.add(kind)
        if self.spec.axes_param is not None:
            axes = self.params.get(self.spec.axes_param)
            for axis in axes if isinstance(axes, (list, tuple)) else [axes]:
                if isinstance(axis, int) and not isinstance(axis, bool):
                    kinds |= self.spec.axes_kinds.get(axis, frozenset())
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


@dataclass(frozen=True, eq=False)
class Pipeline:
    """An augmentation pipeline and the transforms it holds (nested containers flattened)."""

    kind: PipelineKind
    call: CallSite
    owners: frozenset[Var]  # variables it is bound to: the assigned variable, the building function
    transforms: tuple[Transform, ...] = ()
    roles: frozenset[Role] = frozenset()
    role_evidence: Mapping[Role, str] = field(default_factory=dict)
    stage: int = -1  # for training pipelines: the index of the last fit call that uses it
    # Built in a dataset class's method and applied to every item of every instance: neither the
    # building nor the applying sits under an ``if`` (other than on a flag whose default is on).
    always_applied: bool = False

    @property
    def node(self) -> cst.Call:
        return self.call.node

    @property
    def name(self) -> str:
        return sorted(self.owners)[0].name if self.owners else "<anonymous>"

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


@dataclass(frozen=True, eq=False)
class Backbone:
    """A pretrained backbone constructor."""

    call: CallSite
    family: BackboneFamily
    expects: str | None
    weights: object
    pretrained: bool
    owners: frozenset[Var] = frozenset()

    @property
    def node(self) -> cst.Call:
        return self.call.node

    @property
    def short_name(self) -> str:
        return (self.call.qualname or "").rsplit(".", 1)[-1]

    @property
    def model_name(self) -> str:
        """How the code names the architecture: the name given to a factory
        (``timm.create_model("resnet50")``, ``EfficientNet.from_pretrained("efficientnet-b4")``),
        else the constructor's own name."""
        if self.family.package in NAMED_BY_ARGUMENT and isinstance(self.weights, str):
            return self.weights
        return self.short_name


@dataclass(frozen=True, eq=False)
class ParameterFreeze:
    """Where a pretrained PyTorch backbone's parameters are frozen (``p.requires_grad = False`` in
    a loop over its parameters, ``backbone.requires_grad_(False)``, or the call of a freezing
    helper), the scope that happens in, and the backbones it may apply to."""

    node: cst.CSTNode
    scope: Scope
    backbones: tuple[Backbone, ...]
    # For a function that freezes what it is given (``def freeze(model): for p in
    # model.parameters(): p.requires_grad = False``) and no backbone of its module reaches: the
    # position and name of that parameter; its callers decide which backbone it freezes.
    parameter: tuple[int, str] | None = None


@dataclass(frozen=True, eq=False)
class Normalization:
    """A place where pixel values are scaled or normalized, and the convention it produces."""

    kind: NormalizationKind
    produces: str  # unit | tf | raw | torch | caffe | clip | custom (a Normalize with other statistics)
    node: cst.CSTNode
    description: str
    call: CallSite | None = None
    owners: frozenset[Var] = frozenset()
    index: int = 0  # position in call order (comparable with CallSite.index)
    scope: Scope = MODULE
    # For a Normalize or ``(x - mean) / std`` with statistics of its own: (mean, std) on [0, 1].
    statistics: tuple[tuple[float, ...], tuple[float, ...]] | None = None


@dataclass(frozen=True, eq=False)
class PredictLoop:
    """A ``predict`` call whose innermost enclosing loop repeats it (the shape of test-time augmentation)."""

    loop: Loop
    call: CallSite
    steps: int | None  # len(range(…)) when the loop runs over a foldable range, else None
    targets: frozenset[str]  # the loop variables
    # The same input and the same model on every pass: the input does not use the loop variables,
    # and nothing in the loop rebinds the model or changes its weights (``load_weights`` …).
    repeats: bool = False


@dataclass(frozen=True, eq=False)
class DataLoop:
    """A loop over data in a PyTorch file (reviewlint.analysis.data_loops): what it iterates, its training step or its model runs."""

    node: cst.CSTNode  # a cst.For or a comprehension
    scope: Scope
    data: frozenset[Var]  # the names its iterable uses (``enumerate(tqdm(train_loader))``: train_loader …)
    batch: frozenset[Var]  # the names its target binds (``for images, labels in loader``)
    training: CallSite | None  # the training step inside it (``loss.backward()``), if any
    runs: tuple[CallSite, ...]  # model calls on the batch (``model(images)``), when it does not train
    enclosing: tuple[cst.CSTNode, ...]  # the loops around it, outermost first
    # Run again on each pass of the loop right around it, which neither trains (an epoch loop
    # validates) nor loads other weights (a loop over folds ensembles): test-time augmentation.
    repeated: bool = False

    @property
    def evaluates(self) -> bool:
        """The loop runs a model on its batches without training it."""
        return self.training is None and bool(self.runs)


@dataclass(frozen=True, eq=False)
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
    callbacks: tuple[CallSite, ...]  # calls whose result reaches ``callbacks=`` (constructors of callbacks)

    @property
    def node(self) -> cst.Call:
        return self.call.node

    @property
    def receiver(self) -> str | None:
        return self.call.receiver

    @property
    def statement(self) -> bool:
        """The call is a whole expression statement: the History it returns is dropped."""
        return self.call.statement

    @property
    def planned_epochs(self) -> object:
        """Epochs this call runs if nothing stops it early (``epochs - initial_epoch``), or UNKNOWN."""
        if is_number(self.epochs) and is_number(self.initial_epoch):
            return max(0, self.epochs - self.initial_epoch)
        return UNKNOWN


@dataclass(frozen=True, eq=False)
class Facts:
    """Everything extracted from one module: its semantic model and its domain facts."""

    model: SemanticModel
    transforms: tuple[Transform, ...] = ()
    pipelines: tuple[Pipeline, ...] = ()
    backbones: tuple[Backbone, ...] = ()
    normalizations: tuple[Normalization, ...] = ()
    # Multiplications by 255 (``Rescaling(255.0)``, ``x * 255``): [0, 1] back to [0, 255].
    restorations: tuple[Normalization, ...] = ()
    predict_loops: tuple[PredictLoop, ...] = ()
    fits: tuple[Fit, ...] = ()
    torch_trainings: tuple[CallSite, ...] = ()  # loss.backward(), Lightning trainer.fit(…)
    data_loops: tuple[DataLoop, ...] = ()
    parameter_freezes: tuple[ParameterFreeze, ...] = ()
    _pipeline_of: dict[int, Pipeline] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for pipeline in self.pipelines:
            for transform in pipeline.transforms:
                self._pipeline_of[id(transform)] = pipeline

    def pipeline_of(self, transform: Transform) -> Pipeline | None:
        """The pipeline a transform belongs to, if any (the last one built that holds it)."""
        return self._pipeline_of.get(id(transform))
