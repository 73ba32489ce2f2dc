"""RL502 (unseeded-training) beyond its examples."""

from __future__ import annotations

from tests.conftest import findings_of


def test_seeding_through_a_helper_called_from_main_counts():
    text = (
        "import random\nimport numpy as np\nimport tensorflow as tf\n"
        "def seed_all(s):\n    random.seed(s)\n    np.random.seed(s)\n    tf.random.set_seed(s)\n"
        "def main():\n    seed_all(0)\n    model = tf.keras.Sequential()\n    model.fit(x, y, epochs=5)\n"
        "if __name__ == '__main__':\n    main()\n"
    )
    assert findings_of("RL502", text) == []


def test_a_project_module_that_seeds_when_imported_counts(tmp_path, monkeypatch):
    import json

    from tests.conftest import check_in_process

    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "const.py").write_text("import torch\nimport numpy as np\ntorch.manual_seed(0)\nnp.random.seed(0)\nEPOCHS = 5\n")
    train = "import torch\nimport const\nfor x, y in loader:\n    criterion(model(x), y).backward()\n"
    (tmp_path / "train.py").write_text(train)
    _, out, _ = check_in_process(["--no-cache", "--format", "json", "--select", "RL502", "train.py"], tmp_path, monkeypatch)
    assert json.loads(out)["findings"] == []
    (tmp_path / "const.py").write_text("import torch\nEPOCHS = 5\ndef seed():\n    torch.manual_seed(0)\n")  # never called
    _, out, _ = check_in_process(["--no-cache", "--format", "json", "--select", "RL502", "train.py"], tmp_path, monkeypatch)
    assert [finding["line"] for finding in json.loads(out)["findings"]] == [4]


def test_a_script_that_runs_a_training_function_of_the_project_trains(tmp_path, monkeypatch):
    """run_train.py calls train_model (train.py), whose helper calls loss.backward(): the script
    trains, and is reported at that call; the helper module, run by the script, is not."""
    import json

    from tests.conftest import check_in_process

    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "train.py").write_text(
        "import torch\n"
        "def one_epoch(model, loader, opt):\n    for x, y in loader:\n        model(x, y).backward()\n        opt.step()\n"
        "def train_model(model, loader, opt, epochs):\n    for _ in range(epochs):\n        one_epoch(model, loader, opt)\n"
    )
    scripts = {
        "run_train.py": "import torch\nfrom train import train_model\nmodel = Net()\ntrain_model(model, loader, opt, 10)\n",
        "run_module.py": "import torch\nimport train as T\nT.train_model(Net(), loader, opt, 10)\n",
        "run_star.py": "import torch\nfrom train import *\ntrain_model(Net(), loader, opt, 10)\n",
    }
    for name, text in scripts.items():
        (tmp_path / name).write_text(text)
    _, out, _ = check_in_process(["--no-cache", "--format", "json", "--select", "RL502", *scripts, "train.py"], tmp_path, monkeypatch)
    found = {(finding["path"].rsplit("/", 1)[-1], finding["line"]) for finding in json.loads(out)["findings"]}
    assert found == {("run_train.py", 4), ("run_module.py", 3), ("run_star.py", 3)}

    # Seeded by a project module whose top level calls its own seeding function.
    (tmp_path / "config.py").write_text("import torch\ndef seed_everything(s):\n    torch.manual_seed(s)\nseed_everything(42)\n")
    (tmp_path / "run_train.py").write_text("import torch\nimport config\nfrom train import train_model\ntrain_model(Net(), loader, opt, 10)\n")
    _, out, _ = check_in_process(["--no-cache", "--format", "json", "--select", "RL502", "run_train.py"], tmp_path, monkeypatch)
    assert json.loads(out)["findings"] == []


def test_a_seeding_function_of_the_project_counts_for_what_its_body_seeds(tmp_path, monkeypatch):
    import json

    from tests.conftest import check_in_process

    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "utils.py").write_text("import torch\nimport random\ndef make_reproducible(s):\n    random.seed(s)\n    torch.manual_seed(s)\n")
    train = "import torch\nfrom utils import make_reproducible\nmake_reproducible(0)\nfor x, y in loader:\n    model(x, y).backward()\n"
    (tmp_path / "train.py").write_text(train)
    _, out, _ = check_in_process(["--no-cache", "--format", "json", "--select", "RL502", "train.py"], tmp_path, monkeypatch)
    assert json.loads(out)["findings"] == []
    (tmp_path / "utils.py").write_text("import torch\nimport random\ndef make_reproducible(s):\n    random.seed(s)\n")
    _, out, _ = check_in_process(["--no-cache", "--format", "json", "--select", "RL502", "train.py"], tmp_path, monkeypatch)
    [finding] = json.loads(out)["findings"]
    assert finding["line"] == 5 and "make_reproducible() is called but PyTorch is not seeded" in finding["message"]
