"""From command-line paths to the files to lint.

Walks directories for ``.py`` and ``.ipynb`` files, skipping version-control and virtualenv
folders, build outputs, caches, what git ignores, and configured ``exclude`` globs. A file named
on the command line is always linted (unless excluded by config).

Ignore files are read as git reads them. Inside a git work tree: ``core.excludesFile`` (default
``$XDG_CONFIG_HOME/git/ignore``), ``.git/info/exclude``, and the ``.gitignore`` files from the
work tree's root down to each file, later ones taking precedence; nothing above the work tree.
Outside a git work tree: the ``.gitignore`` files from the linted folder down. Only regular files
are read as ignore files (a FIFO or ``/dev/zero`` named ``.gitignore`` is passed over).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from reviewlint.source.atomic import Snapshot, read_small
from reviewlint.source.paths import resolved

SUFFIXES = (".py", ".ipynb")
SKIPPED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr", "__pycache__", ".venv", "venv", ".tox", ".nox", ".mypy_cache",
        ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints", "node_modules", "build", "dist",
        "site-packages", ".eggs", ".reviewlint_cache", ".hypothesis",
    }
)


@dataclass(frozen=True)
class _IgnoreRule:
    pattern: re.Pattern[str]
    negated: bool
    directory_only: bool


def _compile_gitignore_line(line: str) -> _IgnoreRule | None:
    line = line.rstrip("\n").rstrip()
    if not line or line.startswith("#"):
        return None
    negated = line.startswith("!")
    if negated:
        line = line[1:]
    line = line.replace("\\#", "#").replace("\\!", "!")
    directory_only = line.endswith("/")
    line = line.rstrip("/")
    anchored = "/" in line
    line = line.lstrip("/")
    regex = ""
    i = 0
    while i < len(line):
        char = line[i]
        if line.startswith("**/", i):
            regex += "(?:.*/)?"
            i += 3
            continue
        if line.startswith("/**", i) and i + 3 == len(line):
            regex += "/.*"
            i += 3
            continue
        if char == "*":
            regex += "[^/]*"
        elif char == "?":
            regex += "[^/]"
        elif char == "\\" and i + 1 < len(line):
            regex += re.escape(line[i + 1])
            i += 1
        elif char == "[":
            bracket = _bracket(line, i)
            if bracket is None:
                regex += re.escape(char)
            else:
                regex += bracket[0]
                i = bracket[1]
        else:
            regex += re.escape(char)
        i += 1
    prefix = "" if anchored else "(?:.*/)?"
    try:
        return _IgnoreRule(re.compile(f"^{prefix}{regex}$"), negated, directory_only)
    except re.error:  # a pattern git would not understand either: ignore the line, never crash
        return None


def _bracket(line: str, start: int) -> tuple[str, int] | None:
    """A ``[…]`` class at ``start`` as a regex, and the index of its ``]``; None if there is none.

    ``[!…]`` negates as in git; ``]`` right after the opening is a member; a class that is not a
    valid range (``[z-a]``) is taken literally.
    """
    i = start + 1
    negated = i < len(line) and line[i] in "!^"
    i += negated
    if i < len(line) and line[i] == "]":
        i += 1
    end = line.find("]", i)
    if end == -1:
        return None
    members = line[start + 1 + negated : end]
    regex = "[" + ("^" if negated else "") + "".join(c if c == "-" else re.escape(c) for c in members) + "]"
    try:
        re.compile(regex)
    except re.error:
        return None
    return regex, end


@dataclass(frozen=True)
class _GitIgnore:
    base: Path
    rules: tuple[_IgnoreRule, ...]

    def decision(self, path: Path, is_dir: bool) -> bool | None:
        """True: ignored; False: re-included by a negation; None: no rule matched."""
        try:
            relative = path.relative_to(self.base).as_posix()
        except ValueError:
            return None
        verdict: bool | None = None
        for rule in self.rules:
            if rule.directory_only and not is_dir:
                continue
            if rule.pattern.match(relative):
                verdict = not rule.negated
        return verdict


_MAX_IGNORE_FILE = 1024 * 1024


def _load_patterns(path: Path, base: Path) -> _GitIgnore | None:
    """The patterns of one ignore file, relative to ``base``; None when there is none to read."""
    data = read_small(path, _MAX_IGNORE_FILE)
    if data is None:
        return None
    lines = data.decode("utf-8", errors="replace").split("\n")
    rules = tuple(rule for rule in map(_compile_gitignore_line, lines) if rule is not None)
    return _GitIgnore(base, rules) if rules else None


def _load_gitignore(directory: Path) -> _GitIgnore | None:
    return _load_patterns(directory / ".gitignore", directory)


def _git_dir(work_tree: Path) -> Path | None:
    """The repository folder of a work tree: ``.git`` itself, or where a ``.git`` file points
    (worktrees, submodules)."""
    dot_git = work_tree / ".git"
    try:
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():
            snapshot = Snapshot.read(dot_git, 4096)
            text = snapshot.data.decode("utf-8", "replace").strip() if snapshot else ""
            if text.startswith("gitdir:"):
                return (work_tree / text[len("gitdir:") :].strip()).resolve()
    except OSError:
        pass
    return None


def work_tree_of(path: Path) -> Path | None:
    """The root of the git work tree holding ``path`` (a resolved folder), or None."""
    for directory in (path, *path.parents):
        try:
            if (directory / ".git").exists():
                return directory
        except OSError:
            return None
    return None


def _excludes_file(git_dir: Path) -> Path:
    """``core.excludesFile``: from the repository's config, else the user's, else git's default."""
    home = Path(os.path.expanduser("~"))
    xdg = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    for config in (git_dir / "config", home / ".gitconfig", xdg / "git" / "config"):
        value = _config_value(config, "core", "excludesfile")
        if value:
            return Path(os.path.expanduser(value))
    return xdg / "git" / "ignore"


def _config_value(config: Path, section: str, key: str) -> str | None:
    """One value from a git config file (the last one set; no includes), or None."""
    data = read_small(config, _MAX_IGNORE_FILE)
    if data is None:
        return None
    found = None
    current = ""
    for raw in data.decode("utf-8", "replace").splitlines():
        line = raw.strip()
        if line.startswith("["):
            current = line[1:].split("]", 1)[0].strip().split(" ", 1)[0].lower()
            continue
        name, equals, value = line.partition("=")
        if current == section and equals and name.strip().lower() == key:
            value = value.split(" #", 1)[0].split(" ;", 1)[0].strip()
            found = value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
    return found


def _ignores_above(root: Path) -> list[_GitIgnore]:
    """The ignore rules that apply to ``root`` (a resolved folder) from above and beside it."""
    work_tree = work_tree_of(root)
    if work_tree is None:
        own = _load_gitignore(root)
        return [own] if own is not None else []
    found: list[_GitIgnore | None] = []
    git_dir = _git_dir(work_tree)
    if git_dir is not None:
        common = git_dir
        with contextlib.suppress(OSError):
            pointer = Snapshot.read(git_dir / "commondir", 4096)
            if pointer is not None:
                common = (git_dir / pointer.data.decode("utf-8", "replace").strip()).resolve()
        found.append(_load_patterns(_excludes_file(common), work_tree))
        found.append(_load_patterns(common / "info" / "exclude", work_tree))
    chain = [root, *root.parents]
    for directory in reversed(chain[: chain.index(work_tree) + 1]):
        found.append(_load_gitignore(directory))
    return [item for item in found if item is not None]


def _is_virtualenv(directory: Path) -> bool:
    try:
        return (directory / "pyvenv.cfg").is_file() or (directory / "conda-meta").is_dir()
    except OSError:  # cannot look inside: not known to be a virtualenv, so walked (and reported)
        return False


def _ignored(path: Path, is_dir: bool, ignores: list[_GitIgnore]) -> bool:
    verdict = False
    for ignore in ignores:
        decision = ignore.decision(path, is_dir)
        if decision is not None:
            verdict = decision
    return verdict


def _excluded(excluded: Callable[[Path], bool], path: Path) -> bool:
    """The caller's exclusion test; a path it cannot even resolve is not excluded (it is reported)."""
    try:
        return excluded(path)
    except (OSError, RuntimeError):
        return False


def discover(paths: list[Path], excluded: Callable[[Path], bool]) -> Iterator[Path]:
    """Yield the files to lint, in a stable order, each once.

    A path that cannot be read as a file (missing, a broken or looping symlink, unreadable) is
    yielded all the same when named on the command line or when its name ends in ``.py`` or
    ``.ipynb``: linting it reports why, so no file is skipped in silence.
    """
    seen: set[Path] = set()
    for root in paths:
        if not os.path.isdir(root):  # never raises: a path that cannot even be looked at is linted, and reported
            if not _excluded(excluded, root):
                key = resolved(root)
                if key not in seen:
                    seen.add(key)
                    yield root
            continue
        yield from _walk(root, excluded, seen)


def _walk(root: Path, excluded: Callable[[Path], bool], seen: set[Path]) -> Iterator[Path]:
    ignores = _ignores_above(resolved(root))
    stack: list[tuple[Path, list[_GitIgnore]]] = [(root, ignores)]
    visited: set[tuple[int, int]] = set()
    while stack:
        directory, inherited = stack.pop()
        try:
            stat = directory.stat()
        except FileNotFoundError:  # vanished during the run: nothing left to lint
            continue
        except OSError:
            yield directory  # linting it reports why it cannot be read
            continue
        if (stat.st_dev, stat.st_ino) in visited:
            continue
        visited.add((stat.st_dev, stat.st_ino))
        local = inherited
        if directory != root:
            own = _load_gitignore(directory)
            if own is not None:
                local = [*inherited, own]
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except FileNotFoundError:
            continue
        except OSError:  # unreadable: its files are not skipped in silence
            yield directory
            continue
        subdirs: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
            except OSError:  # a symlink loop, or gone: a .py/.ipynb name is linted (and reported)
                is_dir = False
            if is_dir:
                if entry.name in SKIPPED_DIRS or entry.name.endswith(".egg-info") or _is_virtualenv(path):
                    continue
                if _ignored(resolved(path), True, local) or _excluded(excluded, path):
                    continue
                subdirs.append(path)
            elif path.suffix in SUFFIXES:
                if _ignored(resolved(path), False, local) or _excluded(excluded, path):
                    continue
                key = resolved(path)
                if key not in seen:
                    seen.add(key)
                    yield path
        stack.extend((subdir, local) for subdir in reversed(subdirs))
