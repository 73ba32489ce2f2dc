"""Facts of the project's own modules, seen from a module that imports them.

``from data import train_gen`` in ``train.py``: the generator's ``rescale=1/255`` is a fact of
``data.py``, and what it feeds is a fact of ``train.py``. :func:`imported_facts` carries the first
into the second: each backbone and normalization of an imported module that one of the imported
names was (transitively) computed from becomes a fact of the importer, owned by the importer's
name for it (``train_gen``, or ``data.train_gen`` after ``import data``) and placed before any of
the importer's own code. Its nodes stay those of the imported module: a finding on them is
reported in that module's file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import libcst as cst

from reviewlint.analysis.augmentation import pipelines_with_roles
from reviewlint.analysis.facts import Backbone, Facts, Normalization, ParameterFreeze, Pipeline
from reviewlint.analysis.imports import dotted
from reviewlint.analysis.semantic import MODULE, ExternalCall, SemanticModel, Var
from reviewlint.analysis.training import batch_loops, epoch_parameter
from reviewlint.knowledge import training


@dataclass(frozen=True, eq=False)
class ImportedModule:
    """A project module the linted module imports: its facts, and how the importer names what it
    holds (pairs of the importer's dotted name and the name in the module, "" for the module)."""

    facts: Facts
    aliases: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SchedulerStepper:
    """A function of an imported module that steps a learning-rate scheduler it is given
    (``def train_model(model, optimizer, scheduler, num_epochs): for epoch in range(num_epochs): …
    scheduler.step()``): which parameter is the scheduler, whether it steps per batch (in the loop
    over batches) or per epoch, for per-epoch steps the parameter that counts the epochs with its
    folded default, and whether the step comes before the epoch's training."""

    function: cst.FunctionDef = field(repr=False)
    scheduler: str
    per_batch: bool
    epochs: str | None
    epochs_default: object
    first: bool
    step: cst.Call = field(repr=False)


@dataclass(frozen=True)
class ImportedFacts:
    """Backbones, normalizations and augmentation pipelines the imported modules contribute, and
    which module each node of theirs belongs to (by ``id``, for placing findings)."""

    backbones: tuple[Backbone, ...] = ()
    normalizations: tuple[Normalization, ...] = ()
    # Their roles are not known yet: the importer's data flow decides them
    # (reviewlint.analysis.augmentation.pipelines_with_roles).
    pipelines: tuple[Pipeline, ...] = ()
    module_of: dict[int, int] | None = None  # id(node) -> index in the imported modules
    # The random generators the imported modules seed when they are imported (module-level
    # ``torch.manual_seed(0)`` in ``const.py``), by the names of knowledge.training.SEEDERS.
    seeded: frozenset[str] = frozenset()
    # The imported modules' functions that train a PyTorch model (a ``loss.backward()`` or a
    # Lightning ``trainer.fit`` in their body or in a function of their module they call), by the
    # importer's dotted name for them (``train_model``, ``engine.train_one_epoch``).
    torch_trainers: frozenset[str] = frozenset()
    # The imported modules' classes whose methods train a PyTorch model (``Trainer.train`` calling
    # ``loss.backward()``, directly or through other methods and functions of its module), by the
    # importer's dotted name for the class, with those methods.
    torch_trainer_classes: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # The imported modules' functions that seed random generators when called (their body, or a
    # function of their module they call, calls a seeder of knowledge.training.SEEDERS), by the
    # importer's dotted name for them, with what each seeds.
    seeding_functions: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # The imported modules' functions that freeze a pretrained PyTorch backbone's parameters
    # when called (``initialize_model`` building a torchvision resnet50 and setting
    # ``requires_grad = False``, or calling a function of its module that does), by the
    # importer's dotted name for them, with the freeze.
    freezing_functions: Mapping[str, ParameterFreeze] = field(default_factory=dict)
    # The imported modules' functions that run one epoch of PyTorch training (``loss.backward()``
    # inside exactly one loop of their own body, ``def train_one_epoch(model, loader)``; or inside
    # their own ``for e in range(epochs)`` and batch loop, with that parameter, when called with
    # ``epochs=1``) and call nothing whose name says it records, by the importer's dotted name for
    # them: a loop around a call of one is an epoch loop of the importer.
    epoch_trainers: Mapping[str, tuple[int, str] | None] = field(default_factory=dict)
    # The imported modules themselves (None for one that could not be analysed).
    modules: tuple[ImportedModule | None, ...] = ()
    # The imported modules' functions that step a scheduler they are given, by the importer's
    # dotted name for them.
    scheduler_steppers: Mapping[str, tuple[SchedulerStepper, ...]] = field(default_factory=dict)

    def model_of(self, node: cst.CSTNode) -> SemanticModel | None:
        """The model of the imported module a node of theirs belongs to (None for the importer's own)."""
        position = self.module_of.get(id(node)) if self.module_of is not None else None
        imported = self.modules[position] if position is not None and position < len(self.modules) else None
        return imported.facts.model if imported is not None else None

    def function(self, name: str) -> tuple[SemanticModel, cst.FunctionDef] | None:
        """A module-level function of an imported module by the importer's dotted name for it
        (``get_transforms`` after ``from helper import get_transforms``, ``helper.get_transforms``
        after ``import helper``), with the model of its module."""
        for imported in self.modules:
            if imported is None:
                continue
            model = imported.facts.model
            inner = _importer_names(model.functions, imported.aliases).get(name)
            scopes = model.function_scopes(inner, "") if inner is not None else []
            function = model.function_of(scopes[0]) if scopes else None
            if function is not None:
                return model, function
        return None


def calls_into(importer: SemanticModel, aliases: tuple[tuple[str, str], ...]) -> dict[str, tuple[ExternalCall, ...]]:
    """The calls ``importer`` makes of an imported module's module-level names (``aliases``: the
    importer's names for what the module holds), by the module's name for each, with the folded
    values each call passes (``models.model(pretrained=True)`` after ``import models``:
    ``{"model": (((), (("pretrained", True),)),)}``). A call that unpacks arguments passes UNKNOWN."""
    found: dict[str, list[ExternalCall]] = {}
    for call in importer.calls:
        callee = dotted(call.node.func)
        inner = _inner_name(callee, aliases) if callee is not None else None
        if inner is None:
            continue
        if any(arg.star for arg in call.node.args):
            found.setdefault(inner, []).append(((), ()))  # unknown: every parameter at its default
            continue
        positional = tuple(importer.value_in(arg.value, call.scope) for arg in call.node.args if arg.keyword is None)
        keywords = tuple((arg.keyword.value, importer.value_in(arg.value, call.scope)) for arg in call.node.args
                         if arg.keyword is not None)
        found.setdefault(inner, []).append((positional, keywords))
    return {inner: tuple(calls) for inner, calls in found.items()}


def _inner_name(callee: str, aliases: tuple[tuple[str, str], ...]) -> str | None:
    """The imported module's name for what the importer calls ``callee`` (``model`` for
    ``models.model`` after ``import models``, or for ``build`` after ``from models import model as
    build``), None when it is none of the module's names."""
    for local, name in aliases:
        if name and callee == local:
            return name
        if not name and local and callee.startswith(local + ".") and "." not in callee[len(local) + 1:]:
            return callee[len(local) + 1:]
        if not name and not local and "." not in callee:
            return callee  # from module import *
    return None


def _exported(model: SemanticModel, aliases: tuple[tuple[str, str], ...]) -> list[tuple[Var, set[Var]]]:
    """(importer's variable, everything the imported name was computed from) for each name the
    importer can reach: the names it imports, or every module-level name of a module it imports whole."""
    pairs: list[tuple[str, str]] = []
    module_names = sorted(model.module_level_names)
    for local, name in aliases:
        if name:
            pairs.append((local, name))
        else:
            pairs.extend((_importer_name(local, inner), inner) for inner in module_names if local or not inner.startswith("_"))
    return [(Var(local, MODULE), model.reaches({Var(name, MODULE), *_instance_state(model, name)})) for local, name in pairs]


def _instance_state(model: SemanticModel, cls: str) -> set[Var]:
    """What a class's methods store on ``self`` (``self.inception = torch.hub.load(…)``): an instance
    of the class (``model = TransferredInception()`` in the importer) holds it."""
    return {model.qualify(assignment.target, assignment.scope) for assignment in model.attribute_assignments
            if assignment.scope.owner == cls and assignment.target.startswith("self.")}


def imported_facts(modules: Sequence[ImportedModule | None], importer: Facts) -> ImportedFacts:
    """What the ``modules`` the ``importer`` imports contribute to its facts (see the module's
    documentation); None stands for a module that could not be analysed. The roles of their
    pipelines come from the importer's data flow: the loop or ``fit`` their data reaches."""
    backbones: list[Backbone] = []
    normalizations: list[Normalization] = []
    pipelines: list[Pipeline] = []
    module_of: dict[int, int] = {}
    seeded: set[str] = set()
    trainers: set[str] = set()
    trainer_classes: dict[str, frozenset[str]] = {}
    seeding: dict[str, frozenset[str]] = {}
    freezing: dict[str, ParameterFreeze] = {}
    epoch_trainers: dict[str, tuple[int, str] | None] = {}
    steppers: dict[str, tuple[SchedulerStepper, ...]] = {}
    for position, imported in enumerate(modules):
        if imported is None:
            continue
        facts = imported.facts
        run = facts.model.run_from_module  # seed_everything(SEED) at the module's top level runs its body
        seeded.update(*(training.SEEDERS.get(call.qualname or "", ()) for call in facts.model.calls
                        if call.scope.is_module or call.scope.name in run))
        trainers.update(_torch_trainers(facts, imported.aliases))
        trainer_classes.update(_torch_trainer_classes(facts, imported.aliases))
        seeding.update(_seeding_functions(facts, imported.aliases))
        stepping = _scheduler_steppers(facts)
        for local, inner in _importer_names(stepping, imported.aliases).items():
            steppers[local] = stepping[inner]
            module_of.update((id(stepper.step), position) for stepper in stepping[inner])
        own = _epoch_trainers(facts)
        epoch_trainers.update((local, own[inner]) for local, inner in _importer_names(own, imported.aliases).items())
        functions = _freezing_functions(facts, imported.aliases)
        freezing.update(functions)
        module_of.update((id(freeze.node), position) for freeze in functions.values())
        if not facts.backbones and not facts.normalizations and not facts.pipelines:
            continue
        exported = _exported(facts.model, imported.aliases)
        for backbone in facts.backbones:
            owners = frozenset(local for local, reached in exported if backbone.owners & reached)
            if owners:
                call = replace(backbone.call, scope=MODULE, index=-1, end=-1)
                backbones.append(replace(backbone, call=call, owners=owners))
                module_of[id(backbone.node)] = position
        for norm in facts.normalizations:
            owners = frozenset(local for local, reached in exported if norm.owners & reached)
            if owners:
                normalizations.append(replace(norm, owners=owners, index=-1, scope=MODULE))
                module_of[id(norm.node)] = position
                if norm.call is not None:
                    module_of[id(norm.call.node)] = position
        for pipeline in facts.pipelines:
            # A dataset class whose methods build a random pipeline (``PlantPathology`` with
            # ``self.transforms = Compose([Flip(), …])``) owns it, as do the names bound to it.
            owners = frozenset(local for local, reached in exported if pipeline.owners & reached)
            if owners:
                call = replace(pipeline.call, scope=MODULE, index=-1, end=-1)  # placed before the importer's code
                pipelines.append(replace(pipeline, call=call, owners=owners, roles=frozenset(), role_evidence={}, stage=-1))
                module_of[id(pipeline.node)] = position
                module_of.update((id(transform.call.node), position) for transform in pipeline.transforms)
    with_roles = pipelines_with_roles(importer.model, tuple(pipelines), importer.data_loops)
    return ImportedFacts(tuple(backbones), tuple(normalizations), with_roles, module_of, frozenset(seeded),
                         frozenset(trainers), trainer_classes, seeding, freezing, epoch_trainers, tuple(modules), steppers)


def _importer_name(local: str, inner: str) -> str:
    """How the importer names ``inner`` of a module it imports whole: ``data.inner`` after
    ``import data``, ``inner`` itself after ``from data import *`` (an empty ``local``; a star
    import brings no name that starts with an underscore)."""
    return f"{local}.{inner}" if local else inner


def _torch_trainers(facts: Facts, aliases: tuple[tuple[str, str], ...]) -> set[str]:
    """The importer's names for the imported module's functions that train with PyTorch."""
    trainers = facts.model.functions_reaching(call.scope.name for call in facts.torch_trainings)
    return set(_importer_names(trainers, aliases))


def _torch_trainer_classes(facts: Facts, aliases: tuple[tuple[str, str], ...]) -> dict[str, frozenset[str]]:
    """The importer's names for the imported module's classes with methods that train with PyTorch."""
    classes = facts.model.methods_reaching(call.scope for call in facts.torch_trainings)
    return {local: classes[inner] for local, inner in _importer_names(classes, aliases).items()}


def _seeding_functions(facts: Facts, aliases: tuple[tuple[str, str], ...]) -> dict[str, frozenset[str]]:
    """The importer's names for the imported module's functions that seed, with what they seed."""
    model = facts.model
    direct: dict[str, set[str]] = {}
    for call in model.calls:
        seeded = training.SEEDERS.get(call.qualname or "")
        if seeded and call.scope.name in model.functions:
            direct.setdefault(call.scope.name, set()).update(seeded)
    seeds: dict[str, set[str]] = {}
    for function, generators in direct.items():
        for caller in model.functions_reaching((function,)):
            seeds.setdefault(caller, set()).update(generators)
    return {local: frozenset(seeds[inner]) for local, inner in _importer_names(seeds, aliases).items()}


def _epoch_trainers(facts: Facts) -> dict[str, tuple[int, str] | None]:
    """The module's functions that run one epoch of training and record nothing themselves: with
    None for one whose batch loop is its only loop, with its epochs parameter for one that loops
    over ``range(epochs)`` itself (one epoch when called with ``epochs=1``)."""
    model = facts.model
    found: dict[str, tuple[int, str] | None] = {}
    for step in facts.torch_trainings:
        if step.method != "backward" or step.scope.kind != "function" or step.scope.owner:
            continue
        loops = sum(isinstance(loop, cst.For) for loop in step.loops)
        parameter = epoch_parameter(model, step) if loops == 2 else None
        if loops == 1 or parameter is not None:
            found.setdefault(step.scope.name, parameter)
    recording = {call.scope.name for call in model.calls if training.RECORDING_NAME.search(dotted(call.node.func) or "")
                 or (call.method or "") in training.METRIC_RECORDERS}
    return {name: parameter for name, parameter in found.items() if name not in recording}


def _scheduler_steppers(facts: Facts) -> dict[str, tuple[SchedulerStepper, ...]]:
    """The module-level functions of a module that call ``step()`` on a parameter inside the loop
    over batches of their training, or inside a ``for … in range(epochs)`` loop over a parameter."""
    model = facts.model
    batches = batch_loops(facts.torch_trainings)
    found: dict[str, tuple[SchedulerStepper, ...]] = {}
    for call in model.method_calls("step"):
        if call.node.args or not call.receiver or "." in call.receiver or call.scope.kind != "function" or call.scope.owner:
            continue
        function = model.function_of(call.scope)
        parameters = {param.name.value: param for param in (*function.params.posonly_params, *function.params.params,
                                                             *function.params.kwonly_params)} if function is not None else {}
        if function is None or call.receiver not in parameters or any(
                stepper.scheduler == call.receiver for stepper in found.get(call.scope.name, ())):
            continue
        if any(id(loop) in batches for loop in call.loops):
            found[call.scope.name] = (*found.get(call.scope.name, ()),
                                      SchedulerStepper(function, call.receiver, True, None, None, False, call.node))
            continue
        for loop in call.loops:
            iterable = loop.iter if isinstance(loop, cst.For) else None
            if not (isinstance(iterable, cst.Call) and dotted(iterable.func) == "range" and len(iterable.args) == 1
                    and isinstance(iterable.args[0].value, cst.Name) and iterable.args[0].value.value in parameters):
                continue
            if not any(any(inner is loop for inner in step.loops) for step in facts.torch_trainings):
                continue  # a loop that trains nothing is no epoch loop
            epochs = iterable.args[0].value.value
            default = parameters[epochs].default
            first = any(step.index > call.index and any(inner is loop for inner in step.loops) for step in facts.torch_trainings)
            found[call.scope.name] = (*found.get(call.scope.name, ()), SchedulerStepper(
                function, call.receiver, False, epochs, model.value(default) if default is not None else None, first, call.node))
            break
    return found


def _freezing_functions(facts: Facts, aliases: tuple[tuple[str, str], ...]) -> dict[str, ParameterFreeze]:
    """The importer's names for the imported module's functions that freeze a pretrained backbone
    (or the parameter they are given), and its classes whose ``__init__`` freezes one."""
    model = facts.model
    freezes: dict[str, ParameterFreeze] = {}
    for freeze in facts.parameter_freezes:
        if freeze.scope.kind == "function" and freeze.scope.owner and freeze.scope.name == "__init__" and freeze.backbones:
            if _unconditional_in(model, freeze):  # TransferredInception(): building one always freezes
                freezes.setdefault(freeze.scope.owner, freeze)
            continue
        if freeze.scope.kind != "function" or freeze.scope.owner:  # a module-level function, not another method
            continue
        if freeze.parameter is not None:
            freezes.setdefault(freeze.scope.name, freeze)  # freezes what its caller gives it
            continue
        for caller in model.functions_reaching((freeze.scope.name,)):
            freezes.setdefault(caller, freeze)
    return {local: freezes[inner] for local, inner in _importer_names(freezes, aliases).items()}


def _unconditional_in(model: SemanticModel, freeze: ParameterFreeze) -> bool:
    """Whether a freeze runs whenever its function does: no ``if`` between the ``def`` and it
    (``if only_train_layers: dfs_freeze(self.trunk)`` depends on what each caller passes)."""
    function = model.function_of(freeze.scope)
    return function is not None and model.branches_to(freeze.node, function) == []


def _importer_names(functions: Iterable[str], aliases: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """The importer's dotted name for each of an imported module's ``functions`` it can reach."""
    wanted = set(functions)
    names: dict[str, str] = {}
    for local, name in aliases:
        if not name:
            names.update((_importer_name(local, inner), inner) for inner in wanted if local or not inner.startswith("_"))
        elif name in wanted:
            names[local] = name
    return names


def owned_by(node: cst.CSTNode, imported: ImportedFacts) -> int | None:
    """The index of the imported module a node belongs to, or None for the importer's own nodes."""
    return None if imported.module_of is None else imported.module_of.get(id(node))
