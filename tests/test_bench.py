"""The bench runs end to end (on the fixtures, quickly): every command succeeds, the ratio table
is printed, and the reviewlint reports of the cold, parallel, cache-filling and warm runs are
identical. Its timings are not asserted (shared, noisy machines): they are read, not tested."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_bench_runs_on_the_fixtures(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--corpus", "fixtures", "--no-fixit", "--scale", "1,2", "--scale-lines", "200",
         "--json", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=600, check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "| ratio (wall time) | measured | target | holds |" in run.stdout
    data = json.loads(out.read_text())
    assert data["identical_reports"] is True
    assert {entry["ratio"] for entry in data["ratios"]} >= {
        "reviewlint cold, 1 process / bare parse", "warm re-run (cache, -j 2) / cold, 1 process"}
    assert all(measured["returncode"] == 0 for rounds in data["runs"].values() for measured in rounds)
    assert [point["copies"] for point in data["scaling"]] == [1, 2]
    assert all(point["returncode"] == 0 for point in data["scaling"])
