"""``reviewlint check --show-settings PATH``: the settings a file or folder is linted with, and
what the settings that infer (``image-domain = "auto"``, the albumentations version) inferred."""

from __future__ import annotations

from pathlib import Path

from reviewlint.knowledge.domains import inferred_for_file
from reviewlint.run.config import Settings
from reviewlint.source.atomic import read_small
from reviewlint.source.files import SourceError, SourceFile, load_source
from reviewlint.source.paths import display_path


def _version(version: tuple[int, ...] | None) -> str:
    return ".".join(map(str, version)) if version is not None else ""


def _load(path: Path, settings: Settings) -> SourceFile | None:
    data = read_small(path, max(settings.max_file_size, settings.max_notebook_size))
    if data is None:
        return None
    try:
        return load_source(path, data)
    except (SourceError, ValueError):
        return None


def describe(path: Path, settings: Settings) -> str:
    """The settings of ``path`` (a file, or the files of a folder), one per line, as TOML would spell them."""
    source = _load(path, settings) if path.is_file() else None
    lines = [f"Settings for {display_path(path)} (from {settings.origin}):"]
    lines.append(f"  select = {list(settings.select)}")
    lines.append(f"  ignore = {list(settings.ignore)}")
    lines.append(f"  exclude = {list(settings.exclude)}")
    lines.append(f"  per-file-ignores = { {pattern: list(codes) for pattern, codes in settings.per_file_ignores} }")
    domain = f'  image-domain = "{settings.image_domain}"'
    if settings.image_domain == "auto":
        found = (inferred_for_file(str(source.path), source.text, source.prose, settings.readme_domain)
                 if source is not None else settings.readme_domain)
        if found is not None:
            domain += f'  # inferred "{found[1]}" from "{found[0]}" in {found[2]}: RL102 is off here'
        elif source is not None:
            domain += "  # nothing inferred: the images are taken to be natural photos (RL102 reports)"
        else:
            domain += "  # nothing inferred from the README: each file is read for its own words"
    lines.append(domain)
    version, where = settings.albumentations_version_for(source.shell if source is not None else ())
    lines.append(f'  albumentations-version = "{_version(version)}"  # {where if version else "unknown: every API change is reported"}')
    lines.append(f"  max-file-size = {settings.max_file_size}")
    lines.append(f"  max-notebook-size = {settings.max_notebook_size}")
    lines.append(f'  fail-on = "{settings.fail_on}"')
    for code, options in sorted(settings.rule_options.items()):
        lines.append(f"  [{code}] {dict(options)}")
    return "\n".join(lines)
