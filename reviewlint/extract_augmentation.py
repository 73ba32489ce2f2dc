"""Augmentation facts: transforms, pipelines, their roles (train, validation, TTA, predict) and
the prediction loops that look like test-time augmentation."""

from __future__ import annotations

import libcst as cst

from reviewlint.facts import (
    MODULE_SCOPE,
    PREDICT,
    TRAIN,
    TTA,
    VALIDATION,
    CallSite,
    Facts,
    Pipeline,
    PredictLoop,
    Transform,
    names_in,
)
from reviewlint.knowledge import transforms as transform_table
from reviewlint.knowledge.roles import (
    FIT_METHODS,
    PREDICT_METHODS,
    WEIGHT_METHODS,
    role_from_name,
)
from reviewlint.scan import target_names
from reviewlint.traverse import walk


def _params(facts: Facts, call: CallSite, spec: transform_table.TransformSpec) -> dict[str, object]:
    params: dict[str, object] = {}
    positional = [arg for arg in call.node.args if arg.keyword is None and arg.star == ""]
    for name, arg in zip(spec.positional, positional):
        params[name] = facts.value(arg.value)
    for name, arg in call.keywords().items():
        params[name] = facts.value(arg.value)
    return params


def transforms_and_pipelines(facts: Facts, by_node: dict[int, CallSite]) -> None:
    transforms: dict[int, Transform] = {}
    containers: list[CallSite] = []
    for call in facts.calls:
        if call.qualname is None:
            continue
        if transform_table.is_container(call.qualname):
            containers.append(call)
            continue
        spec = transform_table.lookup(call.qualname)
        if spec is None:
            continue
        transform = Transform(call, spec, _params(facts, call, spec))
        transforms[id(call.node)] = transform
        facts.transforms.append(transform)
        if spec is transform_table.IMAGE_DATA_GENERATOR:
            pipeline = Pipeline("image-data-generator", call, facts.owners(call), [transform])
            transform.pipeline = pipeline
            facts.pipelines.append(pipeline)

    nested: set[int] = set()
    for container in containers:
        for arg in container.node.args:
            for inner in _calls_in(arg.value, by_node):
                if transform_table.is_container(inner.qualname or ""):
                    nested.add(id(inner.node))
    by_name: dict[str, list[Transform]] = {}
    for transform in transforms.values():
        for name in transform.call.assigned_to:
            by_name.setdefault(name, []).append(transform)
    for container in containers:
        if id(container.node) in nested:
            continue
        pipeline = Pipeline("albumentations", container, facts.owners(container))
        members: list[Transform] = []
        for arg in container.node.args:
            if arg.keyword is not None and arg.keyword.value != "transforms":
                continue
            for inner in _calls_in(arg.value, by_node):
                found = transforms.get(id(inner.node))
                if found is not None and found not in members:
                    members.append(found)
            for name in names_in(arg.value):
                for found in by_name.get(name, []):
                    if found not in members:
                        members.append(found)
        for member in members:
            member.pipeline = pipeline
        pipeline.transforms = members
        facts.pipelines.append(pipeline)

    for call in facts.calls:
        if call.qualname == "keras.Sequential":
            layers = [transforms[id(inner.node)] for inner in _calls_in(call.node, by_node) if id(inner.node) in transforms]
            layers = [layer for layer in layers if layer.call.qualname and layer.call.qualname.startswith("keras.layers.")]
            if layers:
                pipeline = Pipeline("keras-layers", call, facts.owners(call), layers)
                for layer in layers:
                    layer.pipeline = pipeline
                facts.pipelines.append(pipeline)


def _calls_in(node: cst.CSTNode, by_node: dict[int, CallSite]) -> list[CallSite]:
    collector = _CallCollector(by_node)
    walk(node, collector)
    return collector.found


class _CallCollector(cst.CSTVisitor):
    def __init__(self, by_node: dict[int, CallSite]) -> None:
        self.by_node = by_node
        self.found: list[CallSite] = []

    def visit_Call(self, node: cst.Call) -> None:
        site = self.by_node.get(id(node))
        if site is not None:
            self.found.append(site)


def roles(facts: Facts) -> None:
    """Give each pipeline its roles: from use where data flow shows it, else from names."""
    by_owner: dict[str, list[Pipeline]] = {}
    for pipeline in facts.pipelines:
        for owner in pipeline.owners:
            by_owner.setdefault(owner, []).append(pipeline)

    def reached(names: set[str], at: int) -> list[Pipeline]:
        """Pipelines whose data reaches a use at call index ``at``; of several module-level
        pipelines bound to one name, only the last one bound before the use."""
        found: list[Pipeline] = []
        for name in facts.reaches(names):
            candidates = by_owner.get(name, [])
            earlier = [p for p in candidates if p.call.scope == MODULE_SCOPE and p.call.index < at]
            if earlier:
                latest = max(earlier, key=lambda p: p.call.index)
                candidates = [p for p in candidates if p is latest or p.call.scope != MODULE_SCOPE]
            for pipeline in candidates:
                if pipeline not in found:
                    found.append(pipeline)
        return found

    def mark(pipelines: list[Pipeline], role: str, evidence: str) -> None:
        for pipeline in pipelines:
            pipeline.roles.add(role)
            pipeline.role_evidence.setdefault(role, evidence)

    loops_with_predict: dict[int, int] = {}
    for call in facts.calls:
        if call.qualname is not None:
            continue
        if call.method in FIT_METHODS:
            data = call.arg("x", 0) or call.arg("generator", 0)
            if data is not None:
                for pipeline in reached(facts.names_used(data.value, call.scope), call.index):
                    pipeline.roles.add(TRAIN)
                    pipeline.role_evidence.setdefault(TRAIN, f"fed to {call.method}()")
                    pipeline.stage = max(pipeline.stage, call.index)
            validation = call.arg("validation_data")
            if validation is not None:
                mark(reached(facts.names_used(validation.value, call.scope), call.index), VALIDATION, f"validation_data of {call.method}()")
        elif call.method in PREDICT_METHODS:
            if call.loops:
                for enclosing in call.loops:
                    loops_with_predict.setdefault(id(enclosing), call.index)
            else:
                data = call.arg("x", 0) or call.arg("generator", 0)
                if data is not None:
                    mark(reached(facts.names_used(data.value, call.scope), call.index), PREDICT, f"fed to {call.method}()")
    for loop in facts.loops:
        if id(loop.node) in loops_with_predict:
            names = {facts.qualify(name, loop.scope) for name in loop.names}
            mark(reached(names, loops_with_predict[id(loop.node)]), TTA, "used in a loop around predict()")
    for pipeline in facts.pipelines:
        if not pipeline.roles:
            for owner in sorted(pipeline.owners):
                role = role_from_name(owner)
                if role is not None:
                    pipeline.roles.add(role)
                    pipeline.role_evidence.setdefault(role, f"named {owner!r}")


def predict_loops(facts: Facts) -> None:
    """Each ``predict`` call inside a loop, with the innermost loop and how many times it runs."""
    loops = {id(loop.node): loop for loop in facts.loops}
    for call in facts.calls:
        if call.qualname is not None or call.method not in PREDICT_METHODS or not call.loops:
            continue
        loop = loops.get(id(call.loops[-1]))
        if loop is None:
            continue
        node = loop.node
        target: cst.BaseExpression | None = None
        iterable: cst.BaseExpression | None = None
        if isinstance(node, cst.For):
            target, iterable = node.target, node.iter
        elif isinstance(node, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
            target, iterable = node.for_in.target, node.for_in.iter
        targets = frozenset(target_names(target)) if target is not None else frozenset()
        found = PredictLoop(loop, call, _range_length(facts, iterable), targets)
        found.repeats = _repeats(facts, found)
        facts.predict_loops.append(found)


def _repeats(facts: Facts, found: PredictLoop) -> bool:
    """Whether a loop predicts the same input with the same model on every pass."""
    call = found.call
    data = call.arg("x", 0) or call.arg("generator", 0)
    if data is None or call.receiver is None:
        return False
    if {name.split(".", 1)[0] for name in names_in(data.value)} & found.targets:
        return False  # it walks over the data
    head = call.receiver.split(".", 1)[0]
    for other in facts.calls:
        if found.loop.node not in other.loops:
            continue
        if head in other.assigned_to:
            return False
        if other.receiver is not None and other.receiver.split(".", 1)[0] == head and other.method in WEIGHT_METHODS:
            return False
    return True


def _range_length(facts: Facts, node: cst.BaseExpression | None) -> int | None:
    """len(range(…)) for a call to the builtin ``range`` with foldable integer arguments."""
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Name) or node.func.value != "range":
        return None
    if "range" in facts.imports.bindings or any(arg.keyword is not None or arg.star for arg in node.args):
        return None
    values = [facts.value(arg.value) for arg in node.args]
    if not 1 <= len(values) <= 3 or not all(isinstance(value, int) and not isinstance(value, bool) for value in values):
        return None
    bounds = [value for value in values if isinstance(value, int)]
    try:
        steps = range(*bounds)
    except ValueError:  # a zero step
        return None
    if steps.step > 0:  # len() of a range over 2**63 items raises OverflowError
        return max(0, (steps.stop - steps.start + steps.step - 1) // steps.step)
    return max(0, (steps.start - steps.stop - steps.step - 1) // -steps.step)
