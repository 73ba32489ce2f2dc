"""Freezing facts: where a pretrained PyTorch backbone's parameters stop learning.

``for p in model.parameters(): p.requires_grad = False``, ``model.backbone.requires_grad_(False)``,
or a helper of the module with a flag (``def set_frozen(m, unfreeze=False): … p.requires_grad =
unfreeze``) called without unfreezing. Each freeze comes with the pretrained backbones it may
apply to: the one bound right there when the frozen name was just built from one (``net =
models.resnet18(…)`` in one branch of ``if arch == …``), else every backbone the name reaches.
"""

from __future__ import annotations

import libcst as cst

from reviewlint.analysis.facts import Backbone, ParameterFreeze
from reviewlint.analysis.semantic import AttributeAssignment, Scope, SemanticModel, names_in
from reviewlint.knowledge.backbones import TORCH_PACKAGES


def parameter_freezes(model: SemanticModel, backbones: tuple[Backbone, ...]) -> tuple[ParameterFreeze, ...]:
    """Every freeze of a pretrained PyTorch backbone's parameters, in source order."""
    pretrained = tuple(b for b in backbones if b.pretrained and b.family.package in TORCH_PACKAGES)
    if not pretrained:
        return ()
    found: list[ParameterFreeze] = []
    for assignment in model.attribute_assignments:
        if not assignment.target.endswith(".requires_grad") or _batchnorm_only(model, assignment):
            continue
        where = _freezing(model, assignment)
        loops = [loop for loop in assignment.loops if isinstance(loop, cst.For)]
        if where is not None and loops:
            frozen = _backbones_of(model, backbones, pretrained, loops[-1].iter, assignment.scope, assignment.index)
            if frozen:
                found.append(ParameterFreeze(where[0], where[1], frozen))
    for call in model.method_calls("requires_grad_"):
        arg = call.arg("requires_grad", 0)
        func = call.node.func
        if arg is not None and model.value(arg.value) is False and isinstance(func, cst.Attribute):
            frozen = _backbones_of(model, backbones, pretrained, func.value, call.scope, call.index)
            if frozen:
                found.append(ParameterFreeze(call.node, call.scope, frozen))
    return tuple(found)


def _backbones_of(model: SemanticModel, backbones: tuple[Backbone, ...], pretrained: tuple[Backbone, ...],
                  node: cst.CSTNode, scope: Scope, at: int) -> tuple[Backbone, ...]:
    """The pretrained backbones whose parameters ``node`` (``model.parameters()``) may hold, at
    position ``at`` of ``scope``."""
    heads = {model.qualify(name.split(".", 1)[0], scope) for name in names_in(node)}
    # A binding at position ``at`` comes after the statement there: its value's calls come first.
    in_force = [binding.value for head in heads if (binding := model.reaching(head, at - 1)) is not None]
    direct = [backbone for backbone in backbones if any(value is backbone.call.node for value in in_force)]
    candidates = [backbone for backbone in pretrained if backbone in direct] if direct else pretrained
    reached = model.reaches_through_callers(heads | model.names_used(node, scope))
    return tuple(backbone for backbone in candidates if backbone.owners & reached)


def _batchnorm_only(model: SemanticModel, assignment: AttributeAssignment) -> bool:
    """Whether the assignment only reaches BatchNorm layers (``if isinstance(m, nn.BatchNorm2d):
    m.weight.requires_grad = False``): their affine weights stop, the rest of the network trains."""
    return any(not in_else and "BatchNorm" in model.module.code_for_node(test) for test, in_else in assignment.conditions)


def _freezing(model: SemanticModel, assignment: AttributeAssignment) -> tuple[cst.CSTNode, Scope] | None:
    """Where ``….requires_grad = value`` freezes, and in which scope: the assignment when the
    value is False; for a flag of a helper (``def dfs_freeze(model, unfreeze=False): …
    param.requires_grad = unfreeze``), the first call that passes it False (or leaves the default)."""
    if model.value(assignment.value) is False:
        return assignment.node, assignment.scope
    function = model.function_of(assignment.scope)
    if function is None or not isinstance(assignment.value, cst.Name):
        return None
    passed = model.arguments_for(function, assignment.value.value)
    return next(((call.node, call.scope) for call, value in passed if value is False), None)
