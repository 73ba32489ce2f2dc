"""Training facts: which ``fit`` calls train a Keras model, and with what epochs, steps and callbacks."""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from reviewlint.analysis.facts import Backbone, Fit
from reviewlint.analysis.semantic import MODULE, CallSite, SemanticModel, Var, positional_parameters
from reviewlint.knowledge import training as training_table
from reviewlint.knowledge.backbones import TORCH_PACKAGES
from reviewlint.knowledge.roles import (
    FIT_METHODS,
)


def fits(model: SemanticModel, backbones: tuple[Backbone, ...], torch_steps: tuple[CallSite, ...] = ()) -> tuple[Fit, ...]:
    """Keras ``fit`` calls: the receiver is a Keras model as far as the code shows, never another
    estimator (in a file with PyTorch training steps ``torch_steps``, keywords alone do not show it)."""
    found: list[Fit] = []
    candidates = [call for call in model.calls if call.qualname is None and call.method in FIT_METHODS]
    if not candidates:
        return ()
    builders: dict[Var, list[CallSite]] = {}
    for call in model.calls:
        for owner in model.owners(call):
            builders.setdefault(owner, []).append(call)
    compiled = {model.qualify(call.receiver, call.scope) for call in model.method_calls("compile") if call.receiver}
    keras_built = {
        owner
        for call in model.calls
        if call.qualname is not None and training_table.is_keras_model_builder(call.qualname)
        for owner in model.owners(call)
    }
    for backbone in backbones:
        if backbone.family.package not in TORCH_PACKAGES:  # a PyTorch model is no Keras evidence
            keras_built |= model.owners(backbone.call)
    for call in candidates:
        callbacks = _callbacks(model, call)
        evidence = _keras_evidence(model, call, builders, compiled, keras_built, callbacks, bool(torch_steps))
        if evidence is None:
            continue
        positions = training_table.FIT_POSITIONS.get(call.method or "", {})
        epochs_arg = call.arg("epochs", positions.get("epochs")) or call.arg("nb_epoch")
        initial_arg = call.arg("initial_epoch")
        steps_arg = call.arg("steps_per_epoch", positions.get("steps_per_epoch"))
        found.append(
            Fit(
                call=call,
                evidence=evidence,
                epochs=1 if epochs_arg is None else model.value_of_call_arg(call, epochs_arg.value),
                initial_epoch=0 if initial_arg is None else model.value_of_call_arg(call, initial_arg.value),
                steps_per_epoch=None if steps_arg is None else model.value_of_call_arg(call, steps_arg.value),
                callbacks=tuple(callbacks),
            )
        )
    return tuple(found)


def _callbacks(model: SemanticModel, call: CallSite) -> list[CallSite]:
    """The constructor calls of the callbacks passed as ``callbacks=`` (through names and lists; in
    module-level code that runs once, a name rebound in every notebook cell is the list bound last
    before the call)."""
    arg = call.arg("callbacks", 5 if call.method == "fit" else None)
    if arg is None:
        return []
    found: list[CallSite] = []
    once = call.scope.is_module and not call.loops
    for origin, _ in model.origins(arg.value, call.scope, call.index if once else None):
        site = model.call_site(origin) if isinstance(origin, cst.Call) else None
        if site is not None and site not in found:
            found.append(site)
    return found


def _builders_of(
    model: SemanticModel, key: Var, builders: dict[Var, list[CallSite]], depth: int = 0
) -> list[CallSite]:
    """The calls that build the value bound to ``key``, following calls of local functions to their returns."""
    found = list(builders.get(key, []))
    if depth >= 3:
        return found
    for call in list(found):
        func = call.node.func
        if call.qualname is None and isinstance(func, cst.Name) and func.value in model.functions:
            returned_by = model.qualify(func.value, MODULE)
            found.extend(_builders_of(model, returned_by, builders, depth + 1))
            for returned in model.computed_from(returned_by):
                found.extend(_builders_of(model, returned, builders, depth + 1))
    return found


def _keras_evidence(
    model: SemanticModel,
    call: CallSite,
    builders: dict[Var, list[CallSite]],
    compiled: set[Var],
    keras_built: set[Var],
    callbacks: list[CallSite],
    torch_steps: bool = False,
) -> str | None:
    """Why ``call`` is a Keras fit, or None when it is not (or the code does not show it)."""
    receiver = call.receiver
    key = model.qualify(receiver, call.scope) if receiver else None
    direct = _builders_of(model, key, builders) if key else []
    if any(site.qualname and training_table.is_non_keras(site.qualname) for site in direct):
        return None
    if call.method in training_table.KERAS_ONLY_FIT_METHODS:
        return f"{call.method}() exists only on Keras models"
    # A PyTorch file's own trainer class takes epochs= too (trainer.fit(epochs=…)): there, epochs=
    # alone is no evidence of Keras, and in a file that runs PyTorch training steps no keyword is.
    torch_only = bool(model.imports.packages & training_table.TORCH_MODULES) and not model.imports.packages & {"keras", "tensorflow"}
    for keyword in call.keywords():
        if keyword in training_table.KERAS_ONLY_FIT_KEYWORDS and not (torch_only and keyword == "epochs") and not torch_steps:
            return f"it passes {keyword}="
    for site in direct:
        if site.qualname and training_table.is_keras_model_builder(site.qualname):
            return f"{receiver} is built by {site.qualname}"
    if key is not None and key in compiled:
        return f"{receiver}.compile() is called"
    if key is not None and model.reaches({key}) & keras_built:
        return f"{receiver} is built from a Keras model"
    for site in callbacks:
        if site.qualname and site.qualname.startswith("keras.callbacks."):
            return f"it passes {site.qualname.rsplit('.', 1)[-1]}"
    return None


def torch_trainings(model: SemanticModel) -> tuple[CallSite, ...]:
    """The calls that show a PyTorch training step, in source order: ``loss.backward()``
    (``accelerator.backward(loss)``) in a file that imports torch or a library built on it, and
    ``trainer.fit(…)`` on a Lightning ``Trainer``. In a module that imports no framework at all,
    ``loss.backward()`` in a function that also calls ``optimizer.step()`` (a training helper
    handed the model, loss and optimizer: ``utils/train.py``)."""
    if not model.imports.packages & training_table.TORCH_MODULES:
        if model.imports.packages & training_table.OTHER_AUTOGRAD_MODULES:
            return ()
        stepping = {call.scope for call in model.calls if call.qualname is None and call.method == "step"
                    and not call.node.args and call.scope.kind == "function"}
        return tuple(call for call in model.calls if call.qualname is None and call.method == "backward" and call.scope in stepping)
    trainers = {
        owner
        for call in model.calls
        if call.qualname in training_table.LIGHTNING_TRAINERS
        for owner in model.owners(call)
    }
    found = []
    for call in model.calls:
        if call.qualname is not None:
            continue
        if call.method == "backward":
            found.append(call)
        elif call.method == "fit" and call.receiver and model.qualify(call.receiver, call.scope) in trainers:
            found.append(call)
    return tuple(found)


def batch_loops(trainings: Iterable[CallSite]) -> set[int]:
    """The loops over batches, by ``id``: the innermost ``for`` around each training step (not
    ``for phase in ["train", "val"]`` around it)."""
    return {id(fors[-1]) for step in trainings if (fors := [loop for loop in step.loops if isinstance(loop, cst.For)])}


def epoch_parameter(model: SemanticModel, step: CallSite) -> tuple[int, str] | None:
    """For a training step (``loss.backward()``) inside a function whose own loops around it are an
    epoch loop over ``range(epochs)`` of one of its parameters and a loop over batches
    (``def model_train(model, loader, epochs=10): for e in range(epochs): for x, y in loader: …``):
    that parameter, as (position among the positional parameters, or -1 for keyword-only, name).
    Called with ``epochs=1`` the function runs one epoch, and the caller's loop is the epoch loop."""
    function = model.function_of(step.scope)
    fors = [loop for loop in step.loops if isinstance(loop, cst.For)]
    if function is None or len(fors) != 2:
        return None
    outer = fors[0]
    iterable = outer.iter
    if not (isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Name) and iterable.func.value == "range"
            and len(iterable.args) == 1 and isinstance(iterable.args[0].value, cst.Name)):
        return None
    name = iterable.args[0].value.value
    positional = positional_parameters(function, bound=bool(step.scope.owner))
    if name in positional:
        return positional.index(name), name
    if any(param.name.value == name for param in function.params.kwonly_params):
        return -1, name
    return None


def passes_one_epoch(model: SemanticModel, call: CallSite, parameter: tuple[int, str]) -> bool:
    """Whether a call of a function with an epoch parameter (:func:`epoch_parameter`) passes it 1."""
    position, name = parameter
    argument = call.arg(name, position if position >= 0 else None)
    return argument is not None and model.value_in(argument.value, call.scope) == 1
