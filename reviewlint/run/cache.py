"""A content-addressed cache of per-file results, so that a re-run only lints what changed.

An entry is keyed on everything that can change a file's result:

- the file's bytes and the path it is reported under;
- the settings that apply to it (:meth:`Settings.fingerprint`) and the rules enabled for it;
- the code that produces results: every ``.py`` file of ``reviewlint`` and of the rules package
  (so editing a rule, a knowledge table or the engine invalidates), the reviewlint, libcst and
  Python versions.

It holds the file's findings, errors and skipped notes: a cached result is exactly what linting
would produce.

**What it trusts.** Entries live in ``.reviewlint_cache/`` next to the nearest ``pyproject.toml``
above the working directory — inside a repository, where anyone who can commit can put files.
So an entry is plain JSON (no pickle: reading it can construct nothing but strings, numbers and
lists) signed with HMAC-SHA256 under a secret that never lies in the repository: a random key
made once per user, in ``$XDG_CACHE_HOME/reviewlint/key`` (``~/.cache/reviewlint/key``), readable
by that user only. An entry whose signature does not verify — committed, forged, from another
user or machine — is a miss and is recomputed; nothing from the repository reaches a report
without having been computed by this user's reviewlint. Every field is escaped by the reporters
whatever its origin. Where no key can be kept (no writable home), the key lives for one process.

**Where it writes.** The cache directory, and each folder inside it, is used only if it is a real
directory, not a symbolic link; its markers (``CACHEDIR.TAG``, ``.gitignore``) are created
without following links. Otherwise the run goes on without a cache.

**Size.** Entries used by the latest runs are kept: after a run, the least recently used entries
beyond :data:`MAX_ENTRIES` entries or :data:`MAX_BYTES` bytes in all (for every version of the
code together) are removed, as are empty folders of other versions. ``reviewlint clean`` removes
the whole cache.

Writes go to a temporary file that is renamed over the entry (``os.replace``), so concurrent
runs never see a half-written entry. Writing is best effort: a read-only cache directory only
makes runs cold.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import importlib.util
import json
import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache as memoize
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewlint import __version__
from reviewlint.lint.finding import FileError, Finding, Location, Related, Skipped
from reviewlint.lint.rule_meta import DescribedRule, Severity
from reviewlint.run.result import FileResult
from reviewlint.source.project import ImportLine

if TYPE_CHECKING:
    from reviewlint.run.config import Settings

CACHE_DIR_NAME = ".reviewlint_cache"
STATE_INDEX = "states.json"  # in each version's folder: see reviewlint.run.state_index
MAX_ENTRIES = 20_000
MAX_BYTES = 256 * 1024 * 1024
_FORMAT = 3
_TAG_SIGNATURE = "Signature: 8a477f597d28d172789f06886806bc55"
_TAG = f"{_TAG_SIGNATURE}\n# This directory is reviewlint's cache (https://bford.info/cachedir/).\n"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class CacheError(Exception):
    """A cache directory that reviewlint will not use or remove; the message is one line."""


def default_cache_dir(start: Path | None = None) -> Path:
    """``.reviewlint_cache`` next to the nearest ``pyproject.toml`` at or above ``start`` (the cwd)."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        with contextlib.suppress(OSError):
            if (directory / "pyproject.toml").is_file():
                return directory / CACHE_DIR_NAME
    return here / CACHE_DIR_NAME


PACKAGE_ROOT = Path(__file__).resolve().parent.parent
"""The ``reviewlint`` package: every module of it (engine, knowledge, reports) is fingerprinted."""


def _package_files(directory: Path) -> Iterable[Path]:
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(name for name in dirs if name != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                yield Path(root) / name


def _libcst_version() -> tuple[str, str]:
    """Where libcst is and its version, read without importing it (a warm run never does)."""
    spec = importlib.util.find_spec("libcst")
    if spec is None or spec.origin is None:
        return "?", "?"
    try:
        version = (Path(spec.origin).parent / "_version.py").read_text(encoding="utf-8")
    except OSError:
        version = "?"
    return spec.origin, version


def code_fingerprint(rules: Iterable[DescribedRule]) -> str:
    """A hash of the code that produces results: reviewlint, the rule modules, versions."""
    digest = hashlib.blake2b(digest_size=16)
    where, version = _libcst_version()
    digest.update(f"{_FORMAT}|{__version__}|{where}|{version}|{sys.version}|".encode())
    directories = {PACKAGE_ROOT}
    for rule in rules:
        if rule.path is not None:
            directories.add(rule.path.resolve().parent)
        else:
            digest.update(repr((rule.code, rule.name)).encode())  # a rule without a file (tests)
    for directory in sorted(directories):
        for path in _package_files(directory):
            digest.update(str(path.relative_to(directory)).encode())
            with contextlib.suppress(OSError):
                digest.update(path.read_bytes())
    return digest.hexdigest()


def key_file() -> Path:
    """Where this user's cache key is kept (outside any repository)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "reviewlint" / "key"


@memoize
def secret_key() -> bytes:
    """This user's signing key: read from :func:`key_file`, made there on first use (mode 0600);
    a key for this process alone when none can be kept."""
    path = key_file()
    for _ in range(2):
        try:
            with open(path, "rb") as stream:
                key = stream.read(256)
            if len(key) >= 32:
                return key
        except OSError:
            pass
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(secrets.token_hex(32).encode())
        except FileExistsError:
            continue  # another run made it meanwhile: read that one
        except OSError:
            break
    return secrets.token_bytes(32)


_FINGERPRINTS: dict[int, tuple[Settings, str]] = {}
_READY: set[Path] = set()  # entry folders this process made or checked


def signed(payload: bytes, context: bytes) -> bytes:
    """A file's content: the HMAC of ``context + payload`` under this user's key, a newline, the payload."""
    return hmac.new(secret_key(), context + payload, hashlib.sha256).hexdigest().encode() + b"\n" + payload


def read_signed(path: Path, context: bytes) -> bytes | None:
    """The payload of a file :func:`signed` wrote for ``context``; None when its signature does not
    verify. ``OSError`` when it cannot be read; a symbolic link is not followed."""
    descriptor = os.open(path, os.O_RDONLY | _NOFOLLOW)
    with os.fdopen(descriptor, "rb") as stream:
        signature, _, payload = stream.read().partition(b"\n")
    expected = hmac.new(secret_key(), context + payload, hashlib.sha256).hexdigest().encode()
    return payload if hmac.compare_digest(signature, expected) else None


def settings_fingerprint(settings: Settings) -> str:
    """``settings.fingerprint()``, computed once per settings object (one per configuration)."""
    known = _FINGERPRINTS.get(id(settings))
    if known is None or known[0] is not settings:
        known = _FINGERPRINTS[id(settings)] = (settings, settings.fingerprint())
    return known[1]


def _location(data: dict[str, Any]) -> Location:
    cell = data["cell"]
    return Location(str(data["path"]), int(data["line"]), int(data["column"]), int(data["end_line"]),
                    int(data["end_column"]), None if cell is None else int(cell))


def _location_data(location: Location) -> dict[str, object]:
    return {"path": location.path, "line": location.line, "column": location.column,
            "end_line": location.end_line, "end_column": location.end_column, "cell": location.cell}


def encode_result(result: FileResult) -> dict[str, object]:
    """A result as plain JSON data."""
    return {
        "path": result.path,
        "findings": [
            {"code": f.code, "name": f.name, "severity": f.severity.value, "message": f.message,
             "location": _location_data(f.location), "hint": f.hint, "fix": f.fix,
             "related": [{"location": _location_data(r.location), "message": r.message} for r in f.related],
             "source_lines": list(f.source_lines)}
            for f in result.findings
        ],
        "errors": [{"path": e.path, "message": e.message, "code": e.code, "trace": e.trace} for e in result.errors],
        "skipped": [{"path": s.path, "reason": s.reason, "fails": s.fails} for s in result.skipped],
        "uri": result.uri,
        "imports": None if result.imports is None else [
            [line.level, line.module, [list(pair) for pair in line.names], line.alias, list(line.search)] for line in result.imports],
        "depends": [list(pair) for pair in result.depends],
    }


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("text expected")
    return value


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)


def decode_result(data: dict[str, Any]) -> FileResult:
    """The result that :func:`encode_result` encoded; ``TypeError``/``KeyError``/``ValueError`` on
    anything else."""
    findings = [
        Finding(
            code=_text(f["code"]), name=_text(f["name"]), severity=Severity(f["severity"]), message=_text(f["message"]),
            location=_location(f["location"]), hint=_optional_text(f["hint"]), fix=_optional_text(f["fix"]),
            related=tuple(Related(_location(r["location"]), _text(r["message"])) for r in f["related"]),
            source_lines=tuple(_text(line) for line in f["source_lines"]),
        )
        for f in data["findings"]
    ]
    errors = [FileError(_text(e["path"]), _text(e["message"]), _optional_text(e["code"]), _optional_text(e["trace"]))
              for e in data["errors"]]
    skipped = [Skipped(_text(s["path"]), _text(s["reason"]), bool(s["fails"])) for s in data["skipped"]]
    imports = data.get("imports")
    lines = None if imports is None else tuple(
        ImportLine(int(level), _text(module), tuple((_text(name), _text(local)) for name, local in names), _text(alias),
                   tuple(_text(folder) for folder in search))
        for level, module, names, alias, search in imports
    )
    depends = tuple((_text(path), _text(digest)) for path, digest in data.get("depends", ()))
    return FileResult(_text(data["path"]), findings, errors, skipped, _optional_text(data["uri"]), lines, depends)


def _is_real_directory(path: Path) -> bool:
    """Whether ``path`` is a directory, or nothing yet, and not a symbolic link (a link committed
    as ``.reviewlint_cache`` would send the cache's writes elsewhere)."""
    try:
        return not path.is_symlink() and (not path.exists() or path.is_dir())
    except OSError:
        return False


@dataclass(frozen=True)
class Cache:
    """The results cache in ``directory`` for one version of the code (picklable, for workers)."""

    directory: Path
    code: str

    @classmethod
    def open(cls, directory: Path, rules: Iterable[DescribedRule]) -> Cache:
        return cls(directory, code_fingerprint(rules))

    @property
    def usable(self) -> bool:
        """Whether the directory may be used (see the module's documentation)."""
        return _is_real_directory(self.directory)

    @property
    def _entries(self) -> Path:
        return self.directory / self.code

    def key(self, raw: bytes, shown: str, settings: Settings, enabled: Iterable[str]) -> str:
        """The entry key of one file's bytes as linted under these settings and rules."""
        digest = hashlib.blake2b(digest_size=20)
        digest.update(f"{shown}\0{settings_fingerprint(settings)}\0{','.join(enabled)}\0".encode("utf-8", "surrogatepass"))
        digest.update(raw)
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self._entries / key[:2] / key[2:]

    def get(self, key: str) -> FileResult | None:
        """The cached result for ``key``, or None (missing, unreadable, unsigned, forged or corrupt)."""
        target = self._path(key)
        try:
            payload = read_signed(target, key.encode() + b"\0")
            if payload is None:
                return None
            data = json.loads(payload)
            if data.get("format") != _FORMAT or data.get("key") != key:
                return None
            result = decode_result(data["result"])
        except Exception:  # noqa: BLE001 - any damage to an entry is a cache miss
            return None
        with contextlib.suppress(OSError):
            os.utime(target)  # recently used: kept when the cache is trimmed
        return result

    def put(self, key: str, result: FileResult) -> None:
        """Store a result; never fails (a cache that cannot be written is only slower)."""
        if not self.usable:
            return
        payload = json.dumps({"format": _FORMAT, "key": key, "result": encode_result(result)},
                             ensure_ascii=True, separators=(",", ":")).encode()
        target = self._path(key)
        if target.parent not in _READY:  # made and checked once per process
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                if not self._prepare():
                    return
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                except OSError:
                    return
            if not all(map(_is_real_directory, (self._entries, target.parent))):
                return
            _READY.add(target.parent)
        temporary = None
        try:
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(handle, "wb") as stream:
                stream.write(signed(payload, key.encode() + b"\0"))
            os.replace(temporary, target)
            temporary = None
        except OSError:
            _READY.discard(target.parent)  # removed meanwhile (reviewlint clean): made again next time
        finally:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)

    def prepare(self) -> None:
        """Create the cache directory, tagged as a cache and ignored by git."""
        self._prepare()

    def _prepare(self) -> bool:
        if not self.usable:
            return False
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            if not _is_real_directory(self.directory):
                return False
            self._entries.mkdir(exist_ok=True)
        except OSError:
            return False
        for name, content in (("CACHEDIR.TAG", _TAG), (".gitignore", "# Created by reviewlint.\n*\n")):
            with contextlib.suppress(OSError):  # FileExistsError: already there (or a link: left alone)
                descriptor = os.open(self.directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
                with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
                    stream.write(content)
        return True

    def trim(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> int:
        """Remove the least recently used entries beyond the bounds, and empty folders of other
        versions of the code; returns how many entries were removed."""
        if not self.usable or not self.directory.is_dir():
            return 0
        entries: list[tuple[int, int, str]] = []
        try:
            versions = [item for item in os.scandir(self.directory) if item.is_dir(follow_symlinks=False)]
            for version in versions:
                for shard in os.scandir(version.path):
                    if not shard.is_dir(follow_symlinks=False):
                        continue
                    for entry in os.scandir(shard.path):
                        if entry.is_file(follow_symlinks=False):
                            status = entry.stat(follow_symlinks=False)
                            entries.append((status.st_mtime_ns, status.st_size, entry.path))
        except OSError:
            return 0
        entries.sort(reverse=True)
        kept = total = removed = 0
        for _, size, path in entries:
            kept, total = kept + 1, total + size
            if kept > max_entries or total > max_bytes:
                with contextlib.suppress(OSError):
                    os.unlink(path)
                    removed += 1
        for version in versions:
            if version.name != self.code:
                with contextlib.suppress(OSError):
                    for shard in os.scandir(version.path):
                        if shard.name == STATE_INDEX and shard.is_file(follow_symlinks=False):
                            os.unlink(shard.path)  # results by file state (reviewlint.run.state_index)
                        else:
                            os.rmdir(shard.path)  # only empty ones go
                    os.rmdir(version.path)
        return removed


def remove_cache(directory: Path) -> bool:
    """``reviewlint clean``: remove a cache directory; False when there is none. Raises
    :class:`CacheError` for a directory that is not reviewlint's cache (no ``CACHEDIR.TAG`` of
    ours) or is a symbolic link: nothing else is ever deleted."""
    if directory.is_symlink():
        raise CacheError(f"{directory} is a symbolic link, not reviewlint's cache: not removed")
    if not directory.exists():
        return False
    try:
        tag = (directory / "CACHEDIR.TAG").read_text(encoding="utf-8", errors="replace")
    except OSError:
        tag = ""
    if not tag.startswith(_TAG_SIGNATURE) or "reviewlint" not in tag:
        raise CacheError(f"{directory} is not reviewlint's cache (no CACHEDIR.TAG of reviewlint's): not removed")
    try:
        shutil.rmtree(directory)
    except OSError as error:
        raise CacheError(f"cannot remove {directory}: {error.strerror or error}") from None
    return True
