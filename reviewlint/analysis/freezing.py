"""Freezing facts: where a pretrained PyTorch backbone's parameters stop learning.

``for p in model.parameters(): p.requires_grad = False``, ``model.backbone.requires_grad_(False)``,
or a helper of the module with a flag (``def set_frozen(m, unfreeze=False): … p.requires_grad =
unfreeze``) called without unfreezing. Each freeze comes with the pretrained backbones it may
apply to: the one bound right there when the frozen name was just built from one (``net =
models.resnet18(…)`` in one branch of ``if arch == …``), else every backbone the name reaches. A
module function that freezes the parameter it is given (``def set_parameter_requires_grad(model)``)
freezes at each call of the module that gives it a backbone, and is also recorded with that
parameter and no backbone, for the callers in other modules (reviewlint.analysis.imported).
"""

from __future__ import annotations

import libcst as cst

from reviewlint.analysis.facts import Backbone, ParameterFreeze
from reviewlint.analysis.semantic import AttributeAssignment, Scope, SemanticModel, names_in
from reviewlint.knowledge.backbones import TORCH_PACKAGES


def parameter_freezes(model: SemanticModel, backbones: tuple[Backbone, ...]) -> tuple[ParameterFreeze, ...]:
    """Every freeze of a pretrained PyTorch backbone's parameters, in source order."""
    pretrained = tuple(b for b in backbones if b.pretrained and b.family.package in TORCH_PACKAGES)
    found: list[ParameterFreeze] = []
    for assignment in model.attribute_assignments:
        if not assignment.target.endswith(".requires_grad") or _batchnorm_only(model, assignment) or model.never_runs(assignment.node):
            continue
        where = _freezing(model, assignment)
        loops = [loop for loop in assignment.loops if isinstance(loop, cst.For)]
        if where is not None and loops:
            found.extend(_freeze(model, backbones, pretrained, where[0], where[1], loops[-1].iter, assignment.scope, assignment.index))
    for call in model.method_calls("requires_grad_"):
        arg = call.arg("requires_grad", 0)
        func = call.node.func
        if arg is not None and model.value(arg.value) is False and isinstance(func, cst.Attribute) and not model.never_runs(call):
            found.extend(_freeze(model, backbones, pretrained, call.node, call.scope, func.value, call.scope, call.index))
    return tuple(found)


def _freeze(model: SemanticModel, backbones: tuple[Backbone, ...], pretrained: tuple[Backbone, ...], node: cst.CSTNode,
            scope: Scope, frozen: cst.CSTNode, where: Scope, at: int) -> list[ParameterFreeze]:
    """The freezes at ``node`` of what ``frozen`` (``model.parameters()`` in scope ``where``, at
    position ``at``) holds. When ``frozen`` is a parameter of a module function: one at each call
    of the function that gives it a pretrained backbone, plus the freeze of the parameter itself
    (when some call gives it one, or none calls it here); otherwise the pretrained backbones it
    reaches."""
    function = model.function_of(where)
    positions = [p.name.value for p in (*function.params.posonly_params, *function.params.params)] if function else []
    heads = sorted({name.split(".", 1)[0] for name in names_in(frozen)} & set(positions))
    parameter = (positions.index(heads[0]), heads[0]) if function is not None and not where.owner and scope == where \
        and len(heads) == 1 else None
    if parameter is not None and function is not None:
        # A helper that freezes what it is given: the freeze happens at each call given a backbone.
        calls = [call for call in model.calls if call.qualname is None and isinstance(call.node.func, cst.Name)
                 and call.node.func.value == function.name.value]
        at_calls = []
        for call in calls:
            given = call.arg(parameter[1], parameter[0])
            reached = _backbones_of(model, backbones, pretrained, given.value, call.scope, call.index) if given else ()
            if reached:
                at_calls.append(ParameterFreeze(call.node, call.scope, reached))
        if at_calls or not calls:
            # and for the callers in other modules, the freeze of the parameter itself
            return [*at_calls, ParameterFreeze(node, scope, (), parameter)]
    reached = _backbones_of(model, backbones, pretrained, frozen, where, at)
    return [ParameterFreeze(node, scope, reached)] if reached else []


def frozen_backbones(model: SemanticModel, backbones: tuple[Backbone, ...], node: cst.CSTNode, scope: Scope,
                     at: int) -> tuple[Backbone, ...]:
    """The pretrained PyTorch backbones whose parameters ``node`` (a model handed to a freezing
    function of another module) may hold, at call position ``at`` of ``scope``."""
    pretrained = tuple(b for b in backbones if b.pretrained and b.family.package in TORCH_PACKAGES)
    return _backbones_of(model, backbones, pretrained, node, scope, at) if pretrained else ()


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
    for test, in_else in assignment.conditions:
        negated = isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not)
        inner = test.expression if isinstance(test, cst.UnaryOperation) and negated else test
        if "BatchNorm" in model.module.code_for_node(inner) and negated == in_else:
            return True  # if isinstance(m, BatchNorm2d): … (not: if not isinstance(…), which freezes all else)
    return False


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
