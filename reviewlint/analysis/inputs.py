"""Input facts: pretrained backbones and the places that normalize pixel values."""

from __future__ import annotations

import re

import libcst as cst

from reviewlint.analysis.constants import UNKNOWN, is_number
from reviewlint.analysis.facts import Backbone, Normalization
from reviewlint.analysis.semantic import Arithmetic, CallSite, Scope, SemanticModel
from reviewlint.analysis.walk import code_children
from reviewlint.knowledge import backbones as backbone_table
from reviewlint.knowledge import transforms as transform_table
from reviewlint.knowledge.timm_pretrained import timm_convention
from reviewlint.knowledge.roles import (
    PLOTTING_CALLS,
)

_UNIT = 1 / 255
_TF_SCALE = 1 / 127.5


def backbones(model: SemanticModel) -> tuple[Backbone, ...]:
    """Every constructor of a known backbone family, with the weights it loads and the input it expects."""
    found: list[Backbone] = []
    for call in model.calls:
        if call.qualname is None:
            continue
        if call.qualname in backbone_table.EFFICIENTNET_PYTORCH_PRETRAINED:
            found.append(_efficientnet_pytorch(model, call))
            continue
        if call.qualname == backbone_table.TORCH_HUB_LOAD:
            found.extend(_torch_hub_vision(model, call))
            continue
        if call.qualname == backbone_table.TORCHVISION_GET_MODEL:
            found.extend(_torchvision_get_model(model, call))
            continue
        if call.qualname in backbone_table.TIMM_CREATE_MODEL or backbone_table.TORCHVISION_MODEL.match(call.qualname):
            found.extend(_torch_backbone(model, call))
            continue
        family = backbone_table.backbone_family(call.qualname)
        if family is None:
            continue
        weights_arg = call.arg("weights")
        default = None if backbone_table.NO_DEFAULT_WEIGHTS.match(call.qualname) else "imagenet"
        weights: object = default if weights_arg is None else model.value_in(weights_arg.value, call.scope)
        if weights is None:  # weights=None, then base.load_weights("…imagenet….h5")
            weights = _loaded_weights(model, call)
        pretrained = weights is not None
        expects: str | None = family.expects
        include = call.arg("include_preprocessing")
        if include is not None and model.value(include.value) is False:
            expects = None
        found.append(Backbone(call, family, expects, weights, pretrained, model.owners(call) or model.added_to(call)))
    return tuple(found)


# Names and keys of arrays that are not the input images (a mask scaled to [0, 1] feeds a loss).
_NOT_IMAGES = re.compile(r"(?:^|[\s_])(?:masks?|labels?|targets?|seg\w*|annotations?|heatmaps?|depths?|gt)(?:$|[\s_])", re.IGNORECASE)


def _words(node: cst.BaseExpression) -> list[str]:
    """The names and string keys an expression reads (``res['mask'].astype(f)``: res, mask, astype, f)."""
    found: list[str] = []
    stack: list[cst.CSTNode] = [node]
    while stack:
        child = stack.pop()
        if isinstance(child, cst.Name):
            found.append(child.value)
        elif isinstance(child, cst.SimpleString):
            value = child.evaluated_value
            found.append(value if isinstance(value, str) else "")
        else:
            stack.extend(code_children(child))
    return found


def _counts(node: cst.BaseExpression) -> bool:
    """Whether an operand is a count or a conversion of one (``len(x)``, ``int(n)``), never pixels."""
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in ("len", "int", "round")


def _torch_backbone(model: SemanticModel, call: CallSite) -> list[Backbone]:
    """A timm ``create_model(name, pretrained=True)`` or a torchvision model built with weights."""
    if call.qualname in backbone_table.TIMM_CREATE_MODEL:
        name_arg = call.arg("model_name", 0)
        names = model.possible_values(name_arg.value, call.scope) if name_arg is not None else []
        conventions = {timm_convention(name) if isinstance(name, str) else None for name in names}
        convention = conventions.pop() if len(conventions) == 1 else None
        name = names[0] if convention is not None else None
        pretrained_arg = call.arg("pretrained", 1)
        pretrained = pretrained_arg is not None and any(
            value is True for value in model.possible_values(pretrained_arg.value, call.scope))
        if convention is None or not pretrained:
            return []
        family = backbone_table.TIMM_FAMILIES[convention]
        return [Backbone(call, family, family.expects, name, True, model.owners(call))]
    label = _torchvision_weights(model, call)
    if label is None:
        return []
    family = backbone_table.TORCHVISION_FAMILY
    return [Backbone(call, family, family.expects, label, True, model.owners(call))]


def _torchvision_weights(model: SemanticModel, call: CallSite) -> str | None:
    """How a torchvision builder is given pretrained weights (``weights=ResNet50_Weights.DEFAULT``,
    ``weights="IMAGENET1K_V2"``, ``pretrained=True``, also through a parameter), as the code says
    it; None without."""
    weights_arg, pretrained_arg = call.arg("weights"), call.arg("pretrained")
    if weights_arg is not None:
        given = weights_arg.value
        if isinstance(given, cst.Name):  # weights = ResNet50_Weights.IMAGENET1K_V2; resnet50(weights=weights)
            binding = model.reaching(model.qualify(given.value, call.scope), call.index)
            if binding is not None and isinstance(binding.value, cst.Attribute) and _names_weights(binding.value):
                given = binding.value
        if _names_weights(given) or isinstance(model.value_in(weights_arg.value, call.scope), str):
            return model.module.code_for_node(given)
    if pretrained_arg is not None and any(value is True for value in model.possible_values(pretrained_arg.value, call.scope)):
        return "pretrained=True"
    return None


def _names_weights(node: cst.BaseExpression) -> bool:
    """``ResNet50_Weights.DEFAULT``, ``…_Weights.IMAGENET1K_V2``: a torchvision weights enum member."""
    return isinstance(node, cst.Attribute) and (node.attr.value == "DEFAULT" or node.attr.value.startswith("IMAGENET"))


def _efficientnet_pytorch(model: SemanticModel, call: CallSite) -> Backbone:
    """``EfficientNet.from_pretrained("efficientnet-b4", advprop=…)``: named by its model name."""
    name_arg = call.arg("model_name", 0)
    name = model.value_in(name_arg.value, call.scope) if name_arg is not None else None
    advprop = call.arg("advprop", 2)
    family = backbone_table.EFFICIENTNET_PYTORCH_FAMILIES[
        "tf" if advprop is not None and model.value(advprop.value) is True else "torch"]
    return Backbone(call, family, family.expects if advprop is None or model.value(advprop.value) is not None else None,
                    name if isinstance(name, str) else "efficientnet", True, model.owners(call))


def _torch_hub_vision(model: SemanticModel, call: CallSite) -> list[Backbone]:
    """``torch.hub.load("pytorch/vision:v0.10.0", "resnet50", pretrained=True)``: torchvision's
    model with its weights, named by its model name."""
    repo, name = call.arg("repo_or_dir", 0), call.arg("model", 1)
    repo_value = model.value_in(repo.value, call.scope) if repo is not None else None
    name_value = model.value_in(name.value, call.scope) if name is not None else None
    pretrained = call.arg("pretrained") or call.arg("weights")
    if not (isinstance(repo_value, str) and backbone_table.TORCH_HUB_VISION.match(repo_value) and isinstance(name_value, str)
            and backbone_table.TORCHVISION_MODEL.match(f"torchvision.models.{name_value}") and pretrained is not None
            and (model.value(pretrained.value) is True or isinstance(model.value(pretrained.value), str)
                 or isinstance(pretrained.value, cst.Attribute))):
        return []
    family = backbone_table.TORCH_HUB_FAMILY
    return [Backbone(call, family, family.expects, name_value, True, model.owners(call))]


def _torchvision_get_model(model: SemanticModel, call: CallSite) -> list[Backbone]:
    """``torchvision.models.get_model("resnet50", weights="DEFAULT")`` (or ``pretrained=True``):
    torchvision's model of that name with its weights, named by its name (what the callers of
    the function it is in pass, when the name is a parameter)."""
    name_arg = call.arg("name", 0)
    # The names the calls pass that can be known (another call may pass one read at run time).
    names = {value for value in model.possible_values(name_arg.value, call.scope) if value is not UNKNOWN} \
        if name_arg is not None else set()
    if len(names) != 1:
        return []
    name = names.pop()
    if not isinstance(name, str) or not backbone_table.TORCHVISION_MODEL.match(f"torchvision.models.{name}"):
        return []
    if _torchvision_weights(model, call) is None:
        return []
    family = backbone_table.TORCHVISION_GET_MODEL_FAMILY
    return [Backbone(call, family, family.expects, name, True, model.owners(call))]


def _loaded_weights(model: SemanticModel, call: CallSite) -> str | None:
    """The pretrained weight file loaded into a backbone built without weights, if any."""
    owners = model.owners(call)
    for load in model.method_calls("load_weights"):
        if (load.receiver is None or load.index <= call.index or model.qualify(load.receiver, load.scope) not in owners
                or model.never_runs(load)):
            continue
        path = load.arg("filepath", 0)
        for value in model.possible_values(path.value, load.scope) if path is not None else ():
            if isinstance(value, str) and backbone_table.PRETRAINED_WEIGHT_FILE.search(value):
                return value
    return None


def _close(value: object, target: float) -> bool:
    return is_number(value) and abs(float(value) - target) <= target * 0.01


_RESCALING = "keras.layers.Rescaling"


def _rescaling(model: SemanticModel, call: CallSite) -> tuple[object, object]:
    """The folded ``scale`` and ``offset`` of a ``Rescaling(scale, offset=0.0)`` layer."""
    scale_arg, offset_arg = call.arg("scale", 0), call.arg("offset", 1)
    scale = model.value_in(scale_arg.value, call.scope) if scale_arg is not None else UNKNOWN
    offset = model.value_in(offset_arg.value, call.scope) if offset_arg is not None else 0
    return scale, offset


def normalizations(model: SemanticModel) -> tuple[Normalization, ...]:
    """Every place that scales pixel values to a known convention (``/255``, ``/127.5 - 1``, a preprocess function)."""
    found: list[Normalization] = []
    for call in model.calls:
        qualname = call.qualname or ""
        if qualname in transform_table.IMAGE_DATA_GENERATOR_QUALNAMES:
            found.extend(_generator_normalizations(model, call))
        elif qualname == _RESCALING:
            scale, offset = _rescaling(model, call)
            produces = _scale_convention(scale, offset)
            if produces is not None:
                found.append(
                    Normalization("rescaling-layer", produces, call.node, f"Rescaling({_fmt(scale)}"
                                  + (f", offset={_fmt(offset)})" if offset else ")"), call, model.owners(call), call.index, call.scope)
                )
        elif qualname in _NORMALIZE_TRANSFORMS:
            found.extend(_normalize_transform(model, call))
        else:
            mode = _preprocess_call_mode(model, call)
            if mode is not None:
                found.append(
                    Normalization("preprocess-function", mode, call.node, f"{qualname}()", call, model.owners(call), call.index, call.scope)
                )
    statistics: list[Normalization] = []
    for item in model.arithmetic:
        node, enclosing = item.node, item.enclosing_call
        if enclosing is not None and enclosing.rsplit(".", 1)[-1] in PLOTTING_CALLS:
            continue
        standardized = _standardization(model, item)
        if standardized is not None:
            statistics.append(standardized)
            continue
        left, right = model.value(item.left), model.value(item.right)
        if is_number(left) == is_number(right):
            continue  # constant arithmetic (1/255 itself), or no constant at all
        if any(_counts(side) for side in (item.left, item.right)):
            continue  # len(paths) / batch_size: a count, not pixels
        if _NOT_IMAGES.search(" ".join(_words(item.left if is_number(right) else item.right))):
            continue  # res['mask'] / 255: a segmentation mask or a label, not the image
        factor: object
        if item.divide:
            factor = 1 / right if isinstance(right, (int, float)) and right else UNKNOWN
        else:
            factor = right if is_number(right) else left
        offset = -1 if item.minus_one else 0
        produces = _scale_convention(factor, offset)
        if produces is None:
            continue
        if not item.scope.is_module and model.never_runs(node):
            continue  # ``if scale: image = image / 255`` in a function never called with scale=True
        text = model.module.code_for_node(node)
        owners = frozenset(model.qualify(name, item.scope) for name in item.targets)
        found.append(
            Normalization("arithmetic", produces, node, text.strip(), owners=owners, index=item.index, scope=item.scope)
        )
    # x / 255 then (x - mean) / std in the same function (at module level: of the names the
    # division binds): one normalization, the statistics'.
    found = [norm for norm in found if not (norm.kind == "arithmetic" and norm.produces == "unit" and any(
        stats.scope == norm.scope and stats.index >= norm.index
        and (not norm.scope.is_module or norm.owners & model.reaches(model.names_used(stats.node, stats.scope)))
        for stats in statistics))]
    return (*found, *statistics)


def restorations(model: SemanticModel) -> tuple[Normalization, ...]:
    """Places that multiply pixel values by 255 (``layers.Rescaling(255.0)``, ``x * 255``): what
    comes after them in [0, 255] when what came before was in [0, 1] (``Rescaling(255)`` in front
    of an ``EfficientNetV2S(include_preprocessing=True)`` fed ``/255`` data)."""
    found: list[Normalization] = []
    for call in model.calls:
        if call.qualname != _RESCALING:
            continue
        scale, offset = _rescaling(model, call)
        if _close(scale, 255) and offset == 0:
            found.append(Normalization("rescaling-layer", "raw", call.node, f"Rescaling({_fmt(scale)})", call,
                                       model.owners(call), call.index, call.scope))
    for item in model.arithmetic:
        if item.divide or item.minus_one:
            continue
        left, right = model.value(item.left), model.value(item.right)
        if _close(right, 255) and not is_number(left) or _close(left, 255) and not is_number(right):
            owners = frozenset(model.qualify(name, item.scope) for name in item.targets)
            found.append(Normalization("arithmetic", "raw", item.node, model.module.code_for_node(item.node).strip(),
                                       owners=owners, index=item.index, scope=item.scope))
    return tuple(found)


# Array builders whose one argument holds the statistics (``np.array([0.485, 0.456, 0.406])``).
_ARRAY_BUILDERS = frozenset({"numpy.array", "numpy.asarray", "torch.tensor", "torch.Tensor", "torch.FloatTensor", "torch.as_tensor"})


def _standardization(model: SemanticModel, item: Arithmetic) -> Normalization | None:
    """``(x - mean) / std`` with per-channel (or one) constants, written out or in arrays
    (``np.array([0.485, 0.456, 0.406])``, a name bound to one): the convention the statistics give
    (:func:`_statistics_convention`; statistics of 0-255 pixels are read as those of [0, 1] ones)."""
    numerator = item.left
    if not item.divide or not isinstance(numerator, cst.BinaryOperation) or not isinstance(numerator.operator, cst.Subtract):
        return None
    mean, std = _statistic(model, numerator.right, item.scope), _statistic(model, item.right, item.scope)
    if mean is None or std is None:
        return None
    if all(value > 1 for value in (*mean, *std)):
        mean, std = tuple(value / 255 for value in mean), tuple(value / 255 for value in std)
    # One number on each side (``(weeks - 30) / 30``) is a pixel convention only when it is a known one.
    single = len(set(mean)) == 1 and len(set(std)) == 1
    produces = _statistics_convention(mean, std, exact=single)
    if produces is None:
        return None
    owners = frozenset(model.qualify(name, item.scope) for name in item.targets)
    return Normalization("arithmetic", produces, item.node, model.module.code_for_node(item.node).strip(), owners=owners,
                         index=item.index, scope=item.scope, statistics=(mean, std) if produces == "custom" else None)


def _statistic(model: SemanticModel, node: cst.BaseExpression, scope: Scope) -> tuple[float, ...] | None:
    """Per-channel constants (one number stands for all three), folded or given to an array builder."""
    value = _triple(model.value_in(node, scope))
    if value is not None:
        return value
    if isinstance(node, cst.Name):
        # One value, bound once or the same each time (a notebook that defines a function again).
        values = [binding.value for binding in model.bindings_of(model.qualify(node.value, scope))]
        first = values[0] if values else None
        if first is not None and all(value is not None and value.deep_equals(first) for value in values):
            node = first
    site = model.call_site(node) if isinstance(node, cst.Call) else None
    if site is None or site.qualname not in _ARRAY_BUILDERS or not site.node.args:
        return None
    return _triple(model.value_in(site.node.args[0].value, scope))


# Normalize transforms: torchvision's ``Normalize(mean, std)`` on [0, 1] tensors (after
# ``ToTensor``), albumentations' ``Normalize(mean, std, max_pixel_value=255)`` on raw pixels, whose
# defaults are the ImageNet mean and std (albumentations 1.3 and 2.0, augmentations/transforms.py;
# 2.x's ``normalization="standard"`` is that default).
_NORMALIZE_TRANSFORMS = {
    "torchvision.transforms.Normalize": None,
    "torchvision.transforms.v2.Normalize": None,
    "albumentations.Normalize": ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
}
# The (mean, std) of each convention, on values in [0, 1].
_CONVENTIONS = {
    "unit": ((0.0, 0.0, 0.0), (1.0, 1.0, 1.0)),  # Normalize(mean=0, std=1): values left in [0, 1]
    "torch": ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
    "tf": ((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
    "clip": ((0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711)),
}


def _triple(value: object) -> tuple[float, ...] | None:
    """Per-channel statistics as three numbers: a number, or a one-element list (``Normalize([0.5],
    [0.5])``), stands for every channel, as the transform broadcasts it."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    if is_number(value):
        return (float(value),) * 3
    if isinstance(value, (tuple, list)) and len(value) == 3 and all(is_number(item) for item in value):
        return tuple(float(item) for item in value)
    return None


def _normalize_transform(model: SemanticModel, call: CallSite) -> list[Normalization]:
    """A Normalize transform whose mean and std are one of the known conventions."""
    defaults = _NORMALIZE_TRANSFORMS[call.qualname or ""]
    values = []
    for name, position, default in (("mean", 0, defaults[0] if defaults else None), ("std", 1, defaults[1] if defaults else None)):
        arg = call.arg(name, position)
        # A parameter of the function (get_transforms(size, mean, std)): what every call passes, if the same.
        passed = {_triple(value) for value in model.possible_values(arg.value, call.scope)} if arg is not None else {_triple(default)}
        values.append(passed.pop() if len(passed) == 1 else None)
    kind = call.arg("normalization")
    mean, std = values
    if mean is None or std is None or (kind is not None and model.value(kind.value) != "standard"):
        return []
    produces = _statistics_convention(mean, std)
    if produces is None:
        return []
    text = model.module.code_for_node(call.node)
    return [Normalization("normalize-transform", produces, call.node, text if len(text) < 80 else f"{call.qualname}(…)",
                          call, model.holders(call), call.index, call.scope, (mean, std) if produces == "custom" else None)]


# How far (in units of the backbone's std) a Normalize may move a black or a white pixel from
# where a convention puts it and still be that convention (mean=0.45, std=0.225 is ImageNet's:
# 0.2 at most; ImageNet's and CLIP's statistics are 0.33 apart).
_SAME_CONVENTION = 0.25


# The smallest per-channel std of real images on the [0, 1] scale worth reading as one (ImageNet's
# are 0.22-0.23, a skin-lesion dataset's 0.14-0.17).
_PLAUSIBLE_STD = 0.05


def _statistics_convention(mean: tuple[float, ...], std: tuple[float, ...], exact: bool = False) -> str | None:
    """The convention a per-channel mean/std on [0, 1] values produces: a known one (ImageNet's,
    [-1, 1], CLIP's, [0, 1]), equal to within rounding or, the nearest, moving no black or white
    pixel more than a quarter of a std from it; 'custom' for other statistics (a dataset's own mean/std); None for values
    that are no statistics of [0, 1] pixels (a mean of 123.7 is on the 0-255 scale). ``exact``:
    the known conventions only."""
    for produces, (want_mean, want_std) in _CONVENTIONS.items():
        if all(abs(a - b) < 0.01 for a, b in zip((*mean, *std), (*want_mean, *want_std))):
            return produces
    if exact or not all(0 <= m <= 1 for m in mean) or not all(_PLAUSIBLE_STD <= s <= 1 for s in std):
        return None  # no statistics of pixels: (width - 224) / 2
    distance, nearest = min((convention_distance((mean, std), produces) or 0.0, produces) for produces in _CONVENTIONS)
    return nearest if distance <= _SAME_CONVENTION else "custom"


def convention_distance(statistics: tuple[tuple[float, ...], tuple[float, ...]], convention: str) -> float | None:
    """How far (in the convention's stds) a per-channel mean/std on [0, 1] puts a black or white
    pixel from where a known convention (``torch``: ImageNet's, ``tf``, ``clip``, ``unit``) puts
    it; None for a convention given by no mean/std (``caffe``, ``raw``)."""
    if convention not in _CONVENTIONS:
        return None
    mean, std = statistics
    want_mean, want_std = _CONVENTIONS[convention]
    return max(abs((x - m) / s - (x - wm) / ws) for m, s, wm, ws in zip(mean, std, want_mean, want_std) for x in (0.0, 1.0))


def _generator_normalizations(model: SemanticModel, call: CallSite) -> list[Normalization]:
    found: list[Normalization] = []
    owners = model.owners(call)
    function_arg = call.arg("preprocessing_function") or (
        call.arg("preprocess_input") if call.qualname == transform_table.IMAGE_DATA_AUGMENTOR else None
    )
    if function_arg is not None:
        qualname = model.imports.resolve(function_arg.value)
        mode = backbone_table.preprocess_mode(qualname) if qualname else None
        if mode is not None:
            found.append(
                Normalization("preprocess-function", mode, function_arg, f"preprocessing_function={qualname}", call, owners, call.index, call.scope)
            )
    rescale_arg = call.arg("rescale")
    if rescale_arg is not None:
        factor = model.value_in(rescale_arg.value, call.scope)
        produces = _scale_convention(factor, 0)
        if produces is not None:
            found.append(
                Normalization("rescale", produces, rescale_arg, "rescale=" + model.module.code_for_node(rescale_arg.value), call, owners, call.index, call.scope)
            )
    return found


def _preprocess_call_mode(model: SemanticModel, call: CallSite) -> str | None:
    qualname = call.qualname or ""
    if qualname == backbone_table.IMAGENET_UTILS_PREPROCESS:
        mode_arg = call.arg("mode")
        mode = model.value(mode_arg.value) if mode_arg is not None else "caffe"
        return mode if isinstance(mode, str) else None
    return backbone_table.preprocess_mode(qualname)


def _scale_convention(factor: object, offset: object) -> str | None:
    """'unit' for x/255, 'tf' for x/127.5 - 1, None for anything else."""
    if _close(factor, _UNIT) and offset == 0:
        return "unit"
    if _close(factor, _TF_SCALE) and is_number(offset) and abs(float(offset) + 1) < 0.01:
        return "tf"
    return None


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value)
