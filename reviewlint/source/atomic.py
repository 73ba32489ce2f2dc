"""Replacing a file's contents safely: atomically, with its permissions, and never over a change.

``replace_if_unchanged`` writes the new bytes to a temporary file in the same directory (so that
``os.replace`` is a rename within one file system, atomic on POSIX and Windows), copies the
original's permission bits, owner, group and extended attributes onto it, checks that the file on disk still holds exactly the bytes
that were read (and has the same size and modification time), and only then renames it over the
original. A reader never sees a half-written file, and an editor's save between the read and the
write is not lost: the write is refused with :class:`ChangedOnDisk`. A read-only file, or one with
several hard links (which a rename would leave holding the old code), is not rewritten. Symbolic
links are followed: the file they point to is replaced, the link stays (``reviewlint check --fix``
itself never writes through a link that leads out of the folders it was given).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a directory"}


class ChangedOnDisk(Exception):
    """The file is no longer what was read: it was not overwritten."""


@dataclass(frozen=True)
class Snapshot:
    """What a file was when it was read: its bytes, size and modification time."""

    data: bytes
    size: int
    mtime_ns: int

    @classmethod
    def read(cls, path: Path, limit: int) -> Snapshot | None:
        """A regular file's snapshot, or None when it holds more than ``limit`` bytes.

        Only regular files are read: a FIFO would block forever and ``/dev/zero`` never ends, so
        anything else (a symbolic link is followed first) raises ``OSError`` naming what it is. The
        file is opened without blocking and checked on its descriptor, so nothing can be swapped
        in between.
        """
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(descriptor, "rb") as handle:
            before = os.fstat(handle.fileno())
            if not stat.S_ISREG(before.st_mode):
                kind = _KINDS.get(stat.S_IFMT(before.st_mode), "a special file")
                raise OSError(0, f"{kind}, not a regular file: not read")
            if before.st_size > limit:
                return None
            data = handle.read(limit + 1)
        return None if len(data) > limit else cls(data, before.st_size, before.st_mtime_ns)


def read_small(path: Path, limit: int) -> bytes | None:
    """The bytes of a small side file (an ignore file, a git config, a requirements file), or None
    when it is missing, unreadable, not a regular file or over ``limit`` bytes."""
    try:
        snapshot = Snapshot.read(path, limit)
    except OSError:
        return None
    return snapshot.data if snapshot is not None else None


def _unchanged(path: Path, snapshot: Snapshot) -> bool:
    try:
        now = os.stat(path)
        if now.st_size != snapshot.size or now.st_mtime_ns != snapshot.mtime_ns:
            return False
        return path.read_bytes() == snapshot.data
    except OSError:
        return False


def _copy_extended_attributes(source: Path, target: str) -> None:
    """Copy every extended attribute of ``source`` onto ``target`` (``OSError`` if one cannot be)."""
    if not hasattr(os, "listxattr"):
        return
    try:
        names = os.listxattr(source)
    except OSError as error:
        if error.errno in (errno.ENOTSUP, errno.ENOSYS):
            return  # the file system has none
        raise
    for name in names:
        os.setxattr(target, name, os.getxattr(source, name))


def _refusal(target: Path, status: os.stat_result) -> str | None:
    """Why replacing ``target`` would lose something the user has, or None."""
    if not status.st_mode & stat.S_IWUSR:
        return "it is read-only: not rewritten"
    if status.st_nlink > 1:
        return f"it has {status.st_nlink} hard links, which replacing it would break: not rewritten"
    return None


def _replace(path: Path, data: bytes, before_rename: Callable[[str], None] | None = None) -> None:
    """Write ``data`` to a temporary file beside ``path`` (a short name: ``.rl-XXXXXXXX.tmp``, so a
    file whose name is as long as the file system allows can be replaced), flushed to disk, let
    ``before_rename`` prepare or refuse it, and rename it over ``path``; on any failure or
    interruption the temporary file is removed and ``path`` is as it was."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".rl-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if before_rename is not None:
            before_rename(temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_new(path: Path, data: bytes) -> None:
    """Write ``path`` atomically: an old file is either kept whole or replaced whole, also on a full disk."""
    _replace(path, data)


def replace_if_unchanged(path: Path, data: bytes, snapshot: Snapshot) -> None:
    """Atomically replace ``path`` with ``data`` if it still is what ``snapshot`` recorded.

    The new file gets the old one's permission bits, owner and group, and extended attributes.
    Raises :class:`ChangedOnDisk` when the file is not what was read (it was edited, replaced or
    deleted since), and ``OSError`` when the directory is not writable, the file is read-only or
    has hard links (a rename would leave the other names with the old code), or its owner or
    attributes cannot be kept; the file is then left as it was.
    """
    target = Path(os.path.realpath(path))
    status = os.stat(target)
    refusal = _refusal(target, status)
    if refusal is not None:
        raise OSError(0, refusal)

    def keep_metadata(temporary: str) -> None:
        if hasattr(os, "chown"):
            try:
                os.chown(temporary, status.st_uid, status.st_gid)
            except PermissionError:
                if os.stat(temporary).st_uid != status.st_uid:
                    raise OSError(0, "its owner could not be kept: not rewritten") from None
        os.chmod(temporary, stat.S_IMODE(status.st_mode))
        _copy_extended_attributes(target, temporary)
        if not _unchanged(target, snapshot):
            raise ChangedOnDisk(f"{path} changed on disk since it was read")

    _replace(target, data, keep_metadata)
