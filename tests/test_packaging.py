"""The package as users get it: ``python -m build`` makes a wheel and an sdist; the wheel,
installed into a fresh virtual environment (no access to this checkout), lints the embedded
example, explains a rule and answers as a language server — so missing package data fails here,
not on a user's machine."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("dist")
    source = tmp_path_factory.mktemp("src") / "reviewlint"
    # Build from a copy of the tracked files, as a clean checkout would.
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=600)
    (wheel,) = out.glob("reviewlint-*.whl")
    (sdist,) = out.glob("reviewlint-*.tar.gz")
    return wheel, sdist


def test_the_sdist_holds_the_sources_the_rules_and_the_readme(built: tuple[Path, Path]) -> None:
    with tarfile.open(built[1]) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"README.md", "pyproject.toml", "reviewlint/cli.py", "reviewlint/server/app.py", "rules/vertical_flip.py"} <= names


@pytest.fixture(scope="module")
def venv(built: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(home)], check=True, timeout=300)
    pip = subprocess.run([str(home / "bin" / "python"), "-m", "pip", "install", "--quiet", str(built[0])],
                         capture_output=True, text=True, timeout=900, env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    assert pip.returncode == 0, pip.stderr[-2000:]
    return home


def test_the_wheel_has_the_rules_and_the_typed_marker(built: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(built[0]) as archive:
        names = set(archive.namelist())
    assert {"reviewlint/py.typed", "reviewlint_rules/vertical_flip.py", "reviewlint/server/app.py"} <= names


def test_the_installed_wheel_lints_the_example_and_explains(venv: Path, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "fixtures", tmp_path / "fixtures")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    run = subprocess.run([str(venv / "bin" / "reviewlint"), "check", "--no-cache", "--format", "concise", "fixtures/"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode == 1 and "RL101" in run.stdout and "RL102" in run.stdout, run.stdout + run.stderr
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import reviewlint; print(reviewlint.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, env=env)
    assert str(venv) in where.stdout, "the wheel's copy is the one that ran, not this checkout"
    explained = subprocess.run([str(venv / "bin" / "reviewlint"), "explain", "RL102"], capture_output=True, text=True, env=env)
    assert explained.returncode == 0 and "vertical-flip" in explained.stdout


def test_the_installed_wheel_serves_diagnostics(venv: Path, tmp_path: Path) -> None:
    async def session() -> list[types.Diagnostic]:
        client = LanguageClient("packaging-test", "1")
        arrived: asyncio.Queue[types.PublishDiagnosticsParams] = asyncio.Queue()

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            arrived.put_nowait(params)

        await client.start_io(str(venv / "bin" / "reviewlint"), "server", env={"PATH": os.environ.get("PATH", "")}, cwd=str(tmp_path))
        await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=tmp_path.as_uri()))
        client.initialized(types.InitializedParams())
        uri = (tmp_path / "train.py").as_uri()
        client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
            uri, "python", 1, "import albumentations as A\naug = A.VerticalFlip(p=0.5)\n")))
        params = await asyncio.wait_for(arrived.get(), 120)
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
        return list(params.diagnostics)

    found = asyncio.run(session())
    assert [d.code for d in found] == ["RL102"]
