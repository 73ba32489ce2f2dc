"""The linted project's own modules that a file imports (``from data import train_gen``).

A training project splits data, model and training across modules; to see one program,
reviewlint follows the imports of a file into the project's own ``.py`` files (absolute imports
from the file's folder, the project root or its ``src/`` folder; relative imports from the file's
package). Installed libraries are never followed: only files under the project root, found
without importing or running anything.

The imports are read from the text with a pattern, before any parse: the cache keys a file's
result on the modules it imports, and so must know them without linting the file.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reviewlint.source.atomic import read_small
from reviewlint.source.paths import forget_resolved

# What marks a project's root folder (the first ancestor of a file that holds one).
_ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
# ``from .data import (a, b)``, ``from pkg.data import a``, ``import pkg.data as d, os``.
_FROM_IMPORT = re.compile(r"^[ \t]*from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]*)", re.MULTILINE)
_IMPORT = re.compile(r"^[ \t]*import[ \t]+([^\n#;]+)", re.MULTILINE)
# ``sys.path.append("./libs")``, ``sys.path.insert(0, '../src')``: a folder added to the import path.
_SYS_PATH = re.compile(r"""^[ \t]*sys\.path\.(?:append\(|insert\([ \t]*-?\d+[ \t]*,)[ \t]*[rR]?(['"])([^'"\n]+)\1[ \t]*\)""",
                       re.MULTILINE)
# At most this many project modules are followed from one file.
MAX_MODULES = 16


@dataclass(frozen=True)
class ImportLine:
    """One import as written: ``level`` leading dots, the module, and the names it imports with the
    local name each is bound to (``from m import a as b``: ``(("a", "b"),)``); for ``import m as z``
    no names and ``alias`` "z" (``import a.b``: alias "a.b", the dotted name code uses)."""

    level: int
    module: str
    names: tuple[tuple[str, str], ...] = ()
    alias: str = ""
    # The folders the module added to ``sys.path`` before this import, as written (``./libs``).
    search: tuple[str, ...] = ()


def _named(part: str) -> tuple[str, str]:
    name, _, local = part.partition(" as ")
    return name.strip(), (local.strip() or name.strip())


def import_lines(text: str) -> tuple[ImportLine, ...]:
    """The imports of a module's text (a pattern over lines: an import written inside a string
    counts too, which only costs a lookup)."""
    found: list[ImportLine] = []
    added = [(match.start(), match.group(2)) for match in _SYS_PATH.finditer(text)] if "sys.path." in text else []

    def search(position: int) -> tuple[str, ...]:
        return tuple(folder for start, folder in added if start < position)

    for match in _FROM_IMPORT.finditer(text):
        parts = match.group(3).strip().strip("()").replace("\n", " ").replace("\\", " ").split(",")
        names = tuple(pair for pair in map(_named, parts) if pair[0].isidentifier() and pair[1].isidentifier())
        found.append(ImportLine(len(match.group(1)), match.group(2), names, "", search(match.start())))
    for match in _IMPORT.finditer(text):
        for part in match.group(1).split(","):
            module, local = _named(part)
            if module and all(piece.isidentifier() for piece in module.split(".")) and all(
                    piece.isidentifier() for piece in local.split(".")):
                found.append(ImportLine(0, module, (), local, search(match.start())))
    return tuple(found)


def _added_folders(path: Path, root: Path, written: tuple[str, ...]) -> list[Path]:
    """The project folders that the ``sys.path`` entries ``written`` may name. A relative entry is
    relative to the folder the program runs from, which the code does not say: it is tried from the
    module's folder and from each folder above it, up to the project root."""
    folders: list[Path] = []
    for entry in written:
        starts = [Path("/")] if os.path.isabs(entry) else [path.parent, *path.parent.parents]
        for start in starts:
            candidate = Path(os.path.normpath(start / entry))
            if _within(candidate, root) and _names_in(candidate):
                folders.append(candidate)
            if start == root:
                break
    return folders


@dataclass(frozen=True)
class ProjectImport:
    """A project file a module imports, and how the importing module names what it holds: pairs of
    (the importer's dotted name, the name in the imported module; "" for the module itself)."""

    file: Path
    aliases: tuple[tuple[str, str], ...]


def project_root(path: Path) -> Path:
    """The first ancestor folder of ``path`` with a project marker; the file's own folder without one."""
    return _root_of(path.parent)


def _root_of(folder: Path) -> Path:
    marked = _marked(folder)
    return folder if marked is None else marked


@functools.lru_cache(maxsize=1024)
def _marked(folder: Path) -> Path | None:
    """``folder`` or its first ancestor with a project marker (folders share their ancestors' answer)."""
    if any(_exists(folder / marker) for marker in _ROOT_MARKERS):
        return folder
    return None if folder.parent == folder else _marked(folder.parent)


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a folder that cannot be searched holds no marker we can see
        return False


@functools.lru_cache(maxsize=8192)
def _module_file(base: Path, dotted: str) -> Path | None:
    if not dotted:
        return None
    head = dotted.split(".", 1)[0]
    names = _names_in(base)
    if names is not None and head not in names and f"{head}.py" not in names:
        return None
    target = base.joinpath(*dotted.split("."))
    for candidate in (target.with_name(target.name + ".py"), target / "__init__.py"):
        try:
            if candidate.is_file():
                return candidate
        except OSError:
            continue
    return None


@functools.lru_cache(maxsize=1024)
def _names_in(folder: Path) -> frozenset[str] | None:
    """The names of the entries of ``folder``: none when it does not exist, None when it cannot be
    listed (every lookup there is then tried)."""
    try:
        return frozenset(os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return frozenset()
    except OSError:
        return None


def forget_file_system() -> None:
    """Forget the project roots and module files found so far (a run starts from what is on disk now)."""
    _marked.cache_clear()
    _module_file.cache_clear()
    _names_in.cache_clear()
    forget_resolved()


def _within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return "site-packages" not in path.parts and "dist-packages" not in path.parts


def project_imports(path: Path, lines: tuple[ImportLine, ...], through_packages: bool = True) -> tuple[ProjectImport, ...]:
    """The project's own ``.py`` files among the imports ``lines`` of the module at ``path``, in
    the order of its imports (at most :data:`MAX_MODULES`); a module and the submodules it names
    (``from pkg import data``) both count, and for a module with relative imports, its package's
    ``__init__.py`` (with no names: it runs first). With ``through_packages`` (the default), a
    package's ``__init__.py`` also leads to the modules whose names it imports (``from .models
    import ResNet50`` in ``model/__init__.py`` makes ``from model import *`` bring
    ``models.ResNet50``): one step, not the imports of those modules in turn."""
    path = Path(os.path.abspath(path))
    root = project_root(path)
    bases = list(dict.fromkeys((path.parent, root, root / "src")))
    found: dict[Path, list[tuple[str, str]]] = {}

    def add(file: Path | None, alias: tuple[str, str]) -> bool:
        if file is None:
            return False
        if file != path and _within(file, root) and (file in found or len(found) < MAX_MODULES):
            found.setdefault(file, []).append(alias)
        return True

    for line in lines:
        if line.level:
            base = path.parent
            for _ in range(line.level - 1):
                base = base.parent
            searched = [base]
        else:
            searched = bases + _added_folders(path, root, line.search) if line.search else bases
        for base in searched:
            hit = False
            if not line.names:
                hit = add(_module_file(base, line.module), (line.alias, ""))
            else:
                module = _module_file(base, line.module) if line.module else _module_file(base, "__init__")
                for name, local in line.names:
                    submodule = _module_file(base, f"{line.module}.{name}" if line.module else name)
                    if submodule is not None:
                        hit = add(submodule, (local, "")) or hit
                    else:
                        hit = add(module, (local, name)) or hit
            if hit:
                break
    package = path.parent / "__init__.py"
    if any(line.level for line in lines) and package != path and package.is_file() and _within(package, root) \
            and len(found) < MAX_MODULES:
        # A module with relative imports runs as part of its package, whose __init__.py runs first
        # (``python -m blindness.main``): what it does at import (seeding) counts; it names nothing.
        found.setdefault(package, [])
    if through_packages:
        for file, aliases in list(found.items()):
            if file.name == "__init__.py" and aliases:
                for reexported in _package_reexports(file, aliases):
                    if reexported.file != path and (reexported.file in found or len(found) < MAX_MODULES):
                        found.setdefault(reexported.file, []).extend(
                            alias for alias in reexported.aliases if alias not in found[reexported.file])
    return tuple(ProjectImport(file, tuple(aliases)) for file, aliases in found.items())


def _package_reexports(package: Path, aliases: list[tuple[str, str]]) -> list[ProjectImport]:
    """The project modules a package's ``__init__.py`` imports names from, with the importer's
    names for what the package binds from them (``aliases``: the importer's names for the package's)."""
    data, _ = read_module(package)
    if data is None:
        return []
    reexports: list[ProjectImport] = []
    for inner in project_imports(package, import_lines(data.decode("utf-8", "replace")), through_packages=False):
        mapped: list[tuple[str, str]] = []
        for local, name in aliases:
            for bound, original in inner.aliases:
                if not local and not name:  # from package import *: what __init__ binds, but private names
                    if not bound.startswith("_"):
                        mapped.append((bound, original))
                elif not name:  # import package (as local): local.bound
                    mapped.append((f"{local}.{bound}" if bound else local, original))
                elif bound == name:  # from package import name (as local)
                    mapped.append((local, original))
                elif not bound:  # from .models import * in __init__: name may be one of them
                    mapped.append((local, name))
        if mapped:
            reexports.append(ProjectImport(inner.file, tuple(dict.fromkeys(mapped))))
    return reexports


# Imported modules are read up to this size (a module larger than this is followed as unreadable).
MAX_MODULE_BYTES = 1024 * 1024


def read_module(file: Path) -> tuple[bytes | None, str]:
    """A project module's bytes (None when unreadable or over :data:`MAX_MODULE_BYTES`) and their digest."""
    data = read_small(file, MAX_MODULE_BYTES)
    return data, ("-" if data is None else hashlib.blake2b(data, digest_size=16).hexdigest())


def dependencies(path: Path, lines: tuple[ImportLine, ...]) -> tuple[tuple[str, str], ...]:
    """Each project module the imports ``lines`` of ``path`` lead to now, with the digest of its bytes."""
    return digests(project_imports(path, lines))


def digests(imports: Iterable[ProjectImport]) -> tuple[tuple[str, str], ...]:
    """Each of the project modules ``imports`` found, with the digest of its bytes now."""
    return tuple((str(found.file), read_module(found.file)[1]) for found in imports)


def star_reexports(path: Path, lines: tuple[ImportLine, ...]) -> dict[str, dict[str, str]]:
    """For each project module the module at ``path`` star-imports (``from library import *``),
    what that module's own imports bind, by local name: ``{"library": {"A": "albumentations"}}``.
    Its other names (functions, constants) stay unknown; its own star imports are not followed."""
    stars = [line for line in lines if not line.level and not line.names and not line.alias and line.module]
    if not stars:
        return {}
    found: dict[str, dict[str, str]] = {}
    for star in stars:
        for imported in project_imports(path, (star,), through_packages=False):
            data, _ = read_module(imported.file)
            if data is None:
                continue
            bindings: dict[str, str] = {}
            for line in import_lines(data.decode("utf-8", "replace")):
                if line.level:
                    continue
                if line.alias == line.module and "." in line.module:
                    head = line.module.split(".", 1)[0]  # import a.b binds a
                    bindings.setdefault(head, head)
                elif line.alias:
                    bindings[line.alias] = line.module  # import m, import m as z
                for name, local in line.names:
                    bindings[local] = f"{line.module}.{name}"
            found[star.module] = bindings
    return found
