"""From a parsed module to :class:`~reviewlint.facts.Facts`.

:func:`extract` runs the one traversal (:mod:`reviewlint.scan`), resolves qualified names once
the whole import table is known, builds the data-flow graph, then derives the model:
augmentation (:mod:`reviewlint.extract_augmentation`), backbones and input normalization
(:mod:`reviewlint.extract_inputs`), Keras training calls (:mod:`reviewlint.extract_training`).
"""

from __future__ import annotations

import libcst as cst

from reviewlint.consts import ConstantFolder
from reviewlint.extract_augmentation import (
    predict_loops,
    roles,
    transforms_and_pipelines,
)
from reviewlint.extract_inputs import backbones, normalizations
from reviewlint.extract_training import fits
from reviewlint.facts import (
    CallSite,
    Facts,
    names_in,
)
from reviewlint.names import dotted
from reviewlint.scan import Scan
from reviewlint.traverse import walk


def extract(module: cst.Module) -> Facts:
    """Build the facts of one parsed module."""
    scan = Scan()
    walk(module, scan)  # module.visit(scan), without rebuilding the tree (reviewlint.traverse)
    facts = Facts(
        module=module,
        imports=scan.imports,
        folder=ConstantFolder(scan.module_bindings),
        attribute_assignments=scan.attribute_assignments,
        loops=scan.loops,
        functions=scan.functions,
        local_names=scan.local_names,
        subscript_assignments=scan.subscript_assignments,
        parenthesized_tuples=scan.parenthesized_tuples,
    )
    for name, node, scope in scan.attribute_reads:
        facts.attribute_reads.setdefault(facts.qualify(name, scope), []).append(node)
    for edge in scan.edges:
        key = facts.qualify(edge.target, edge.target_scope)
        facts.deps.setdefault(key, set()).update(facts.qualify(name, edge.use_scope) for name in edge.used)
    _resolve_tuple_assigns(scan, facts)
    by_node: dict[int, CallSite] = {}
    for index, raw in enumerate(scan.calls):
        func = raw.node.func
        method = func.attr.value if isinstance(func, cst.Attribute) else None
        receiver = dotted(func.value) if isinstance(func, cst.Attribute) else None
        site = CallSite(
            node=raw.node,
            qualname=scan.imports.resolve(func),
            method=method,
            receiver=receiver,
            scope=raw.scope,
            loops=raw.loops,
            assigned_to=raw.assigned_to,
            index=index,
        )
        facts.calls.append(site)
        by_node[id(raw.node)] = site
    transforms_and_pipelines(facts, by_node)
    backbones(facts)
    normalizations(facts, scan)
    roles(facts)
    predict_loops(facts)
    facts.assignments = scan.assignments
    facts.module_history = scan.module_history
    facts.returns = scan.returns
    fits(facts, scan, by_node)
    return facts


def _resolve_tuple_assigns(scan: Scan, facts: Facts) -> None:
    """``a, b = f()`` where ``f`` returns a tuple: ``a`` depends on the first element only."""
    for pending in scan.tuple_assigns:
        returned = scan.returns.get(pending.function, [])
        positional = [
            value
            for value in returned
            if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(pending.targets)
        ]
        for position, name in enumerate(pending.targets):
            key = facts.qualify(name, pending.scope)
            deps = facts.deps.setdefault(key, set())
            if positional:
                for value in positional:
                    deps.update(facts.qualify(used, pending.function) for used in names_in(value.elements[position].value))
            else:
                deps.update(facts.qualify(used, pending.scope) for used in pending.names)
            deps.discard(key)
