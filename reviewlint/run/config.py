"""Settings from ``[tool.reviewlint]`` in the nearest ``pyproject.toml``, merged with flags.

Like ruff, the closest ``pyproject.toml`` with a ``[tool.reviewlint]`` table applies to a file
(a subfolder's pyproject governs its files); ``--config FILE`` makes one file govern all.
Command-line flags override both. Unknown keys are an error, never silently ignored.

Example::

    [tool.reviewlint]
    select = ["RL1", "RL201"]      # codes or prefixes; default: every rule
    ignore = ["RL401"]
    exclude = ["legacy/**"]
    image-domain = "auto"          # or "natural", "overhead", "microscopy", "medical"
    albumentations-version = "1.3.1"  # default: a pin in requirements*.txt, pyproject, setup.cfg, a conda env file
    [tool.reviewlint.per-file-ignores]
    "notebooks/*.ipynb" = ["RL401"]
    [tool.reviewlint.near-zero-scale]   # a rule's options, by name or code
    threshold = 0.03
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, get_args

from reviewlint.lint.rule_meta import DescribedRule, ImageDomain
from reviewlint.run.declared_versions import declared_version, readme_domain
from reviewlint.source.atomic import Snapshot
from reviewlint.source.paths import resolved
from reviewlint.source.pins import parse_version, pip_installed_version
from reviewlint.source.project import project_root

if TYPE_CHECKING:
    from reviewlint.lint.rule import RuleInfo

IMAGE_DOMAINS: tuple[ImageDomain, ...] = get_args(ImageDomain)
TOP_LEVEL_KEYS = frozenset({"select", "ignore", "exclude", "per-file-ignores", "image-domain", "albumentations-version", "max-file-size",
                            "max-notebook-size", "fail-on"})
MAX_CONFIG_SIZE = 4 * 1024 * 1024
DEFAULT_MAX_FILE_SIZE = 1024 * 1024  # larger .py files are generated (data tables, bindings); libcst needs ~1 GB and a minute per dense MB
# A notebook's JSON is mostly outputs (plots, tables), read once; only a pathological file is refused.
DEFAULT_MAX_NOTEBOOK_SIZE = 256 * 1024 * 1024
FAIL_ON = ("info", "warning", "error")
DEFAULT_FAIL_ON = "warning"  # info-level notes (style, advice) are reported and do not fail the run


class ConfigError(Exception):
    """A configuration problem, with a one-line message naming the file."""


@dataclass(frozen=True)
class Settings:
    """The settings that apply to one file."""

    root: Path
    origin: str = "defaults"
    select: tuple[str, ...] = ("RL",)
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    image_domain: ImageDomain = "auto"
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    max_notebook_size: int = DEFAULT_MAX_NOTEBOOK_SIZE
    fail_on: str = DEFAULT_FAIL_ON
    rule_options: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    # The albumentations version in use: `albumentations-version` in the configuration, else a pin
    # in the project's dependency files (reviewlint.run.declared_versions); None when unknown.
    albumentations_version: tuple[int, ...] | None = None
    albumentations_version_given: bool = False
    # With image-domain "auto": a strong domain word in the project's README, the domain it
    # implies and the README's name (reviewlint.run.declared_versions.readme_domain).
    readme_domain: tuple[str, str, str] | None = None

    def enabled(self, code: str, path: Path | None = None) -> bool:
        """Whether a rule code is selected for a file."""
        if not _matches_any(code, self.select) or _matches_any(code, self.ignore):
            return False
        if path is not None:
            relative = _relative(path, self.root)
            for pattern, codes in self.per_file_ignores:
                if _glob(relative, pattern) and _matches_any(code, codes):
                    return False
        return True

    def excluded(self, path: Path) -> bool:
        """Whether a path matches one of the ``exclude`` globs."""
        relative = _relative(path, self.root)
        return any(_glob(relative, pattern) or _glob(path.name, pattern) for pattern in self.exclude)

    def albumentations_version_for(self, shell: Sequence[str]) -> tuple[tuple[int, ...] | None, str]:
        """The albumentations version a file runs with, and where it was read: the configuration,
        else the file's own ``!pip install albumentations==…`` line (``shell``: a notebook's
        magic and shell lines), else a pin in the project's dependency files."""
        if not self.albumentations_version_given and shell:
            pinned = pip_installed_version(shell, "albumentations")
            if pinned is not None:
                return pinned, "the notebook's pip install line"
        return self.albumentations_version, "configured" if self.albumentations_version_given else "a pin in the dependency files"

    def options_for(self, rule: RuleInfo) -> object:
        """A rule's options: an instance of its ``Options``, defaults overridden by configuration."""
        return rule.options(**self.rule_options.get(rule.code, {}))

    def fingerprint(self) -> str:
        """A stable text of everything that changes results (for the cache key)."""
        return repr((self.select, self.ignore, self.per_file_ignores, self.image_domain,
                     self.max_file_size, self.max_notebook_size, sorted((k, sorted(v.items())) for k, v in self.rule_options.items()),
                     self.albumentations_version, self.readme_domain))


def _matches_any(code: str, selectors: Iterable[str]) -> bool:
    return any(selector == "ALL" or code.startswith(selector) for selector in selectors)


def _relative(path: Path, root: Path) -> str:
    """The path that patterns match: relative to the configuration's folder, else to the working
    directory (``--config`` elsewhere), else absolute — the same however the path was typed."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):
        resolved = Path(os.path.abspath(path))
    for base in (root, Path.cwd()):
        try:
            return resolved.relative_to(base.resolve()).as_posix()
        except (ValueError, OSError):
            continue
    return resolved.as_posix()


def _glob(relative: str, pattern: str) -> bool:
    pattern = pattern.removeprefix("./")
    if fnmatch.fnmatchcase(relative, pattern) or fnmatch.fnmatchcase(relative, pattern.rstrip("/") + "/*"):
        return True
    if pattern.startswith("**/") and fnmatch.fnmatchcase(relative, pattern[3:]):
        return True
    parts = relative.split("/")
    return any(fnmatch.fnmatchcase("/".join(parts[: i + 1]), pattern.rstrip("/")) for i in range(len(parts)))


@dataclass(frozen=True)
class Overrides:
    """Command-line flags that take precedence over configuration files."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    image_domain: ImageDomain | None = None
    fail_on: str | None = None


def _string_list(value: object, key: str, origin: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise ConfigError(f"{origin}: '{key}' must be a list of strings")


def parse_table(table: Mapping[str, object], root: Path, origin: str, rules: Sequence[DescribedRule]) -> Settings:
    """Validate a ``[tool.reviewlint]`` table and turn it into :class:`Settings`."""
    by_key = {rule.code: rule for rule in rules} | {rule.name: rule for rule in rules}
    known_codes = {rule.code for rule in rules}
    settings = Settings(root=root, origin=origin)
    rule_options: dict[str, dict[str, object]] = {}
    for key, value in table.items():
        if key == "select":
            settings = replace(settings, select=_codes(_string_list(value, key, origin), known_codes, origin))
        elif key == "ignore":
            settings = replace(settings, ignore=_codes(_string_list(value, key, origin), known_codes, origin))
        elif key == "exclude":
            settings = replace(settings, exclude=_string_list(value, key, origin))
        elif key == "image-domain":
            if value not in IMAGE_DOMAINS:
                raise ConfigError(f"{origin}: image-domain must be one of {', '.join(IMAGE_DOMAINS)}, not {value!r}")
            settings = replace(settings, image_domain=value)
        elif key in ("max-file-size", "max-notebook-size"):
            if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**62:
                raise ConfigError(f"{origin}: {key} must be a positive number of bytes")
            settings = replace(settings, max_file_size=value) if key == "max-file-size" else replace(settings, max_notebook_size=value)
        elif key == "albumentations-version":
            version = parse_version(value) if isinstance(value, str) else None
            if version is None:
                raise ConfigError(f"{origin}: albumentations-version must be a version such as \"1.3.1\", not {value!r}")
            settings = replace(settings, albumentations_version=version, albumentations_version_given=True)
        elif key == "fail-on":
            if value not in FAIL_ON:
                raise ConfigError(f"{origin}: fail-on must be one of {', '.join(FAIL_ON)}, not {value!r}")
            settings = replace(settings, fail_on=str(value))
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{origin}: per-file-ignores must be a table of glob = [codes]")
            pairs = tuple(
                (str(pattern), _codes(_string_list(codes, f"per-file-ignores.{pattern}", origin), known_codes, origin))
                for pattern, codes in value.items()
            )
            settings = replace(settings, per_file_ignores=pairs)
        elif key in by_key:
            rule = by_key[key]
            rule_options[rule.code] = _rule_options(rule, value, origin)
        else:
            raise ConfigError(f"{origin}: unknown key '{key}' in [tool.reviewlint]")
    return replace(settings, rule_options=rule_options)


def _codes(selectors: tuple[str, ...], known: set[str], origin: str) -> tuple[str, ...]:
    for selector in selectors:
        if selector != "ALL" and not any(code.startswith(selector) for code in known):
            raise ConfigError(f"{origin}: '{selector}' matches no rule code")
    return selectors


def _rule_options(rule: DescribedRule, value: object, origin: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise ConfigError(f"{origin}: [{rule.name}] must be a table of options")
    options: dict[str, object] = {}
    defaults = {info.name: info.default for info in rule.option_infos}
    for name, setting in value.items():
        if name not in defaults:
            known = ", ".join(sorted(defaults)) or "none"
            raise ConfigError(f"{origin}: {rule.code} ({rule.name}) has no option '{name}' (options: {known})")
        default = defaults[name]
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            if not isinstance(setting, (int, float)) or isinstance(setting, bool):
                raise ConfigError(f"{origin}: {rule.name}.{name} must be a number")
        elif type(setting) is not type(default):
            raise ConfigError(f"{origin}: {rule.name}.{name} must be of type {type(default).__name__}")
        options[name] = setting
    return options


def load_file(path: Path, rules: Sequence[DescribedRule], required: bool) -> Settings | None:
    """Settings from one pyproject.toml; None if it has no [tool.reviewlint] and is not required."""
    try:
        snapshot = Snapshot.read(path, MAX_CONFIG_SIZE)
        if snapshot is None:
            raise ConfigError(f"{path}: over {MAX_CONFIG_SIZE} bytes: not a configuration file")
        data = tomllib.loads(snapshot.data.decode("utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: invalid TOML: {str(error).splitlines()[0]}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
    except ValueError as error:  # an integer of over 4300 digits
        raise ConfigError(f"{path}: invalid TOML: {str(error).splitlines()[0]}") from None
    tool = data.get("tool", {})
    table = tool.get("reviewlint") if isinstance(tool, dict) else None
    if table is None and path.name != "pyproject.toml":
        table = data
    if table is None:
        if required:
            raise ConfigError(f"{path}: no [tool.reviewlint] table")
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.reviewlint] is not a table")
    return parse_table(table, path.parent, str(path), rules)


class ConfigResolver:
    """Finds the settings that apply to each file; caches the search per directory."""

    def __init__(self, rules: Sequence[DescribedRule], overrides: Overrides, config_file: Path | None = None) -> None:
        self._rules = rules
        self._overrides = overrides
        self._by_dir: dict[Path, Settings] = {}
        self._per_project: dict[tuple[int, Path], tuple[Settings, Settings]] = {}
        self._by_folder: dict[Path, Settings] = {}  # a folder as discovery names it, to its settings
        self._fixed: Settings | None = None
        if config_file is not None:
            loaded = load_file(config_file, rules, required=True)
            assert loaded is not None
            self._fixed = self._apply(loaded)
        self._default = self._apply(Settings(root=Path.cwd()))

    def _apply(self, settings: Settings) -> Settings:
        flags = self._overrides
        if flags.select is not None:
            settings = replace(settings, select=flags.select)
        if flags.extend_select:
            settings = replace(settings, select=settings.select + flags.extend_select)
        if flags.ignore:
            settings = replace(settings, ignore=settings.ignore + flags.ignore)
        if flags.image_domain is not None:
            settings = replace(settings, image_domain=flags.image_domain)
        if flags.fail_on is not None:
            settings = replace(settings, fail_on=flags.fail_on)
        if not settings.albumentations_version_given:
            settings = replace(settings, albumentations_version=declared_version(settings.root, "albumentations"))
        return settings

    def for_path(self, path: Path) -> Settings:
        """The settings for a file — or for a folder found in a walk, when deciding whether it is
        excluded: those of the folder holding it (so a folder's own pyproject.toml cannot
        un-exclude the folder, and an excluded folder's configuration is never read)."""
        return self.for_folder(path.parent)

    def for_folder(self, directory: Path) -> Settings:
        """The settings of the files in ``directory``, with what their project — the first folder
        up with a project marker — declares: with ``image-domain = "auto"``, what its README says;
        without ``albumentations-version`` set, the version its dependency files pin (when they
        pin one; else the pin found beside the configuration)."""
        known = self._by_folder.get(directory)
        if known is not None:
            return known
        folder = resolved(directory)
        settings = self._fixed if self._fixed is not None else self._for_dir(folder)
        if settings.image_domain == "auto" or not settings.albumentations_version_given:
            root = project_root(folder / "-")
            per_project = self._per_project.get((id(settings), root))
            if per_project is None or per_project[0] is not settings:
                per_project = self._per_project[(id(settings), root)] = (settings, _declared_by_project(settings, root))
            settings = per_project[1]
        self._by_folder[directory] = settings
        return settings

    def _for_dir(self, directory: Path) -> Settings:
        cached = self._by_dir.get(directory)
        if cached is not None:
            return cached
        candidate = directory / "pyproject.toml"
        settings: Settings | None = None
        if _is_file(candidate):
            loaded = load_file(candidate, self._rules, required=False)
            if loaded is not None:
                settings = self._apply(loaded)
        if settings is None:
            settings = self._default if directory.parent == directory else self._for_dir(directory.parent)
        self._by_dir[directory] = settings
        return settings


def _is_file(path: Path) -> bool:
    """Whether ``path`` is a file; False when its directory cannot be searched (discovery reports that)."""
    try:
        return path.is_file()
    except OSError:
        return False


def _declared_by_project(settings: Settings, root: Path) -> Settings:
    """``settings`` with what the project at ``root`` declares (its README's image domain, its
    albumentations pin) where the configuration leaves them open."""
    if settings.image_domain == "auto":
        settings = replace(settings, readme_domain=readme_domain(root))
    if not settings.albumentations_version_given and root != settings.root:
        pinned = declared_version(root, "albumentations")
        if pinned is not None:
            settings = replace(settings, albumentations_version=pinned)
    return settings
