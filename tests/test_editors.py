"""Editors' own LSP clients against ``reviewlint server``, where they can run here (the README's
editor section says which were tried). JupyterLab: tests/test_jupyterlab.py."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

FLIP = "import albumentations as A\naug = A.Compose([A.VerticalFlip(p=0.5)])\n"


def test_neovims_own_client_shows_the_diagnostics(tmp_path: Path) -> None:
    if shutil.which("nvim") is None:
        pytest.skip("Neovim is not installed here (apt install neovim)")
    (tmp_path / "train.py").write_text(FLIP)
    script = Path(__file__).parent / "data" / "neovim" / "diagnostics.lua"
    run = subprocess.run(["nvim", "--headless", "-u", "NONE", "-c", f"luafile {script}"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    output = (run.stdout + run.stderr).splitlines()
    assert output[-1] == "OK" and output[0].startswith("RL102 1:17 VerticalFlip flips images upside down"), output
