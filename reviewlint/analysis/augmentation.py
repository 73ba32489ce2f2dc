"""Augmentation facts: transforms, pipelines, their roles (train, validation, TTA, predict) and
the prediction loops that look like test-time augmentation."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace

import libcst as cst

from reviewlint.analysis.facts import (
    PREDICT,
    TRAIN,
    TTA,
    VALIDATION,
    DataLoop,
    Pipeline,
    PipelineKind,
    PredictLoop,
    Transform,
)
from reviewlint.analysis.imports import dotted
from reviewlint.analysis.scan import target_names
from reviewlint.analysis.semantic import MODULE, CallSite, Loop, Scope, SemanticModel, Var, loop_parts, names_in
from reviewlint.analysis.walk import code_path
from reviewlint.knowledge import training as training_table
from reviewlint.knowledge import transforms as transform_table
from reviewlint.knowledge.roles import (
    FIT_METHODS,
    PREDICT_METHODS,
    TORCH_WEIGHT_METHODS,
    WEIGHT_METHODS,
    Role,
    role_from_name,
)


def _params(model: SemanticModel, call: CallSite, spec: transform_table.TransformSpec, batch: bool = False) -> dict[str, object]:
    """The folded arguments of an augmentation call, by parameter name. ``batch``: a tensor
    operation whose result a model runs on directly, so its input is an (N, C, H, W) batch and the
    positive dimensions 2 and 3 are the height and the width."""
    params: dict[str, object] = {}
    for arg in call.node.args:
        if arg.star == "**":  # ImageDataGenerator(**aug_args): the parameters of a dict the code spells out
            unpacked = model.value(arg.value)
            if isinstance(unpacked, dict):
                params.update((key, value) for key, value in unpacked.items() if isinstance(key, str))
    positional = [arg for arg in call.node.args if arg.keyword is None and arg.star == ""]
    for name, arg in zip(spec.positional, positional):
        params[name] = model.value(arg.value)
    for name, arg in call.keywords().items():
        params[name] = model.value(arg.value)
    if batch and spec.axes_param is not None:
        _as_batch_axes(params, spec.axes_param)
    return params


# The image axes of an (N, C, H, W) batch, counted from the end.
_BATCH_AXES = {2: -2, 3: -1}


def _as_batch_axes(params: dict[str, object], name: str) -> None:
    """Count the image axes in ``params[name]`` from the end, as those of an (N, C, H, W) batch."""
    axes = params.get(name)
    if isinstance(axes, (int, list, tuple)):
        params[name] = [_BATCH_AXES.get(axis, axis) if isinstance(axis, int) else axis
                        for axis in (axes if isinstance(axes, (list, tuple)) else [axes])]


def _fed_to_models(model: SemanticModel) -> set[int]:
    """The expressions passed straight to a model (``model(torch.flip(x, dims=[2]))``,
    ``self.net(…)``): a call of a name the linter does not know as a library function."""
    fed: set[int] = set()
    for call in model.calls:
        func = call.node.func
        if call.qualname is None and (isinstance(func, cst.Name) or (
                isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self")):
            fed.update(id(arg.value) for arg in call.node.args if arg.keyword is None and not arg.star)
    return fed


def _tensor_params(model: SemanticModel, call: CallSite) -> dict[str, object] | None:
    """The parameters of a tensor's flip or rot90 method, as ``torch.flip``/``torch.rot90`` take
    them (``x.flip(-2)``, ``images.flip([2, 3])``, ``x.rot90(1, (-2, -1))``), or None for another
    call: a method of that name on a value that is not an imported module, given dimensions that
    fold to integers (what no other common type's ``flip`` takes)."""
    if call.method not in transform_table.TORCH_TENSOR_METHODS or not call.node.args or any(arg.star for arg in call.node.args):
        return None
    keyword = call.arg("dims", None if call.method == "flip" else 1)
    positional = [arg for arg in call.node.args if arg.keyword is None] if call.method == "flip" else []
    values = [model.value(arg.value) for arg in positional or ([keyword] if keyword is not None else [])]
    flat = [item for value in values for item in (value if isinstance(value, (list, tuple)) else [value])]
    if not flat or not all(isinstance(item, int) and not isinstance(item, bool) for item in flat):
        return None
    if call.method == "flip":  # flip(*dims) or flip(dims)
        return {"dims": list(values[0] if len(values) == 1 and isinstance(values[0], (list, tuple)) else values)}
    k = call.arg("k", 0)
    return {"k": model.value(k.value) if k is not None else 1, "dims": values[0]}


def transforms_and_pipelines(model: SemanticModel) -> tuple[tuple[Transform, ...], tuple[Pipeline, ...]]:
    """Every augmentation call, and the pipelines that hold them (roles not yet known)."""
    transforms: dict[int, Transform] = {}
    pipelines: list[Pipeline] = []
    containers: list[CallSite] = []
    generators: list[tuple[CallSite, Transform]] = []
    fed: set[int] | None = None
    for call in model.calls:
        if call.qualname is None:
            tensor_params = _tensor_params(model, call)
            if tensor_params is not None and call.method is not None:
                if fed is None:
                    fed = _fed_to_models(model)
                if id(call.node) in fed:  # a model runs on its result: an (N, C, H, W) batch
                    _as_batch_axes(tensor_params, "dims")
                transforms[id(call.node)] = Transform(call, transform_table.TORCH_TENSOR_OPS[call.method], tensor_params,
                                                      method=transform_table.TORCH_TENSOR_METHODS[call.method])
            continue
        if transform_table.is_container(call.qualname):
            containers.append(call)
            continue
        spec = transform_table.lookup(call.qualname)
        if spec is None:
            continue
        if spec.axes_param is not None and fed is None:
            fed = _fed_to_models(model)
        transform = Transform(call, spec, _params(model, call, spec, fed is not None and id(call.node) in fed))
        transforms[id(call.node)] = transform
        if spec is transform_table.IMAGE_DATA_GENERATOR:
            generators.append((call, transform))
        elif call.qualname.startswith("ttach.aliases."):  # tta.aliases.d4_transform(): a whole TTA pipeline
            pipelines.append(Pipeline("ttach", call, model.owners(call), (transform,)))

    for call, transform in generators:
        # ImageDataAugmentor(augment=AUGMENTATIONS): the generator applies an albumentations (or
        # imgaug) pipeline built elsewhere; its transforms are the generator's augmentation.
        augment = call.arg("augment") if call.qualname == transform_table.IMAGE_DATA_AUGMENTOR else None
        applied = [transform]
        if augment is not None:
            for origin, _ in model.origins(augment.value, call.scope):
                for inner in model.calls_within(origin):
                    found = transforms.get(id(inner.node))
                    if found is not None and found not in applied:
                        applied.append(found)
        pipelines.append(Pipeline("image-data-generator", call, model.owners(call), tuple(applied)))

    nested: set[int] = set()
    for container in containers:
        for arg in container.node.args:
            for inner in model.calls_within(arg.value):
                if transform_table.is_container(inner.qualname or ""):
                    nested.add(id(inner.node))
    # Transforms bound to a name, by scope and name: ``aug = [A.Flip(), …]`` in getTrainAugs() is
    # not the ``aug`` of getValidAugs().
    by_name: dict[tuple[Scope, str], list[Transform]] = {}
    for transform in transforms.values():
        for name in transform.call.assigned_to:
            by_name.setdefault((transform.call.scope, name), []).append(transform)
    for container in containers:
        if id(container.node) in nested:
            continue
        members: list[Transform] = []
        for arg in container.node.args:
            if arg.keyword is not None and arg.keyword.value != "transforms":
                continue
            for inner in model.calls_within(arg.value):
                found = transforms.get(id(inner.node))
                if found is not None and found not in members:
                    members.append(found)
            for name in names_in(arg.value):
                # the function's own name, else the module's (AUGS = [...] at the top level)
                for found in by_name.get((container.scope, name)) or by_name.get((MODULE, name), []):
                    if found not in members:
                        members.append(found)
        qualname = container.qualname or ""
        kind: PipelineKind = (
            "imgaug" if qualname.startswith("imgaug.") else "torchvision" if qualname.startswith("torchvision.")
            else "ttach" if qualname.startswith("ttach.") else "albumentations"
        )
        pipelines.append(Pipeline(kind, container, model.owners(container), tuple(members)))

    # A function that applies random tf.image ops to what it is given (``def augment(image, label):
    # image = tf.image.random_flip_left_right(image) …``), mapped over a dataset: they are one
    # pipeline, owned by the function's name (``ds.map(augment)`` carries what it returns). Fixed
    # ops (``tf.image.flip_left_right`` to turn an image) change every image alike and are left out.
    by_function: dict[Scope, list[Transform]] = {}
    for transform in transforms.values():
        scope = transform.call.scope
        if (transform.call.qualname or "").startswith(_TF_IMAGE_RANDOM) and scope.kind == "function" and not scope.owner:
            by_function.setdefault(scope, []).append(transform)
    for scope, members in by_function.items():
        function = model.function_of(scope)
        # Only a function that applies them whatever it is given: not one that chooses by a
        # parameter (``if train:`` around the random ops, the validation call passing False), nor
        # one that applies them in a branch of ``tf.cond`` (a lambda: only for some images).
        if function is not None and scope.name in model.functions and all(
                _applied_whenever_called(function, member.call.node) for member in members):
            pipelines.append(Pipeline("tf-image", members[0].call, frozenset({model.qualify(scope.name, MODULE)}), tuple(members)))

    for call in model.calls:
        if call.qualname == "keras.Sequential":
            layers = [transforms[id(inner.node)] for inner in model.calls_within(call.node) if id(inner.node) in transforms]
            layers = [layer for layer in layers if layer.call.qualname and layer.call.qualname.startswith("keras.layers.")]
            if layers:
                pipelines.append(Pipeline("keras-layers", call, model.owners(call), tuple(layers)))
    return tuple(transforms.values()), tuple(pipelines)


def _applied_whenever_called(function: cst.FunctionDef, node: cst.CSTNode) -> bool:
    """Whether ``node`` runs on every call of ``function``: no ``if`` (or conditional expression)
    around it whose body or ``else`` holds it, and no lambda (a ``tf.cond`` branch) around it."""
    path = code_path(function, node) or []
    return not any(
        isinstance(outer, cst.Lambda) or isinstance(outer, (cst.If, cst.IfExp)) and inner is not outer.test
        for outer, inner in zip(path, path[1:])
    )


# The random tf.image ops (knowledge/transforms.py TF_IMAGE), by qualified name.
_TF_IMAGE_RANDOM = "tensorflow.image.random_"


@dataclass
class _Roles:
    roles: set[Role] = field(default_factory=set)
    evidence: dict[Role, str] = field(default_factory=dict)
    stage: int = -1

    def mark(self, role: Role, evidence: str) -> None:
        self.roles.add(role)
        self.evidence.setdefault(role, evidence)


def with_applied_by_class(model: SemanticModel, pipelines: tuple[Pipeline, ...]) -> tuple[Pipeline, ...]:
    """Each pipeline with :attr:`Pipeline.always_applied` set: built in a method of a class and
    applied, where the class's methods apply it (``self.tf(x)``, or built and applied at once,
    ``T.Compose([...])(img)``), outside any ``if`` other than on a flag that defaults to on
    (``if self.apply_transforms:`` with ``apply_transforms=True``)."""
    return tuple(replace(pipeline, always_applied=_always_applied(model, pipeline)) if pipeline.call.scope.owner else pipeline
                 for pipeline in pipelines)


def _always_applied(model: SemanticModel, pipeline: Pipeline) -> bool:
    owner = pipeline.call.scope.owner
    flags = _flags_on_by_default(model, owner)
    attributes = {var.name for var in pipeline.owners if var.name.startswith("self.")}
    applications = [call for call in model.calls if call.scope.owner == owner and (
        call.node.func is pipeline.node or (dotted(call.node.func) or "") in attributes)]
    return bool(applications) and all(
        _unconditional(model, node, flags) for node in (pipeline.node, *(call.node for call in applications)))


def _flags_on_by_default(model: SemanticModel, owner: str) -> frozenset[str]:
    """The names a class's ``__init__`` takes with a default of True, as they are tested
    (``apply_transforms`` and ``self.apply_transforms``)."""
    found: set[str] = set()
    for scope in model.function_scopes("__init__", owner):
        function = model.function_of(scope)
        for param in (*function.params.params, *function.params.kwonly_params) if function else ():
            if param.default is not None and model.value(param.default) is True:
                found.update((param.name.value, f"self.{param.name.value}"))
    return frozenset(found)


def _unconditional(model: SemanticModel, node: cst.CSTNode, flags: frozenset[str]) -> bool:
    """Whether no ``if`` (or conditional expression) on the way from the module to ``node``
    decides whether it runs, other than one on a flag in ``flags`` whose body holds it."""
    return all((dotted(branch.test) or "") in flags and in_body for branch, in_body in model.branches_to(node) or ())


def pipelines_with_roles(model: SemanticModel, pipelines: tuple[Pipeline, ...],
                         loops: tuple[DataLoop, ...] = ()) -> tuple[Pipeline, ...]:
    """Each pipeline with its roles: from use where data flow shows it (Keras ``fit``/``predict``,
    PyTorch data loops), else from names."""
    if not pipelines:
        return pipelines
    found_roles = {id(pipeline): _Roles() for pipeline in pipelines}
    by_owner: dict[Var, list[Pipeline]] = {}
    for pipeline in pipelines:
        for owner in pipeline.owners:
            by_owner.setdefault(owner, []).append(pipeline)

    def reached(names: set[Var], at: int, through_callers: bool = False) -> list[_Roles]:
        """Pipelines whose data reaches a use at call index ``at`` (inside a function, with
        ``through_callers``, from what its callers pass it); of several module-level pipelines
        bound to one name, only the last one bound before the use."""
        found: list[Pipeline] = []
        for name in (model.reaches_through_callers(names) if through_callers else model.reaches(names)):
            candidates = by_owner.get(name, [])
            earlier = [p for p in candidates if p.call.scope.is_module and p.call.index < at]
            if earlier:
                latest = max(earlier, key=lambda p: p.call.index)
                candidates = [p for p in candidates if p is latest or not p.call.scope.is_module]
            for pipeline in candidates:
                if pipeline not in found:
                    found.append(pipeline)
        return [found_roles[id(pipeline)] for pipeline in found]

    trainers = {owner for call in model.calls if call.qualname in training_table.LIGHTNING_TRAINERS for owner in model.owners(call)}
    loops_with_predict: dict[int, int] = {}
    for call in model.calls:
        if call.qualname is not None:
            continue
        if call.method in FIT_METHODS:
            lightning = bool(call.receiver) and model.qualify(call.receiver or "", call.scope) in trainers
            # Lightning's Trainer.fit(model, train_dataloaders, val_dataloaders): the model comes first.
            data = call.arg("train_dataloaders", 1) if lightning else call.arg("x", 0) or call.arg("generator", 0)
            if data is not None:
                for roles in reached(model.names_used(data.value, call.scope), call.index):
                    roles.mark(TRAIN, f"fed to {call.method}()")
                    roles.stage = max(roles.stage, call.index)
            validation = call.arg(*training_table.LIGHTNING_VALIDATION_DATA["fit"]) if lightning else call.arg("validation_data")
            if validation is not None:
                for roles in reached(model.names_used(validation.value, call.scope), call.index):
                    roles.mark(VALIDATION, f"validation_data of {call.method}()")
        elif call.method in PREDICT_METHODS:
            if call.loops:
                for enclosing in call.loops:
                    loops_with_predict.setdefault(id(enclosing), call.index)
            else:
                data = call.arg("x", 0) or call.arg("generator", 0)
                if data is not None:
                    for roles in reached(model.names_used(data.value, call.scope), call.index):
                        roles.mark(PREDICT, f"fed to {call.method}()")
    for data_loop in loops:
        if data_loop.training is not None:
            for roles in reached(set(data_loop.data), data_loop.training.index, through_callers=True):
                roles.mark(TRAIN, f"iterated by the training loop ({model.module.code_for_node(data_loop.training.node)})")
                roles.stage = max(roles.stage, data_loop.training.index)
        elif data_loop.evaluates and data_loop.repeated:
            for roles in reached(set(data_loop.data), data_loop.runs[0].index, through_callers=True):
                roles.mark(TTA, "iterated again on each pass of a loop around the model")
    for loop in model.loops:
        if id(loop.node) in loops_with_predict:
            names = {model.qualify(name, loop.scope) for name in loop.names}
            for roles in reached(names, loops_with_predict[id(loop.node)]):
                roles.mark(TTA, "used in a loop around predict()")
    for pipeline in pipelines:
        roles = found_roles[id(pipeline)]
        if pipeline.kind == "ttach":
            roles.mark(TTA, "a ttach test-time augmentation")  # ttach exists for nothing else
        if not roles.roles:
            for owner in sorted(pipeline.owners):
                # "get_valid_transforms:aug": the name of the function that builds it counts too.
                role = role_from_name(str(owner))
                if role is not None:
                    roles.mark(role, f"named {str(owner)!r}")
    return tuple(
        replace(pipeline, roles=frozenset(roles.roles), role_evidence=dict(roles.evidence), stage=roles.stage)
        for pipeline, roles in ((pipeline, found_roles[id(pipeline)]) for pipeline in pipelines)
    )


def predict_loops(model: SemanticModel, data_loops: tuple[DataLoop, ...] = ()) -> tuple[PredictLoop, ...]:
    """Each ``predict`` call inside a loop, with the innermost loop and how many times it runs; and
    each PyTorch evaluation loop run again by an enclosing loop (test-time augmentation passes over
    a DataLoader), with that enclosing loop."""
    found_loops: list[PredictLoop] = []
    loops = {id(loop.node): loop for loop in model.loops}
    for data_loop in data_loops:
        if not data_loop.evaluates or not data_loop.repeated:
            continue
        outer = loops.get(id(data_loop.enclosing[-1]))
        if outer is None or not isinstance(outer.node, cst.For):
            continue
        found_loops.append(PredictLoop(outer, data_loop.runs[0], model.range_length(outer.node.iter, outer.scope),
                                       frozenset(target_names(outer.node.target)), repeats=True))
    per_item: set[int] = set()
    for data_loop in data_loops:
        # Per item: ``for sample in test_dataset: for i in range(TTA): model(tta_tf(sample["image"]))``.
        for run in data_loop.runs if data_loop.evaluates else ():
            inner = loops.get(id(run.loops[-1])) if run.loops else None
            if inner is None or inner.node is data_loop.node or not isinstance(inner.node, cst.For) \
                    or not any(node is data_loop.node for node in run.loops) or id(inner.node) in per_item:
                continue
            per_item.add(id(inner.node))
            targets = frozenset(target_names(inner.node.target))
            data = run.node.args[0].value if run.node.args else None
            head = (dotted(run.node.func) or "").split(".", 1)[0]
            repeats = data is not None and bool(head) and _same_item_and_model(
                model, inner, targets, data, run.scope, head, TORCH_WEIGHT_METHODS)
            found_loops.append(PredictLoop(inner, run, model.range_length(inner.node.iter, inner.scope), targets,
                                          repeats=repeats))
    for call in model.calls:
        if call.qualname is not None or call.method not in PREDICT_METHODS or not call.loops:
            continue
        loop = loops.get(id(call.loops[-1]))
        if loop is None:
            continue
        parts = loop_parts(loop.node)
        iterable, target = (parts[0], parts[1]) if parts is not None else (None, None)
        targets = frozenset(target_names(target)) if target is not None else frozenset()
        found = PredictLoop(loop, call, model.range_length(iterable, loop.scope), targets)
        found_loops.append(replace(found, repeats=_repeats(model, found)))
    return tuple(found_loops)


def _same_item_and_model(model: SemanticModel, loop: Loop, targets: frozenset[str], data: cst.BaseExpression,
                         scope: Scope, head: str, weight_methods: AbstractSet[str]) -> bool:
    """Whether each pass of a loop runs the model named ``head`` on the same data: ``data`` (read in
    ``scope``) is not computed from the loop's variables, and nothing in the loop rebinds the model
    or gives it other weights (one of ``weight_methods`` called on it)."""
    qualified = {model.qualify(target, loop.scope) for target in targets}
    if qualified and model.reaches(model.names_used(data, scope)) & qualified:
        return False  # … through names: image = load(path); model.predict(image)
    return not any(
        loop.node in other.loops and (head in other.assigned_to or (
            (other.receiver or "").split(".", 1)[0] == head and other.method in weight_methods))
        for other in model.calls)


def _repeats(model: SemanticModel, found: PredictLoop) -> bool:
    """Whether a loop predicts the same input with the same model on every pass."""
    call = found.call
    data = call.arg("x", 0) or call.arg("generator", 0)
    if data is None or call.receiver is None:
        return False
    if {name.split(".", 1)[0] for name in names_in(data.value)} & found.targets:
        return False  # it walks over the data
    return _same_item_and_model(model, found.loop, found.targets, data.value, call.scope,
                                call.receiver.split(".", 1)[0], WEIGHT_METHODS)
