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
