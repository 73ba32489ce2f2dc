"""RL502 (unseeded-training) beyond its examples."""

from __future__ import annotations

import json

from tests.conftest import check_in_process, findings_of


def _project_findings(tmp_path, monkeypatch, files, *paths):
    """RL502's findings (JSON) on ``paths`` of a project made of ``files`` (name → text)."""
    (tmp_path / "pyproject.toml").write_text("")
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    _, out, _ = check_in_process(["--no-cache", "--format", "json", "--select", "RL502", *paths], tmp_path, monkeypatch)
    return json.loads(out)["findings"]


def test_seeding_through_a_helper_called_from_main_counts():
    text = (
        "import random\nimport numpy as np\nimport tensorflow as tf\n"
        "def seed_all(s):\n    random.seed(s)\n    np.random.seed(s)\n    tf.random.set_seed(s)\n"
        "def main():\n    seed_all(0)\n    model = tf.keras.Sequential()\n    model.fit(x, y, epochs=5)\n"
        "if __name__ == '__main__':\n    main()\n"
    )
    assert findings_of("RL502", text) == []


def test_a_project_module_that_seeds_when_imported_counts(tmp_path, monkeypatch):
    train = "import torch\nimport const\nfor x, y in loader:\n    criterion(model(x), y).backward()\n"
    const = "import torch\nimport numpy as np\ntorch.manual_seed(0)\nnp.random.seed(0)\nEPOCHS = 5\n"
    assert _project_findings(tmp_path, monkeypatch, {"const.py": const, "train.py": train}, "train.py") == []
    never_called = "import torch\nEPOCHS = 5\ndef seed():\n    torch.manual_seed(0)\n"
    found = _project_findings(tmp_path, monkeypatch, {"const.py": never_called}, "train.py")
    assert [finding["line"] for finding in found] == [4]


def test_a_script_that_runs_a_training_function_of_the_project_trains(tmp_path, monkeypatch):
    """run_train.py calls train_model (train.py), whose helper calls loss.backward(): the script
    trains, and is reported at that call; the helper module, run by the script, is not."""
    train = (
        "import torch\n"
        "def one_epoch(model, loader, opt):\n    for x, y in loader:\n        model(x, y).backward()\n        opt.step()\n"
        "def train_model(model, loader, opt, epochs):\n    for _ in range(epochs):\n        one_epoch(model, loader, opt)\n"
    )
    scripts = {
        "run_train.py": "import torch\nfrom train import train_model\nmodel = Net()\ntrain_model(model, loader, opt, 10)\n",
        "run_module.py": "import torch\nimport train as T\nT.train_model(Net(), loader, opt, 10)\n",
        "run_star.py": "import torch\nfrom train import *\ntrain_model(Net(), loader, opt, 10)\n",
    }
    found = _project_findings(tmp_path, monkeypatch, {"train.py": train, **scripts}, *scripts, "train.py")
    assert {(finding["path"].rsplit("/", 1)[-1], finding["line"]) for finding in found} == {
        ("run_train.py", 4), ("run_module.py", 3), ("run_star.py", 3)}

    # Seeded by a project module whose top level calls its own seeding function.
    seeded = {
        "config.py": "import torch\ndef seed_everything(s):\n    torch.manual_seed(s)\nseed_everything(42)\n",
        "run_train.py": "import torch\nimport config\nfrom train import train_model\ntrain_model(Net(), loader, opt, 10)\n",
    }
    assert _project_findings(tmp_path, monkeypatch, seeded, "run_train.py") == []


def test_a_seeding_function_of_the_project_counts_for_what_its_body_seeds(tmp_path, monkeypatch):
    train = "import torch\nfrom utils import make_reproducible\nmake_reproducible(0)\nfor x, y in loader:\n    model(x, y).backward()\n"
    utils = "import torch\nimport random\ndef make_reproducible(s):\n    random.seed(s)\n    torch.manual_seed(s)\n"
    assert _project_findings(tmp_path, monkeypatch, {"utils.py": utils, "train.py": train}, "train.py") == []
    python_only = "import torch\nimport random\ndef make_reproducible(s):\n    random.seed(s)\n"
    [finding] = _project_findings(tmp_path, monkeypatch, {"utils.py": python_only}, "train.py")
    assert finding["line"] == 5 and "make_reproducible() is called but PyTorch is not seeded" in finding["message"]
