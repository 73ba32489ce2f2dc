"""reviewlint in JupyterLab, where notebook users are: JupyterLab with jupyterlab-lsp and the
README's server registration, driven in a real browser (Debian's chromium through Playwright).
Typing ``A.VerticalFlip()`` into a cell underlines it with RL102's message; making the flip
horizontal clears it.

Opt-in (``-m browser``): it needs ``pip install -e ".[browser]"`` and ``apt install chromium``,
which the default CI run does not install; it is run for every change of the server.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# The registration the README gives (jupyter_server_config.json in a Jupyter config folder).
SERVER_CONFIG = {
    "LanguageServerManager": {
        "language_servers": {
            "reviewlint": {
                "version": 2,
                "argv": ["reviewlint", "server"],
                "languages": ["python"],
                "mime_types": ["text/x-python", "text/x-ipython"],
                "display_name": "reviewlint",
            }
        }
    }
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture()
def lab(tmp_path: Path) -> Iterator[str]:
    pytest.importorskip("jupyter_lsp")
    pytest.importorskip("playwright")
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's chromium (apt install chromium)")
    config = tmp_path / "config"
    config.mkdir()
    (config / "jupyter_server_config.json").write_text(json.dumps(SERVER_CONFIG))
    root = tmp_path / "work"
    root.mkdir()
    cells = ["import albumentations as A\n", ""]
    (root / "augment.ipynb").write_text(json.dumps({
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": code} for code in cells],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                     "language_info": {"name": "python", "mimetype": "text/x-python", "file_extension": ".py"}},
        "nbformat": 4, "nbformat_minor": 5}))
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.token=", "--ServerApp.password=",
         f"--ServerApp.root_dir={root}", "--allow-root"],
        env={**os.environ, "JUPYTER_CONFIG_DIR": str(config)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status = json.load(urllib.request.urlopen(f"{url}/lsp/status", timeout=2))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        assert "reviewlint" in status["sessions"], "jupyter-lsp reads the registration"
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_vertical_flip_typed_into_a_cell_is_underlined_and_goes_when_fixed(lab: str) -> None:
    from playwright.async_api import async_playwright

    async def session() -> None:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = await browser.new_page()
            await page.goto(f"{lab}/lab/tree/augment.ipynb")
            editors = page.locator(".jp-Notebook .jp-CodeCell .cm-content")
            await editors.nth(1).wait_for(timeout=90_000)
            cell = page.locator(".jp-Notebook .jp-CodeCell").nth(1)
            await editors.nth(1).click()
            await page.keyboard.type("aug = A.VerticalFlip()")
            underline = cell.locator(".cm-lintRange")
            await underline.first.wait_for(timeout=60_000)
            assert await underline.first.inner_text() == "A.VerticalFlip()"
            await underline.first.hover()
            tooltip = page.locator(".cm-tooltip").filter(has_text="flips images upside down")
            await tooltip.first.wait_for(timeout=30_000)
            assert "help: use a horizontal flip only" in await tooltip.first.inner_text()
            await editors.nth(1).click()
            await page.keyboard.press("Control+a")
            await page.keyboard.type("aug = A.HorizontalFlip()")
            deadline = time.monotonic() + 30
            while await cell.locator(".cm-lintRange").count():
                assert time.monotonic() < deadline, "the diagnostic stays after the fix"
                await asyncio.sleep(0.2)
            await browser.close()

    asyncio.run(session())
