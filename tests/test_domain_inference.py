"""``image-domain = "auto"``: what it reads (the file, a notebook's markdown, the project's README)
and how ``--show-settings`` says what it inferred."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import check_in_process, write_notebook

FLIP = "import albumentations as A\naug = A.Compose([A.VerticalFlip(p=0.5)])\n"


def _rl102(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> list[str]:
    _, out, _ = check_in_process(["--no-cache", "--format", "json", "--select", "RL102", *args, "."], root, monkeypatch)
    return [finding["path"] for finding in json.loads(out)["findings"]]


def _markdown_notebook(root: Path, text: str) -> Path:
    path = write_notebook(root, FLIP, name="train.ipynb")
    data = json.loads(path.read_text())
    data["cells"].insert(0, {"cell_type": "markdown", "metadata": {}, "source": text})
    path.write_text(json.dumps(data))
    return path


def test_a_notebooks_markdown_names_its_domain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    _markdown_notebook(tmp_path, "# APTOS 2019\nGrading diabetic retinopathy on fundus photographs.")
    assert _rl102(tmp_path, monkeypatch) == []
    assert _rl102(tmp_path, monkeypatch, "--image-domain", "natural") == ["train.ipynb"]
    _, out, _ = check_in_process(["--show-settings", "train.ipynb"], tmp_path, monkeypatch)
    assert 'image-domain = "auto"  # inferred "medical" from "APTOS" in its markdown: RL102 is off here' in out


def test_the_projects_readme_names_its_domain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "train.py").write_text(FLIP)
    assert _rl102(tmp_path, monkeypatch) == ["train.py"]
    (tmp_path / "README.md").write_text("# Skin lesions\nMelanoma classification on dermoscopy images (SIIM-ISIC).\n")
    assert _rl102(tmp_path, monkeypatch) == []
    _, out, _ = check_in_process(["--show-settings", "train.py", "."], tmp_path, monkeypatch)
    assert 'inferred "medical" from "Melanoma" in README.md' in out
    assert out.count("Settings for") == 2


def test_weak_words_infer_nothing_and_show_settings_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "README.md").write_text("Cassava leaf disease classification.\n")
    (tmp_path / "train.py").write_text(FLIP)
    assert _rl102(tmp_path, monkeypatch) == ["train.py"]
    _, out, _ = check_in_process(["--show-settings", "train.py"], tmp_path, monkeypatch)
    assert "nothing inferred: the images are taken to be natural photos (RL102 reports)" in out
    assert 'albumentations-version = ""  # unknown: every API change is reported' in out


def test_show_settings_names_the_notebooks_own_albumentations_pin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    write_notebook(tmp_path, "!pip install -q albumentations==1.3.1", FLIP)
    code, out, _ = check_in_process(["--show-settings", "train.ipynb"], tmp_path, monkeypatch)
    assert code == 0
    assert "albumentations-version = \"1.3.1\"  # the notebook's pip install line" in out


def test_a_competition_slug_names_its_domain() -> None:
    from reviewlint.knowledge.domains import inferred_domain

    assert inferred_domain("https://www.kaggle.com/c/aptos2019-blindness-detection/overview") == ("aptos2019", "medical")
    assert inferred_domain("laptops and desktops") is None
    assert inferred_domain("Plant Pathology 2020 - FGVC7") == ("Plant Pathology", "overhead")
    assert inferred_domain("Cassava leaf disease classification") is None


def test_medical_and_remote_sensing_competition_names_name_their_domain() -> None:
    from reviewlint.knowledge.domains import inferred_domain

    assert inferred_domain("../input/ranzcr-clip-catheter-line-classification/train") == ("ranzcr", "medical")
    assert inferred_domain("kenfus/blindness_detection/train.py") == ("blindness_detection", "medical")
    assert inferred_domain("../input/airbus-ship-detection/") == ("airbus-ship", "overhead")
    assert inferred_domain("the siamese network") is None  # a word that merely starts like one


def test_a_web_address_cited_in_a_comment_names_no_domain() -> None:
    from reviewlint.knowledge.domains import inferred_for_file

    cited = "# reference: https://www.kaggle.com/c/siim-isic-melanoma-classification/discussion/173733\nx = 1\n"
    assert inferred_for_file("train.py", cited) is None
    # The address the code downloads its data from is no citation.
    assert inferred_for_file("train.py", "url = 'https://example.org/isic-2019.zip'\n") == ("isic", "medical", "the file")
    assert inferred_for_file("train.py", cited + "DATA = '../input/siim-isic-melanoma-classification'\n") == ("siim", "medical", "the file")


def test_a_readme_naming_kindred_domains_names_one_kind_of_image(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "train.py").write_text(FLIP)
    (tmp_path / "README.md").write_text("Cancer detection from microscopic tissue images (histopathologic).\n")
    assert _rl102(tmp_path, monkeypatch) == []
    _, out, _ = check_in_process(["--show-settings", "train.py"], tmp_path, monkeypatch)
    assert 'inferred "medical" from "histopathologic" in README.md' in out
    # Domains of different kinds (a list of projects) still infer nothing.
    (tmp_path / "README.md").write_text("Projects: chest X-ray pneumonia, satellite imagery, dogs vs cats.\n")
    assert _rl102(tmp_path, monkeypatch) == ["train.py"]


def test_whole_slide_and_radiograph_competitions_name_their_domain() -> None:
    from reviewlint.knowledge.domains import inferred_domain

    assert inferred_domain("../input/prostate-cancer-grade-assessment/train_images") == (
        "prostate-cancer-grade-assessment", "medical")
    assert inferred_domain("../input/vinbigdata-chest-xray-abnormalities-detection") == ("vinbigdata", "medical")
    assert inferred_domain("plant-seedlings-classification") is None
