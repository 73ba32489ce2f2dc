"""A content-addressed cache of per-file results, so that a re-run only lints what changed.

An entry is keyed on everything that can change a file's result:

- the file's bytes and the path it is reported under;
- the settings that apply to it (:meth:`Settings.fingerprint`) and the rules enabled for it;
- the code that produces results: every ``.py`` file of ``reviewlint`` and of the rules package
  (so editing a rule, a knowledge table or the engine invalidates), the reviewlint, libcst and
  Python versions.

It holds the file's findings, errors (syntax errors, unreadable notebooks, a rule's internal
error) and notices: a cached result is exactly what linting would produce.

Entries live in ``.reviewlint_cache/`` next to the nearest ``pyproject.toml`` above the working
directory (or in the working directory), one file per entry under a folder named after the code
fingerprint (nothing is evicted: delete the folder to reclaim the space). Writes go to a
temporary file that is renamed over the entry (``os.replace``), so concurrent runs never see a
half-written entry; an entry that cannot be read, fails to unpickle or does not match its key
is ignored and recomputed. Entries are pickles restricted to reviewlint's result classes.
Writing is best effort: a read-only cache directory only makes runs cold.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewlint import __version__

if TYPE_CHECKING:
    from reviewlint.config import Settings
    from reviewlint.rule import RuleInfo
    from reviewlint.runner import FileResult

CACHE_DIR_NAME = ".reviewlint_cache"
_FORMAT = 1
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This directory is reviewlint's cache (https://bford.info/cachedir/).\n"


def default_cache_dir(start: Path | None = None) -> Path:
    """``.reviewlint_cache`` next to the nearest ``pyproject.toml`` at or above ``start`` (the cwd)."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if (directory / "pyproject.toml").is_file():
            return directory / CACHE_DIR_NAME
    return here / CACHE_DIR_NAME


def _package_files(directory: Path) -> Iterable[Path]:
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(name for name in dirs if name != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                yield Path(root) / name


def code_fingerprint(rules: Iterable[RuleInfo]) -> str:
    """A hash of the code that produces results: reviewlint, the rule modules, versions."""
    import libcst

    digest = hashlib.blake2b(digest_size=16)
    try:
        from libcst._version import __version__ as libcst_version
    except ImportError:  # pragma: no cover - a libcst without it
        libcst_version = "?"
    digest.update(f"{_FORMAT}|{__version__}|{libcst.__file__}|{libcst_version}|{sys.version}|".encode())
    directories = {Path(__file__).resolve().parent}
    for rule in rules:
        module_file = getattr(rule.module, "__file__", None)
        if module_file:
            directories.add(Path(module_file).resolve().parent)
        else:
            digest.update(repr((rule.code, rule.name)).encode())  # a rule without a file (tests)
    for directory in sorted(directories):
        for path in _package_files(directory):
            digest.update(str(path.relative_to(directory)).encode())
            with contextlib.suppress(OSError):
                digest.update(path.read_bytes())
    return digest.hexdigest()


_FINGERPRINTS: dict[int, tuple[Settings, str]] = {}


def _fingerprint(settings: Settings) -> str:
    """``settings.fingerprint()``, computed once per settings object (one per configuration)."""
    known = _FINGERPRINTS.get(id(settings))
    if known is None or known[0] is not settings:
        known = _FINGERPRINTS[id(settings)] = (settings, settings.fingerprint())
    return known[1]


_RESULT_CLASSES = frozenset(
    {
        ("reviewlint.finding", "Finding"),
        ("reviewlint.finding", "Location"),
        ("reviewlint.finding", "Related"),
        ("reviewlint.finding", "FileError"),
        ("reviewlint.rule", "Severity"),
    }
)


class _ResultUnpickler(pickle.Unpickler):
    """Unpickles only reviewlint's result classes (no arbitrary code from a tampered entry)."""

    def find_class(self, module: str, name: str) -> Any:
        # Exact names only: a dotted name ("Finding.__init__.__builtins__") would reach eval.
        if (module, name) in _RESULT_CLASSES:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a cached result class")


@dataclass(frozen=True)
class Cache:
    """The results cache in ``directory`` for one version of the code (picklable, for workers)."""

    directory: Path
    code: str

    @classmethod
    def open(cls, directory: Path, rules: Iterable[RuleInfo]) -> Cache:
        return cls(directory, code_fingerprint(rules))

    @property
    def _entries(self) -> Path:
        return self.directory / self.code

    def key(self, raw: bytes, shown: str, settings: Settings, enabled: Iterable[str]) -> str:
        """The entry key of one file's bytes as linted under these settings and rules."""
        digest = hashlib.blake2b(digest_size=20)
        digest.update(f"{shown}\0{_fingerprint(settings)}\0{','.join(enabled)}\0".encode("utf-8", "surrogatepass"))
        digest.update(raw)
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self._entries / key[:2] / key[2:]

    def get(self, key: str) -> FileResult | None:
        """The cached result for ``key``, or None (missing, unreadable, corrupt or mismatched)."""
        try:
            data = self._path(key).read_bytes()
            stored = _ResultUnpickler(io.BytesIO(data)).load()
            form, stored_key, path, findings, errors, notices = stored
            if form != _FORMAT or stored_key != key:
                return None
            from reviewlint.runner import FileResult

            return FileResult(path, list(findings), list(errors), list(notices))
        except Exception:  # noqa: BLE001 - any damage to an entry is a cache miss
            return None

    def put(self, key: str, result: FileResult) -> None:
        """Store a result; never fails (a cache that cannot be written is only slower)."""
        data = pickle.dumps(
            (_FORMAT, key, result.path, tuple(result.findings), tuple(result.errors), tuple(result.notices)),
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        target = self._path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            if not self._prepare():
                return
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                return
        temporary = None
        try:
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, target)
            temporary = None
        except OSError:
            pass
        finally:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)

    def prepare(self) -> None:
        """Create the cache directory, tagged as a cache and ignored by git."""
        self._prepare()

    def _prepare(self) -> bool:
        try:
            self._entries.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        for name, content in (("CACHEDIR.TAG", _TAG), (".gitignore", "# Created by reviewlint.\n*\n")):
            marker = self.directory / name
            if not marker.exists():
                with contextlib.suppress(OSError):
                    marker.write_text(content, encoding="utf-8")
        return True
