"""A baseline: today's findings, recorded so that CI fails only on new ones.

``reviewlint check --write-baseline FILE`` records every finding; ``reviewlint check --baseline
FILE`` then reports only findings that are not in it. A finding is identified by

- its file, as a path relative to the baseline file's folder (so the baseline works from any
  working directory, and a moved file's findings count as new);
- its rule code;
- a fingerprint: :func:`reviewlint.lint.finding.fingerprints` — a hash of rule, file and the
  offending source lines (stripped of indentation), without line numbers, cell numbers or message.

So a finding keeps its identity when lines are added or removed elsewhere, when the code around
it is reindented, when a notebook cell is inserted above it (cell numbers shift like line
numbers), and when the message changes: messages carry numbers computed from other parts of
the file (epochs, decay steps, thresholds, the backbone a normalization feeds) and wording that
a newer reviewlint may improve; neither should make an old finding new. It becomes new when the
offending code itself changes. Identical findings in one file (the same code on two lines) are
counted: the baseline records how many there were, and any beyond that number are new.

The file is JSON: entries sorted by path, code and fingerprint, one key per line, with the first
offending line as ``source`` for the reader (it is not used for matching) — stable and easy to
review in a diff.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from reviewlint.lint.finding import Finding, fingerprints
from reviewlint.source.atomic import Snapshot, write_new

FORMAT_VERSION = 1
MAX_BASELINE_SIZE = 256 * 1024 * 1024


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number a baseline holds")


class BaselineError(Exception):
    """A baseline file that cannot be read; the message is one line, for the user."""


def _relative(path: str, root: Path) -> str:
    absolute = Path(os.path.abspath(path))
    try:
        return Path(os.path.relpath(absolute, root)).as_posix()
    except ValueError:  # another drive (Windows)
        return absolute.as_posix()


def keys(findings: Sequence[Finding], root: Path) -> list[tuple[str, str, str, int]]:
    """(path, code, fingerprint, ordinal) of each finding, paths relative to ``root``."""
    stable = [replace(f, location=replace(f.location, path=_relative(f.location.path, root))) for f in findings]
    result = []
    for finding, printed in zip(stable, fingerprints(stable)):
        digest, _, ordinal = printed.rpartition(":")
        result.append((finding.location.path, finding.code, digest, int(ordinal)))
    return result


@dataclass
class Baseline:
    """Recorded findings: (path, code, fingerprint) -> how many."""

    root: Path
    counts: dict[tuple[str, str, str], int]

    def split(self, findings: Sequence[Finding]) -> tuple[list[Finding], int, int]:
        """(new findings, how many were in the baseline, how many baseline entries were not seen)."""
        new: list[Finding] = []
        seen: dict[tuple[str, str, str], int] = {}
        for finding, (path, code, digest, ordinal) in zip(findings, keys(findings, self.root)):
            key = (path, code, digest)
            seen[key] = max(seen.get(key, 0), ordinal)
            if ordinal > self.counts.get(key, 0):
                new.append(finding)
        known = sum(min(count, seen.get(key, 0)) for key, count in self.counts.items())
        stale = sum(max(0, count - seen.get(key, 0)) for key, count in self.counts.items())
        return new, known, stale


def load(path: Path) -> Baseline:
    try:
        snapshot = Snapshot.read(path, MAX_BASELINE_SIZE)
        if snapshot is None:
            raise BaselineError(f"baseline {path} is over {MAX_BASELINE_SIZE} bytes")
        data = json.loads(snapshot.data.decode("utf-8"), parse_constant=_no_constant)
    except FileNotFoundError:
        raise BaselineError(f"baseline file {path} does not exist (write it with --write-baseline)") from None
    except OSError as error:
        raise BaselineError(f"cannot read baseline {path}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise BaselineError(f"cannot read baseline {path}: not UTF-8 (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise BaselineError(f"baseline {path} is not valid JSON: {error.msg} at line {error.lineno}") from None
    except RecursionError:
        raise BaselineError(f"baseline {path} is not a reviewlint baseline: nested too deeply") from None
    except ValueError as error:  # a number of over 4300 digits
        raise BaselineError(f"baseline {path} is not a reviewlint baseline: {str(error).splitlines()[0]}") from None
    if not isinstance(data, dict) or data.get("reviewlint-baseline") != FORMAT_VERSION or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{path} is not a reviewlint baseline (version {FORMAT_VERSION})")
    counts: dict[tuple[str, str, str], int] = {}
    for entry in data["findings"]:
        try:
            key = (str(entry["path"]), str(entry["code"]), str(entry["fingerprint"]))
            count = entry.get("count", 1)
            if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count < 2**31:
                raise TypeError("count")
            counts[key] = counts.get(key, 0) + count
        except (KeyError, TypeError, ValueError):
            raise BaselineError(f"baseline {path}: malformed entry {repr(entry)[:200]}") from None
    return Baseline(Path(os.path.abspath(path)).parent, counts)


def render(findings: Sequence[Finding], root: Path) -> str:
    """The baseline file's text for ``findings``."""
    entries: dict[tuple[str, str, str], dict[str, object]] = {}
    for finding, (path, code, digest, ordinal) in zip(findings, keys(findings, root)):
        key = (path, code, digest)
        entry = entries.setdefault(
            key,
            {"path": path, "code": code, "fingerprint": digest, "count": 0,
             "source": (finding.source_lines[0].strip()[:120] if finding.source_lines else "")},
        )
        entry["count"] = max(int(entry["count"]), ordinal)  # type: ignore[call-overload]  # an int, set just above
    document = {
        "reviewlint-baseline": FORMAT_VERSION,
        "findings": [entries[key] for key in sorted(entries)],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(path: Path, findings: Sequence[Finding]) -> int:
    """Write the baseline for ``findings`` atomically (the previous one stays whole if the write
    fails); returns how many findings it records. Raises :class:`BaselineError`."""
    root = Path(os.path.abspath(path)).parent
    try:
        write_new(Path(os.path.abspath(path)), render(findings, root).encode("utf-8"))
    except OSError as error:
        raise BaselineError(f"cannot write baseline {path}: {error.strerror or error}") from None
    return len(findings)
