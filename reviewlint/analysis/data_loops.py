"""PyTorch data loops: the ``for`` loops (and comprehensions) that walk over data in a file that
trains or runs a PyTorch model, and what each does with a batch — a training step, or a model
run on it (evaluation, prediction, test-time augmentation).

In PyTorch nothing like Keras' ``fit(x, validation_data=…)`` says what data is for: the loop that
iterates a ``DataLoader`` does. A loop that encloses a training step (``loss.backward()``) trains
on what it iterates; a loop without one that calls a model on its batch evaluates or predicts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import libcst as cst

from reviewlint.analysis.facts import DataLoop
from reviewlint.analysis.imports import dotted
from reviewlint.analysis.scan import target_names
from reviewlint.analysis.semantic import CallSite, SemanticModel, loop_parts, names_in
from reviewlint.knowledge import training as training_table
from reviewlint.knowledge.roles import TORCH_LOADERS, TORCH_WEIGHT_METHODS


def _batch_names(model: SemanticModel, node: cst.CSTNode, target: cst.BaseExpression) -> set[str]:
    """The loop's target names and the names computed from them inside the loop
    (``images, labels = batch``; ``images = images.to(device)``)."""
    batch = set(target_names(target))
    inside = [a for a in model.assignments if any(loop is node for loop in a.loops)]
    for _ in range(3):
        grown = set(batch)
        for assignment in inside:
            if {name.split(".", 1)[0] for name in names_in(assignment.value)} & batch:
                grown.update(assignment.targets)
        if grown == batch:
            break
        batch = grown
    return batch


def _is_run(model: SemanticModel, call: CallSite, batch: set[str]) -> bool:
    """Whether a call runs a model on the batch: ``model(x)``, ``self.model(x)``, ``net(x.to(d))``
    — not a method of the batch itself, a loss, a builtin or a function of the module."""
    if call.qualname is not None:
        return False
    callee = dotted(call.node.func)
    if callee is None:
        return False
    head, _, rest = callee.partition(".")
    last = callee.rsplit(".", 1)[-1]
    if head in batch or last in training_table.NOT_A_MODEL_RUN or (not rest and head in model.functions):
        return False
    if training_table.LOSS_NAME.search(last) or training_table.NOT_A_MODEL_NAME.search(last):
        return False
    if not rest and model.is_builtin(head):
        return False
    return any({name.split(".", 1)[0] for name in names_in(arg.value)} & batch for arg in call.node.args)


def data_loops(model: SemanticModel, trainings: tuple[CallSite, ...]) -> tuple[DataLoop, ...]:
    """The loops over data of a PyTorch file (none in other files)."""
    if not model.imports.packages & training_table.TORCH_MODULES:
        return ()
    found = tuple(_loops(model, trainings))
    return tuple(replace(loop, repeated=True) if _repeated(model, loop, found) else loop for loop in found)


def _repeated(model: SemanticModel, data_loop: DataLoop, loops: tuple[DataLoop, ...]) -> bool:
    """Whether an evaluation loop runs again on each pass of an enclosing loop that neither trains
    (an epoch loop validates) nor loads other weights (a loop over folds ensembles)."""
    if not data_loop.evaluates or not data_loop.enclosing:
        return False
    outer = data_loop.enclosing[-1]
    if any(other.training is not None and other.node is outer for other in loops):
        return False
    return not any(
        any(node is outer for node in call.loops) and (call.method in TORCH_WEIGHT_METHODS or call.qualname in TORCH_LOADERS)
        for call in model.calls
    )


def _loops(model: SemanticModel, trainings: tuple[CallSite, ...]) -> Iterator[DataLoop]:
    for loop in model.loops:
        parts = loop_parts(loop.node)
        if parts is None:
            continue
        iterable, target, body = parts
        training = next((call for call in trainings if any(inside is loop.node for inside in call.loops)), None)
        runs: tuple[CallSite, ...] = ()
        if training is None:
            batch = _batch_names(model, loop.node, target)
            if not batch:
                continue
            runs = tuple(call for call in model.calls_within(body) if _is_run(model, call, batch))
            if not runs:
                continue
        enclosing = next((call.loops for call in (training, *runs) if call is not None), ())
        outer = enclosing[: next((i for i, node in enumerate(enclosing) if node is loop.node), 0)]
        batch_vars = frozenset(model.qualify(name, loop.scope) for name in target_names(target))
        yield DataLoop(loop.node, loop.scope, frozenset(model.names_used(iterable, loop.scope)), batch_vars, training, runs, outer)
