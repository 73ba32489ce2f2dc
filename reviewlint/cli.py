"""The ``reviewlint`` command: ``check``, ``rules``, ``explain``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from reviewlint import __version__
from reviewlint.config import IMAGE_DOMAINS, ConfigError, ConfigResolver, Overrides
from reviewlint.registry import all_rules, find_rule
from reviewlint.report import REPORTERS
from reviewlint.runner import run_paths


def _codes(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(part.strip().upper() for part in value.split(",") if part.strip())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reviewlint")
def cli() -> None:
    """A linter for deep-learning training code (.py and .ipynb)."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", help="Comma-separated rule codes or prefixes to enable (default: all).")
@click.option("--ignore", help="Comma-separated rule codes or prefixes to disable.")
@click.option("--extend-select", help="Rule codes or prefixes to enable on top of the configuration.")
@click.option("--format", "output_format", type=click.Choice(sorted(REPORTERS)), default="text", show_default=True)
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False), help="Use this pyproject.toml (or TOML file) for every file.")
@click.option("--image-domain", type=click.Choice(IMAGE_DOMAINS), help="What the images show (affects RL102).")
@click.option("--exit-zero", is_flag=True, help="Exit with 0 even when there are findings.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing when there is nothing to report.")
@click.option("--show-internal-errors", is_flag=True, help="Print the traceback of internal errors.")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-", help="Write the report to a file.")
def check(
    paths: tuple[Path, ...],
    select: str | None,
    ignore: str | None,
    extend_select: str | None,
    output_format: str,
    config_file: Path | None,
    image_domain: str | None,
    exit_zero: bool,
    quiet: bool,
    show_internal_errors: bool,
    output: click.utils.LazyFile,
) -> None:
    """Lint PATHS (files or directories; default: the current directory)."""
    rules = all_rules()
    overrides = Overrides(
        select=_codes(select), ignore=_codes(ignore) or (), extend_select=_codes(extend_select) or (),
        image_domain=image_domain,
    )
    known = {rule.code for rule in rules}
    for selector in (overrides.select or ()) + overrides.ignore + overrides.extend_select:
        if selector != "ALL" and not any(code.startswith(selector) for code in known):
            raise click.UsageError(f"'{selector}' matches no rule code")
    try:
        resolver = ConfigResolver(rules, overrides, config_file)
        result = run_paths(list(paths) or [Path(".")], resolver, rules)
    except ConfigError as error:
        click.echo(f"reviewlint: config error: {error}", err=True)
        sys.exit(2)
    missing = [path for path in paths if not path.exists() and not path.is_symlink()]
    result.show_internal_errors = show_internal_errors
    if not (quiet and not result.findings and not result.errors) or output_format in ("json", "sarif"):
        REPORTERS[output_format](result, output)
    if show_internal_errors and output_format != "text":
        for error in result.errors:
            if error.trace:
                click.echo(error.trace, err=True)
    if missing and not result.errors:
        sys.exit(2)
    sys.exit(0 if exit_zero and result.exit_code == 1 else result.exit_code)


@cli.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_rules(output_format: str) -> None:
    """List every rule: code, name, severity and summary."""
    rules = all_rules()
    if output_format == "json":
        click.echo(json.dumps([{"code": r.code, "name": r.name, "severity": r.severity.value, "summary": r.summary} for r in rules], indent=2))
        return
    table = Table(box=None, pad_edge=False)
    for column in ("Code", "Name", "Severity"):
        table.add_column(column, no_wrap=True)
    table.add_column("Summary")
    for rule in rules:
        table.add_row(rule.code, rule.name, rule.severity.value, rule.summary)
    Console(highlight=False).print(table)


@cli.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Show a rule's documentation (by code or name)."""
    found = find_rule(rule)
    if found is None:
        raise click.UsageError(f"no rule '{rule}' (see `reviewlint rules`)")
    header = f"# {found.code} {found.name} ({found.severity.value})\n\n"
    body = found.doc.split("\n", 1)[1] if "\n" in found.doc else found.doc
    options = ""
    if found.options:
        rows = "\n".join(f"- `{name}` (default `{opt.default}`): {opt.help}" for name, opt in found.options.items())
        options = f"\n## Options\n`[tool.reviewlint.{found.name}]`\n\n{rows}\n"
    text = header + found.summary + "\n" + body + options
    console = Console(highlight=False)
    if console.is_terminal:
        from rich.markdown import Markdown  # imported here: only explain on a terminal needs it

        console.print(Markdown(text))
    else:
        click.echo(text)


def main() -> None:
    """Entry point of the ``reviewlint`` script."""
    cli()
