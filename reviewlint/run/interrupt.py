"""Stopping on SIGINT, SIGTERM or SIGHUP: at once, and again at the next file if that was lost.

The handler raises :class:`Interrupted` wherever the main thread is. Python can lose an exception
raised there: C code that calls back into Python (a ``__hash__`` or ``__eq__`` during a dictionary
lookup inside a library) may clear it and go on. So the signal is also recorded, and
:func:`checkpoint`, called between files, raises it again: a run always stops, at the latest
after the file it was working on, and that file is left as it was or completely fixed.
"""

from __future__ import annotations

import signal
from types import FrameType

STOPPING = ("SIGINT", "SIGTERM", "SIGHUP")
_received: list[int] = []


class Interrupted(BaseException):
    """A stopping signal arrived; ``status`` is the exit status it calls for (128 + the signal)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.status = 128 + signum


def _handle(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    raise Interrupted(signum)


def install() -> None:
    """Handle the stopping signals this platform has."""
    for name in STOPPING:
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _handle)


def checkpoint() -> None:
    """Raise :class:`Interrupted` if a stopping signal arrived (its first raise may have been lost)."""
    if _received:
        raise Interrupted(_received[0])
