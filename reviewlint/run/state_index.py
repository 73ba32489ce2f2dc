"""Results by file state, so that a re-run of unchanged files reads one file, not every file.

The cache (:mod:`reviewlint.run.cache`) is keyed on a file's bytes: finding an entry means
reading and hashing the file. This index sits in front of it, in the same cache folder, keyed
on what ``stat`` says of the file — its path and reported path, size, modification and change
times (nanoseconds), inode and device — together with the settings and the rules that apply.
The change time (``st_ctime``) moves whenever the file's content or metadata is written, and
no tool can set it back, so a file whose state is unchanged holds the bytes it held when its
result was stored. A state not in the index goes the content-addressed way (ruff and mypy
check metadata first too).

The index is one JSON file per version of the code, signed with the cache's HMAC key like
every entry (:mod:`reviewlint.run.cache`: an unsigned, forged or damaged index is ignored and
rebuilt), holding at most :data:`MAX_STATES` states, those used most recently. It is read once
per run and written once at the end (temporary file and rename); concurrent runs may each
write it, and the last one wins: the other's states are then looked up by content again.
Results that hold an error (an unreadable file, a rule's internal error) are never stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from reviewlint.run.cache import STATE_INDEX, Cache, decode_result, encode_result, read_signed, signed
from reviewlint.source.atomic import write_new
from reviewlint.run.result import FileResult

MAX_STATES = 20_000
_FORMAT = 1
_DOMAIN = b"reviewlint state index\0"


class StateIndex:
    """The results of one cache folder's files by their state on disk (one per run)."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self._stored: dict[str, Any] | None = None
        self._fresh: dict[str, Any] = {}
        self._changed = False

    @property
    def path(self) -> Path:
        return self.cache.directory / self.cache.code / STATE_INDEX

    @staticmethod
    def key(path: Path, shown: str, settings_fingerprint: str, codes: str) -> str | None:
        """The state of a file as linted under these settings and rules, or None if it cannot be read."""
        try:
            status = os.stat(path)
        except (OSError, ValueError):
            return None
        digest = hashlib.blake2b(digest_size=20)
        digest.update("\0".join(map(str, (
            os.path.abspath(path), shown, status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino,
            status.st_dev, status.st_mode, settings_fingerprint, codes,
        ))).encode("utf-8", "surrogateescape"))
        return digest.hexdigest()

    def get(self, key: str) -> FileResult | None:
        """The stored result of a file in this state, or None."""
        data = self._fresh.get(key)
        if data is None:
            data = self._load().get(key)
        if data is None:
            return None
        try:
            result = decode_result(data)
        except Exception:  # noqa: BLE001 - a damaged state is a miss
            return None
        self._fresh[key] = data
        return result

    def remember(self, key: str | None, result: FileResult) -> None:
        """Store a result for a state (not a result with errors: those may not last)."""
        if key is not None and not result.errors:
            self._fresh[key] = encode_result(result)
            self._changed = True

    def save(self) -> None:
        """Write the index when this run stored a state: this run's states first, then earlier ones,
        at most :data:`MAX_STATES`."""
        if not self._changed or not self.cache.usable or not self.path.parent.is_dir():
            return
        states = dict(self._fresh)
        for key, data in self._load().items():
            if len(states) >= MAX_STATES:
                break
            states.setdefault(key, data)
        payload = json.dumps({"format": _FORMAT, "states": states}, ensure_ascii=True, separators=(",", ":")).encode()
        with contextlib.suppress(OSError):  # best effort: the next run looks files up by content
            write_new(self.path, signed(payload, _DOMAIN))

    def _load(self) -> dict[str, Any]:
        if self._stored is None:
            self._stored = {}
            try:
                payload = read_signed(self.path, _DOMAIN)
                if payload is not None:
                    data = json.loads(payload)
                    if isinstance(data, dict) and data.get("format") == _FORMAT and isinstance(data.get("states"), dict):
                        self._stored = data["states"]
            except Exception:  # noqa: BLE001 - missing, unreadable, forged or damaged: an empty index
                self._stored = {}
        return self._stored

