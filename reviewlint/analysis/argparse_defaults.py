"""The defaults of a script's command-line options, as the values its ``args.…`` hold when it runs
without flags (``parser.add_argument("--epochs", type=int, default=100)`` … ``range(args.epochs)``).

A training script configured by ``argparse`` runs with its defaults unless told otherwise: read
statically, ``args.epochs`` is the default. Only a namespace whose every binding is what
``parse_args()`` returns counts — ``args = parser.parse_args()``, or ``args = get_args()`` where
that function of the module returns ``parser.parse_args()`` —, with ``parser`` bound to
``argparse.ArgumentParser(…)``. An option defined twice with different defaults, set by
``args.x = …``, or given no default stays unknown; ``action="store_true"`` defaults to False and
``"store_false"`` to True.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping, Sequence

import libcst as cst

from reviewlint.analysis.imports import dotted

_PARSER = "argparse.ArgumentParser"
_PARSE = frozenset({"parse_args"})


def _dest(call: cst.Call) -> str | None:
    """The attribute an ``add_argument`` call stores into: ``dest=``, else the first long option
    (``--learning-rate`` -> ``learning_rate``), else the positional name."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "dest":
            value = _literal(arg.value)
            return value if isinstance(value, str) else None
    names = [value for arg in call.args if arg.keyword is None and isinstance(value := _literal(arg.value), str)]
    long = [name for name in names if name.startswith("--")]
    chosen = long[0][2:] if long else (names[0] if names and not names[0].startswith("-") else None)
    return chosen.replace("-", "_") if chosen else None


def _literal(node: cst.BaseExpression) -> object:
    if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float)):
        try:
            return ast.literal_eval(node.value)
        except (ValueError, SyntaxError):
            return None
    return None


def _default(call: cst.Call) -> cst.BaseExpression | None:
    """The expression an option defaults to (``store_true``: False)."""
    keywords = {arg.keyword.value: arg.value for arg in call.args if arg.keyword is not None}
    if "default" in keywords:
        return keywords["default"]
    action = _literal(keywords["action"]) if "action" in keywords else None
    if action == "store_true":
        return cst.Name("False")
    if action == "store_false":
        return cst.Name("True")
    return None


def option_defaults(
    calls: Sequence[tuple[cst.Call, str | None]],
    bindings: Iterable[tuple[str, cst.BaseExpression | None]],
    returns: Mapping[str, Sequence[cst.BaseExpression]],
    resolve: Callable[[str], str | None],
) -> dict[str, cst.BaseExpression]:
    """``{"args.epochs": <default expression>}`` for the module's argparse namespaces.

    ``calls``: every call with its dotted callee; ``bindings``: every (name, bound value) of the
    module, any scope; ``returns``: what each function returns; ``resolve``: a dotted callee to its
    qualified name (imports followed)."""
    values: dict[str, list[cst.BaseExpression | None]] = {}
    for name, value in bindings:
        values.setdefault(name, []).append(value)
    parsers = {name for name, bound in values.items()
               if bound and all(isinstance(v, cst.Call) and resolve(dotted(v.func) or "") == _PARSER for v in bound)}
    if not parsers:
        return {}

    def parsed(value: cst.BaseExpression | None, assumed: frozenset[str] = frozenset()) -> bool:
        """``parser.parse_args()``, a call of a module function that returns one, or a name bound
        only to those (``args = parser.parse_args()`` … ``return args``; a name already being
        asked about is assumed to be one, so that ``args = get_args()`` returning a local
        ``args`` is read as a whole)."""
        if isinstance(value, cst.Name):
            if value.value in assumed:
                return True
            bound = values.get(value.value) or []
            return bool(bound) and all(parsed(v, assumed | {value.value}) for v in bound)
        if not isinstance(value, cst.Call):
            return False
        func = value.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            return func.value.value in parsers and func.attr.value in _PARSE
        if isinstance(func, cst.Name) and func.value in returns:
            return all(parsed(returned, assumed) for returned in returns[func.value])
        return False

    namespaces = {name for name, bound in values.items() if bound and all(parsed(v, frozenset({name})) for v in bound)
                  and any(isinstance(v, cst.Call) for v in bound)}
    if not namespaces:
        return {}
    defaults: dict[str, cst.BaseExpression | None] = {}
    for call, callee in calls:
        receiver, _, method = (callee or "").rpartition(".")
        if method != "add_argument" or receiver not in parsers:
            continue
        dest = _dest(call)
        if dest is None:
            continue
        default = _default(call)
        if dest not in defaults:
            defaults[dest] = default
            continue
        earlier = defaults[dest]
        if earlier is None or default is None or not earlier.deep_equals(default):
            defaults[dest] = None  # defined twice, differently
    return {f"{namespace}.{dest}": default for namespace in namespaces
            for dest, default in defaults.items() if default is not None}

