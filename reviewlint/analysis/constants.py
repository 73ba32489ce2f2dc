"""Constant folding: the value of an expression when it can be known without running code.

Folds numbers, strings, booleans, None, tuples and lists, dict displays with constant keys and
``dict(key=value, …)``
(``{"x": (0.9, 1.1)}``; a value that cannot be folded stays :data:`UNKNOWN` inside), unary minus, simple arithmetic
(``1./255``, ``1 / 255.0``, ``ROT // 2``), names bound exactly once at module level
(``ROT = 20`` … ``rotate_limit=ROT``), the attributes of configuration classes
(``class CFG: size = 384`` … ``CFG.size``) and the items of such a name's dict or tuple when
nothing stores into it (``params = {"model": "resnet18"}`` … ``params["model"]``), and the
constants of the project modules the module imports, by its names for them (``config.NORM_MEAN``,
read by :mod:`reviewlint.source.project_constants`). Anything else is :data:`UNKNOWN`.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import TypeGuard

import libcst as cst


class Unknown:
    """The value of an expression that cannot be folded."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN = Unknown()

_BINARY: dict[type[cst.BaseBinaryOp], Callable[[object, object], object]] = {
    cst.Add: operator.add,
    cst.Subtract: operator.sub,
    cst.Multiply: operator.mul,
    cst.Divide: operator.truediv,
    cst.FloorDivide: operator.floordiv,
    cst.Modulo: operator.mod,
    cst.Power: operator.pow,
}
_NAMED = {"True": True, "False": False, "None": None}
_MAX_DEPTH = 200


def _number(node: cst.Integer | cst.Float) -> object:
    try:
        return ast.literal_eval(node.value)
    except (ValueError, SyntaxError):
        return UNKNOWN


class ConstantFolder:
    """Folds expressions, following names bound once at module level and the attributes of
    module-level configuration classes (``CFG.model_name`` for ``class CFG: model_name = "…"``;
    ``cfg.arch`` for ``cfg = Config()`` whose ``__init__`` sets ``self.arch = "…"``)."""

    def __init__(self, bindings: Mapping[str, cst.BaseExpression], attributes: Mapping[str, cst.BaseExpression] | None = None,
                 reassigned: frozenset[str] = frozenset(), instances: Mapping[str, str] | None = None,
                 mutated: frozenset[str] = frozenset(), imported: Mapping[str, object] | None = None) -> None:
        self._bindings = bindings
        self._imported = imported or {}  # constants of imported project modules, by dotted name
        self._mutated = mutated  # names whose items are stored (x[k] = …, x.update(…)) somewhere
        self._attributes = attributes or {}
        self._reassigned = reassigned
        self._instances = instances or {}
        # By id(), with the node kept alive so that its id cannot be reused by another node.
        self._cache: dict[int, tuple[cst.BaseExpression, object]] = {}
        self._folding: set[str] = set()

    def with_bindings(self, bindings: Mapping[str, cst.BaseExpression]) -> ConstantFolder:
        """A folder over other module-level bindings (a point in a notebook), with the same classes."""
        return ConstantFolder(bindings, self._attributes, self._reassigned, self._instances, self._mutated, self._imported)

    def scoped(self, local: Mapping[str, cst.BaseExpression], shadowed: frozenset[str]) -> ConstantFolder:
        """A folder for the code of one function: its names bound once (``local``) fold to their
        values, its other names (parameters, names bound several times) to nothing, and the
        module's names it does not shadow as before."""
        bindings = {name: value for name, value in self._bindings.items() if name not in shadowed}
        bindings.update(local)
        # A name the function binds itself (a parameter ``config``, ``mean, std = stats(df)``)
        # is not the imported module's.
        imported = {key: value for key, value in self._imported.items()
                    if key.split(".", 1)[0] not in shadowed and key.split(".", 1)[0] not in local}
        return ConstantFolder(bindings, self._attributes, self._reassigned, self._instances, self._mutated, imported)

    def fold(self, node: cst.BaseExpression | None, depth: int = 0) -> object:
        """The value of ``node``, or :data:`UNKNOWN`."""
        if node is None or depth > _MAX_DEPTH:
            return UNKNOWN
        cached = self._cache.get(id(node))
        if cached is None or cached[0] is not node:
            cached = self._cache[id(node)] = (node, self._fold(node, depth))
        return cached[1]

    def _fold(self, node: cst.BaseExpression, depth: int) -> object:
        if isinstance(node, (cst.Integer, cst.Float)):
            return _number(node)
        if isinstance(node, cst.Imaginary):
            return UNKNOWN
        if isinstance(node, cst.SimpleString):
            try:
                return ast.literal_eval(node.value)
            except (ValueError, SyntaxError):
                return UNKNOWN
        if isinstance(node, cst.ConcatenatedString):
            left, right = self.fold(node.left, depth + 1), self.fold(node.right, depth + 1)
            return left + right if isinstance(left, str) and isinstance(right, str) else UNKNOWN
        if isinstance(node, cst.Name):
            if node.value in _NAMED:
                return _NAMED[node.value]
            bound = self._bindings.get(node.value)
            if bound is None and node.value in self._imported:
                return self._imported[node.value]  # from config import EPOCHS
            if bound is None or node.value in self._folding:
                return UNKNOWN  # unbound, or defined in terms of itself (x = x * 2)
            self._folding.add(node.value)
            try:
                return self.fold(bound, depth + 1)
            finally:
                self._folding.discard(node.value)
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            dotted_name = f"{node.value.value}.{node.attr.value}"
            if dotted_name in self._imported and node.value.value not in self._bindings:
                return self._imported[dotted_name]  # import config … config.NORM_MEAN
            if self._attributes:
                return self._fold_attribute(node.value.value, node.attr.value, depth)
            return UNKNOWN
        if isinstance(node, cst.Subscript):
            return self._fold_item(node, depth)
        if isinstance(node, (cst.Tuple, cst.List)):
            values = []
            for element in node.elements:
                if not isinstance(element, cst.Element):
                    return UNKNOWN
                values.append(self.fold(element.value, depth + 1))
            return tuple(values)
        if isinstance(node, cst.Dict):
            found: dict[object, object] = {}
            for entry in node.elements:
                if not isinstance(entry, cst.DictElement):
                    return UNKNOWN  # **other: its keys are not known
                key = self.fold(entry.key, depth + 1)
                if not isinstance(key, (str, int, float, bool)) or key is None:
                    return UNKNOWN
                found[key] = self.fold(entry.value, depth + 1)
            return found
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "dict" and "dict" not in self._bindings:
            if any(arg.keyword is None for arg in node.args):
                return UNKNOWN  # dict(other, …): its keys are not known
            return {arg.keyword.value: self.fold(arg.value, depth + 1) for arg in node.args if arg.keyword is not None}
        if isinstance(node, cst.UnaryOperation):
            value = self.fold(node.expression, depth + 1)
            if isinstance(node.operator, cst.Not) and (value is None or isinstance(value, (bool, int, float, str))):
                return not value
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                if isinstance(node.operator, cst.Minus):
                    return -value
                if isinstance(node.operator, cst.Plus):
                    return value
            return UNKNOWN
        if isinstance(node, cst.BinaryOperation):
            op = _BINARY.get(type(node.operator))
            left, right = self.fold(node.left, depth + 1), self.fold(node.right, depth + 1)
            if op is None or not is_number(left) or not is_number(right):
                return UNKNOWN
            try:
                if isinstance(node.operator, cst.Power) and abs(right) > 64:
                    return UNKNOWN
                return op(left, right)
            except (ArithmeticError, ValueError, TypeError):
                return UNKNOWN
        return UNKNOWN

    def _fold_item(self, node: cst.Subscript, depth: int) -> object:
        """``name[key]`` for a name bound once to a dict or tuple whose items nothing stores."""
        if not isinstance(node.value, cst.Name) or node.value.value in self._mutated or len(node.slice) != 1:
            return UNKNOWN
        index = node.slice[0].slice
        if not isinstance(index, cst.Index) or index.star is not None:
            return UNKNOWN
        container, key = self.fold(node.value, depth + 1), self.fold(index.value, depth + 1)
        if isinstance(container, dict) and isinstance(key, (str, int)) and not isinstance(key, bool):
            return container.get(key, UNKNOWN)
        if isinstance(container, tuple) and isinstance(key, int) and not isinstance(key, bool) and -len(container) <= key < len(container):
            return container[key]
        return UNKNOWN

    def _fold_attribute(self, owner: str, attribute: str, depth: int) -> object:
        """``owner.attribute`` for a configuration class or an instance of one bound once at module level."""
        key = f"{owner}.{attribute}"
        if key in self._reassigned:
            return UNKNOWN
        if key not in self._attributes:
            bound = self._bindings.get(owner)  # cfg = Config(): the instance's class
            if isinstance(bound, cst.Call) and isinstance(bound.func, cst.Name):
                key = f"{bound.func.value}.{attribute}"
            elif owner in self._instances:  # made an instance of one configuration class only, anywhere
                key = f"{self._instances[owner]}.{attribute}"
            else:
                return UNKNOWN
        value = self._attributes.get(key)
        if value is None or key in self._folding:
            return UNKNOWN
        self._folding.add(key)
        try:
            return self.fold(value, depth + 1)
        finally:
            self._folding.discard(key)


def is_number(value: object) -> TypeGuard[int | float]:
    """Whether a folded value is an int or float (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)
