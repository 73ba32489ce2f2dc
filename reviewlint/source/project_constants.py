"""The constants a file imports from the project's own modules (``import config`` …
``config.NORM_MEAN``, ``from settings import EPOCHS``).

A training project keeps its settings in a module of plain assignments (``config.py``:
``NORM_MEAN = [0.763, 0.546, 0.570]``, ``EPOCHS = 30``). Their values are read here with Python's
``ast`` (fast, without libcst), never by importing or running the module: a module-level name
assigned exactly once, outside any ``if``/``for``/``try`` (and never rebound, deleted, defined,
imported or changed by a mutating call such as ``CFG.update(…)``; a module with a star import
has none), from a literal (numbers, strings,
booleans, None, tuples, lists and dicts of them, negative numbers and arithmetic on numbers).
They reach the importer's constant folder (:class:`reviewlint.analysis.constants.ConstantFolder`)
under the importer's names for them.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping, Sequence

from reviewlint.source.project import ProjectImport, read_module

_ARITHMETIC: dict[type[ast.operator], Callable[[object, object], object]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
}


class _NotConstant(Exception):
    pass


# Methods that change the dict, list or set they are called on (the semantic model's scan uses
# them too: reviewlint.analysis.scan).
MUTATING_METHODS = frozenset({"update", "setdefault", "pop", "popitem", "clear", "append", "extend", "insert", "remove",
                              "reverse", "sort", "add", "discard"})


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _value(node: ast.expr) -> object:
    """The value of a literal expression; :class:`_NotConstant` for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool, type(None))):
        return node.value
    if isinstance(node, (ast.Tuple, ast.List)):
        return tuple(_value(element) for element in node.elts)
    if isinstance(node, ast.Dict) and all(key is not None for key in node.keys):
        found: dict[object, object] = {}
        for key, value in zip(node.keys, node.values):
            folded = _value(key) if key is not None else None
            if not isinstance(folded, (int, float, str, bool)):
                raise _NotConstant  # an unhashable or odd key ({(1, {}): 3})
            found[folded] = _value(value)
        return found
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        operand = _value(node.operand)
        if _number(operand):
            return -operand  # type: ignore[operator]  # checked: a number
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
        left, right = _value(node.left), _value(node.right)
        if _number(left) and _number(right):
            try:
                return _ARITHMETIC[type(node.op)](left, right)
            except ArithmeticError:
                pass
    raise _NotConstant


def module_constants(data: bytes) -> Mapping[str, object]:
    """The constants a module's source defines at its top level (see the module's documentation)."""
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}  # the module's own run reports why it cannot be read
    if any(isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names) for node in ast.walk(tree)):
        return {}  # from local_settings import *: any of its names may be rebound
    values: dict[str, object] = {}
    assigned: dict[str, int] = {}
    for statement in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
            targets = [statement.target]
        elif isinstance(statement, (ast.For, ast.With)):
            targets = [statement.target] if isinstance(statement, ast.For) else [
                item.optional_vars for item in statement.items if item.optional_vars is not None]
        elif isinstance(statement, ast.Delete):
            targets = statement.targets
        elif isinstance(statement, ast.NamedExpr):
            targets = [statement.target]
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            assigned[statement.name] = assigned.get(statement.name, 0) + 1
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            for alias in statement.names:
                bound = alias.asname or alias.name.split(".")[0]
                assigned[bound] = assigned.get(bound, 0) + 1
        elif isinstance(statement, ast.Call) and isinstance(statement.func, ast.Attribute) \
                and isinstance(statement.func.value, ast.Name) and statement.func.attr in MUTATING_METHODS:
            assigned[statement.func.value.id] = 2  # CFG.update(lr=0.2), MEAN.append(…)
        for target in targets:
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    assigned[node.id] = assigned.get(node.id, 0) + 1
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
            name, value = statement.targets[0].id, statement.value
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.value is not None:
            name, value = statement.target.id, statement.value
        else:
            continue
        if assigned.get(name) != 1:
            continue
        try:
            values[name] = _value(value)
        except (_NotConstant, RecursionError):
            continue
    return values


# The constants of the modules read so far, by the digest of their bytes (a settings module is
# imported by most files of its project).
_by_digest: dict[str, Mapping[str, object]] = {}
_KEPT = 256


def imported_constants(imports: Sequence[ProjectImport]) -> dict[str, object]:
    """The constants of the project modules a module imports (``imports``, from
    :func:`reviewlint.source.project.project_imports`), by the module's names for them:
    ``config.NORM_MEAN`` after ``import config``, ``EPOCHS`` after ``from config import EPOCHS``
    or ``from config import *`` (public names only)."""
    found: dict[str, object] = {}
    for imported in imports:
        aliases = [(local, name) for local, name in imported.aliases]
        if not aliases:
            continue
        data, digest = read_module(imported.file)
        if data is None:
            continue
        constants = _by_digest.get(digest)
        if constants is None:
            if len(_by_digest) >= _KEPT:
                _by_digest.clear()
            constants = _by_digest[digest] = module_constants(data)
        for local, name in aliases:
            if name:
                if name in constants:
                    found[local] = constants[name]
            elif local:
                found.update((f"{local}.{inner}", value) for inner, value in constants.items())
            else:
                found.update((inner, value) for inner, value in constants.items() if not inner.startswith("_"))
    return found
