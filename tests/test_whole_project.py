"""Whole-project analysis: facts flow through the imports between a project's own modules.

The generator of ``data.py`` meets the backbone of ``train.py``: the finding lands where the fix
belongs (``data.py``), with the other file as a related location; the cache and ``--jobs`` stay
exact, because a result is kept only while the modules it imported are unchanged.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reviewlint.analysis.constants import UNKNOWN
from reviewlint.analysis.semantic import Scope
from reviewlint.source.project import ImportLine, import_lines, project_imports
from tests.conftest import check_in_process, write_notebook

DATA = (
    "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n\n"
    "train_datagen = ImageDataGenerator(rescale=1. / 255, horizontal_flip=True)\n"
    "train_gen = train_datagen.flow_from_directory('train', target_size=(300, 300))\n"
)
TRAIN = (
    "import efficientnet.tfkeras as efn\nfrom tensorflow import keras\nfrom data import train_gen\n\n"
    "base = efn.EfficientNetB3(weights='imagenet', include_top=False)\n"
    "model = keras.Sequential([base, keras.layers.Dense(10)])\nhistory = model.fit(train_gen, epochs=3)\n"
)
MODEL = (
    "import efficientnet.tfkeras as efn\nfrom tensorflow import keras\n\n\n"
    "def build_model(classes):\n"
    "    base = efn.EfficientNetB0(weights='imagenet', include_top=False, pooling='avg')\n"
    "    return keras.Sequential([base, keras.layers.Dense(classes)])\n"
)


def _project(root: Path, files: dict[str, str]) -> Path:
    (root / "pyproject.toml").write_text("")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _findings(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> list[dict[str, object]]:
    _, out, _ = check_in_process(["--format", "json", "--select", "RL201", *args, "."], root, monkeypatch)
    found: list[dict[str, object]] = json.loads(out)["findings"]
    return found


def _places(found: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(f["path"], f["line"], [(r["path"], r["line"]) for r in f["related"]]) for f in found]  # type: ignore[attr-defined]


# Reading imports ---------------------------------------------------------------------------
def test_import_lines_keep_levels_names_and_aliases() -> None:
    text = "from .data import x as xx\nfrom pkg import (model,\n    utils)\nimport pkg.model as pm, os\nimport a.b\n"
    assert import_lines(text) == (
        ImportLine(1, "data", (("x", "xx"),)),
        ImportLine(0, "pkg", (("model", "model"), ("utils", "utils"))),
        ImportLine(0, "pkg.model", (), "pm"),
        ImportLine(0, "os", (), "os"),
        ImportLine(0, "a.b", (), "a.b"),
    )


def test_project_imports_resolve_relative_absolute_and_src_layout_within_the_project(tmp_path: Path) -> None:
    _project(tmp_path, {"src/pkg/__init__.py": "", "src/pkg/data.py": "", "src/pkg/model.py": "", "src/pkg/train.py": "",
                        "helpers.py": ""})
    train = tmp_path / "src/pkg/train.py"
    text = "from .data import x as xx\nfrom pkg import model\nimport pkg.model as pm\nimport helpers\nimport os\nimport numpy\n"
    found = {item.file.relative_to(tmp_path).as_posix(): item.aliases for item in project_imports(train, import_lines(text))}
    assert found == {
        "src/pkg/data.py": (("xx", "x"),),
        "src/pkg/model.py": (("model", ""), ("pm", "")),
        "helpers.py": (("helpers", ""),),
        "src/pkg/__init__.py": (),  # run first for a module with relative imports; it names nothing
    }


def test_modules_outside_the_project_root_are_never_followed(tmp_path: Path) -> None:
    (tmp_path / "lib.py").write_text("")
    project = tmp_path / "project"
    project.mkdir()
    _project(project, {"train.py": ""})
    assert project_imports(project / "train.py", import_lines("import lib\nfrom .. import lib\n")) == ()


# Findings across files ----------------------------------------------------------------------
def test_a_generator_imported_into_a_training_script_is_reported_in_its_own_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path, {"data.py": DATA, "train.py": TRAIN})
    found = _findings(tmp_path, monkeypatch)
    assert _places(found) == [("data.py", 3, [("train.py", 5)])]
    assert found[0]["fix"] is None  # a fix would edit train.py's text at data.py's place
    _, out, _ = check_in_process(["--format", "sarif", "--select", "RL201", "."], tmp_path, monkeypatch)
    result = json.loads(out)["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "data.py"
    assert result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "train.py"


def test_a_backbone_built_in_another_module_meets_the_importers_generator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    train = (
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n\nfrom .model import build_model\n\n"
        "gen = ImageDataGenerator(rescale=1 / 255).flow_from_directory('train')\nmodel = build_model(10)\nmodel.fit(gen, epochs=2)\n"
    )
    _project(tmp_path, {"src/proj/__init__.py": "", "src/proj/model.py": MODEL, "src/proj/train.py": train})
    write_notebook(tmp_path, "from proj.model import build_model\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator",
                   "gen = ImageDataGenerator(rescale=1/255).flow_from_directory('d')\nm = build_model(3)\nm.fit(gen)", name="explore.ipynb")
    found = _findings(tmp_path, monkeypatch)
    assert sorted(_places(found)) == [
        ("explore.ipynb", 1, [("src/proj/model.py", 6)]),
        ("src/proj/train.py", 5, [("src/proj/model.py", 6)]),
    ]


def test_two_importers_of_one_generator_give_one_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path, {"data.py": DATA, "train.py": TRAIN, "train_b4.py": TRAIN.replace("B3", "B4")})
    assert [f["path"] for f in _findings(tmp_path, monkeypatch)] == ["data.py"]


def test_noqa_in_the_imported_module_suppresses_the_finding_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = DATA.replace("horizontal_flip=True)", "horizontal_flip=True)  # noqa: RL201")
    _project(tmp_path, {"data.py": data, "train.py": TRAIN})
    assert _findings(tmp_path, monkeypatch) == []


def test_a_module_that_is_not_imported_is_not_linked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path, {"data.py": DATA, "train.py": TRAIN.replace("from data import train_gen\n", "train_gen = None\n")})
    assert _findings(tmp_path, monkeypatch) == []


DATASET = (
    "from torch.utils.data import Dataset\nfrom albumentations import Compose, HorizontalFlip, RandomCrop, Resize\n\n\n"
    "class Leaves(Dataset):\n"
    "    def __init__(self, df, apply_transforms=True):\n"
    "        self.df = df\n"
    "        self.apply_transforms = apply_transforms\n"
    "        self.transforms = Compose([HorizontalFlip(), RandomCrop(512, 512), Resize(64, 64)])\n\n"
    "    def __len__(self):\n        return len(self.df)\n\n"
    "    def __getitem__(self, i):\n"
    "        image = self.df[i]\n"
    "        if self.apply_transforms:\n            image = self.transforms(image=image)['image']\n"
    "        return image, 0\n"
)
TORCH_TRAIN = (
    "import torch\nfrom torch.utils.data import DataLoader\nfrom src import dataset, engine\n\n"
    "torch.manual_seed(0)\n"
    "ds_train = dataset.Leaves(df_train)\nds_val = dataset.Leaves(df_val)\n"
    "train_loader = DataLoader(ds_train, shuffle=True)\nval_loader = DataLoader(ds_val)\n"
    "engine.fit(model, train_loader, val_loader)\n"
)


def _selected(root: Path, monkeypatch: pytest.MonkeyPatch, code: str) -> list[tuple[object, ...]]:
    _, out, _ = check_in_process(["--format", "json", "--select", code, "."], root, monkeypatch)
    return _places(json.loads(out)["findings"])


def test_a_dataset_class_of_another_module_that_always_augments_is_seen_at_the_validation_set(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The training loop is in yet another module (engine.py): a class that applies a random
    # pipeline to every instance augments the validation rows given to it.
    engine = "def fit(model, train_loader, val_loader):\n    for x, y in train_loader:\n        model(x).sum().backward()\n"
    files = {"src/__init__.py": "", "src/dataset.py": DATASET, "src/engine.py": engine, "train.py": TORCH_TRAIN}
    _project(tmp_path, files)
    assert _selected(tmp_path, monkeypatch, "RL302") == [("train.py", 7, [("src/dataset.py", 9)])]
    switched_off = TORCH_TRAIN.replace("dataset.Leaves(df_val)", "dataset.Leaves(df_val, apply_transforms=False)")
    _project(tmp_path, {**files, "train.py": switched_off})
    assert _selected(tmp_path, monkeypatch, "RL302") == []


def test_a_freezing_helper_of_another_module_is_reported_where_the_importer_trains(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = (
        "from torchvision import models\n\n\n"
        "def set_requires_grad(model, feature_extracting):\n"
        "    if feature_extracting:\n        for param in model.parameters():\n            param.requires_grad = False\n\n\n"
        "def initialize_model(num_classes, feature_extract, use_pretrained=True):\n"
        "    model = models.resnet50(pretrained=use_pretrained)\n"
        "    set_requires_grad(model, feature_extract)\n"
        "    return model\n"
    )
    train = (
        "import torch\nfrom models import initialize_model\n\ntorch.manual_seed(0)\n"
        "model = initialize_model(7, True)\nmodel.train()\n"
        "for x, y in loader:\n    loss = criterion(model(x), y)\n    loss.backward()\n"
    )
    _project(tmp_path, {"models.py": model, "train.py": train})
    assert _selected(tmp_path, monkeypatch, "RL503") == [("train.py", 5, [("models.py", 12)])]
    # A backbone without BatchNorm (VGG without _bn) has no running statistics to drift.
    _project(tmp_path, {"models.py": model.replace("resnet50", "vgg16"), "train.py": train})
    assert _selected(tmp_path, monkeypatch, "RL503") == []


def test_a_helper_that_freezes_what_it_is_given_is_reported_at_the_call_that_gives_it_a_backbone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The PyTorch fine-tuning tutorial's helper lives in utils.py; the model and the training loop
    # are in train.py, which calls a trainer of a third module.
    utils = "def set_parameter_requires_grad(model):\n    for param in model.parameters():\n        param.requires_grad = False\n"
    driver = ("import torch\n\n\ndef fit(model, loader):\n    model.train()\n    for x, y in loader:\n"
              "        loss = criterion(model(x), y)\n        loss.backward()\n")
    train = (
        "import torch\nfrom torchvision import models\nimport utils as fnc\nimport driver\n\ntorch.manual_seed(0)\n"
        "model = models.densenet121(pretrained=True)\nfnc.set_parameter_requires_grad(model)\ndriver.fit(model, loader)\n"
        "best = models.densenet121(pretrained=True)\nfnc.set_parameter_requires_grad(best)\nbest(x)\n"
    )
    _project(tmp_path, {"utils.py": utils, "driver.py": driver, "train.py": train})
    # Once, at the call before training; the model rebuilt after the last training run only predicts.
    assert _selected(tmp_path, monkeypatch, "RL503") == [("train.py", 8, [("utils.py", 3)])]


def test_an_epoch_loop_around_a_training_function_of_another_module_is_seen(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = ("import torch\n\n\ndef train_one_epoch(model, loader):\n    model.train()\n    for x, y in loader:\n"
              "        loss = criterion(model(x), y)\n        loss.backward()\n    return loss.item()\n")
    train = ("import torch\nfrom src import engine\n\ntorch.manual_seed(0)\nfor epoch in range(10):\n"
             "    loss = engine.train_one_epoch(model, loader)\n    print(epoch, loss)\n")
    files = {"src/__init__.py": "", "src/engine.py": engine, "train.py": train}
    _project(tmp_path, files)
    assert _selected(tmp_path, monkeypatch, "RL501") == [("train.py", 5, [])]
    kept = train.replace("    print(epoch, loss)\n", "    history.append(loss)\n")
    _project(tmp_path, {**files, "train.py": kept})
    assert _selected(tmp_path, monkeypatch, "RL501") == []
    # A training function that records itself (a logger call inside it) keeps the values.
    logged = engine.replace("    return loss.item()\n", "    wandb.log({'loss': loss.item()})\n")
    _project(tmp_path, {**files, "src/engine.py": logged})
    assert _selected(tmp_path, monkeypatch, "RL501") == []
    # A function with its own loop over range(epochs), called with epochs=1 in the importer's loop.
    own_loop = ("import torch\n\n\ndef model_train(model, loader, epochs=10):\n    for e in range(epochs):\n"
                "        for x, y in loader:\n            criterion(model(x), y).backward()\n")
    one_epoch = train.replace("engine.train_one_epoch(model, loader)", "engine.model_train(model, loader, epochs=1)")
    _project(tmp_path, {**files, "src/engine.py": own_loop, "train.py": one_epoch})
    # (engine.py's own loop, judged in engine.py as a loop nothing there calls for one epoch, keeps nothing either)
    assert _selected(tmp_path, monkeypatch, "RL501") == [("src/engine.py", 5, []), ("train.py", 5, [])]
    all_epochs = train.replace("engine.train_one_epoch(model, loader)", "engine.model_train(model, loader, epochs=3)")
    _project(tmp_path, {**files, "src/engine.py": own_loop, "train.py": all_epochs})
    assert _selected(tmp_path, monkeypatch, "RL501") == [("src/engine.py", 5, [])]


def test_a_class_of_another_module_that_always_freezes_is_reported_where_it_is_built(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    models = (
        "import torch\nfrom torch import nn\n\n\nclass Transferred(nn.Module):\n    def __init__(self, head_only=False):\n"
        "        super().__init__()\n        self.inception = torch.hub.load('pytorch/vision:v0.10.0', 'inception_v3', pretrained=True)\n"
        "        for param in self.inception.parameters():\n            param.requires_grad = False\n\n\n"
        "class Optional(nn.Module):\n    def __init__(self, only_train_layers=None):\n        super().__init__()\n"
        "        self.trunk = torch.hub.load('pytorch/vision:v0.10.0', 'resnet50', pretrained=True)\n"
        "        if only_train_layers:\n            for param in self.trunk.parameters():\n                param.requires_grad = False\n"
    )
    train = ("import torch\nfrom models import Transferred, Optional\n\ntorch.manual_seed(0)\nmodel = Transferred()\nother = Optional()\n"
             "for x, y in loader:\n    loss = criterion(model(x) + other(x), y)\n    loss.backward()\n")
    _project(tmp_path, {"models.py": models, "train.py": train})
    # Optional freezes only when given layers: not reported.
    assert _selected(tmp_path, monkeypatch, "RL503") == [("train.py", 5, [("models.py", 10)])]


def test_a_class_a_package_re_exports_is_followed_into_the_module_that_defines_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    models = (
        "import torch\nfrom torch import nn\n\n\nclass Frozen(nn.Module):\n    def __init__(self):\n"
        "        super().__init__()\n        self.net = torch.hub.load('pytorch/vision', 'resnet50', pretrained=True)\n"
        "        for param in self.net.parameters():\n            param.requires_grad = False\n"
    )
    loop = "\nfor x, y in loader:\n    loss = criterion(model(x), y)\n    loss.backward()\n"
    files = {"model/__init__.py": "from .models import Frozen\nfrom .logger import *\n", "model/models.py": models,
             "model/logger.py": "LOG = 1\n"}
    for imports, built in (("from model import *", "Frozen()"), ("from model import Frozen as F", "F()"),
                           ("import model", "model.Frozen()")):
        train = f"import torch\n{imports}\n\ntorch.manual_seed(0)\nmodel = {built}\n" + loop
        _project(tmp_path, {**files, "train.py": train})
        assert _selected(tmp_path, monkeypatch, "RL503") == [("train.py", 5, [("model/models.py", 10)])], imports
    # The package's own module list: __init__.py and the modules it names, each with the importer's names.
    found = project_imports(tmp_path / "train.py", import_lines("from model import *\n"))
    assert [(item.file.relative_to(tmp_path).as_posix(), item.aliases) for item in found] == [
        ("model/__init__.py", (("", ""),)), ("model/models.py", (("Frozen", "Frozen"),)), ("model/logger.py", (("", ""),))]
    # One step only: without re-exporting it, the package's name does not reach the class.
    _project(tmp_path, {**files, "model/__init__.py": "", "train.py": "import torch\nfrom model import *\n\n"
                        "torch.manual_seed(0)\nmodel = Frozen()\n" + loop})
    assert _selected(tmp_path, monkeypatch, "RL503") == []


def test_a_training_pipeline_returned_by_a_function_of_another_module_is_reported_where_the_split_dataset_is_built(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = ("from torchvision import transforms\n\n\ndef data_aug():\n"
            "    return transforms.Compose([transforms.RandomResizedCrop(224), transforms.RandomHorizontalFlip()])\n")
    train = ("import torch\nfrom torch.utils.data import DataLoader, random_split\nfrom data import Leaves, data_aug\n\n"
             "dataset = Leaves(paths, transform=data_aug())\ntrain_ds, val_ds = random_split(dataset, [8, 2])\n"
             "train_loader = DataLoader(train_ds, shuffle=True)\nval_loader = DataLoader(val_ds)\n"
             "for x, y in train_loader:\n    model(x).sum().backward()\nwith torch.no_grad():\n"
             "    for x, y in val_loader:\n        out = model(x)\n")
    _project(tmp_path, {"data.py": data, "train.py": train})
    assert _selected(tmp_path, monkeypatch, "RL302") == [("train.py", 5, [("data.py", 5)])]


def test_a_package_s_init_that_seeds_runs_before_a_module_with_relative_imports(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    init = "import torch\n\ntorch.manual_seed(2019)\n"
    main = ("import torch\nfrom .data import loader\n\nfor x, y in loader:\n"
            "    loss = criterion(model(x), y)\n    loss.backward()\n")
    _project(tmp_path, {"pkg/__init__.py": init, "pkg/data.py": "loader = []\n", "pkg/main.py": main})
    assert _selected(tmp_path, monkeypatch, "RL502") == []
    # Run as a script (no relative import), the package's __init__ does not run first.
    _project(tmp_path, {"pkg/main.py": main.replace("from .data import loader", "from data import loader")})
    assert [place[:2] for place in _selected(tmp_path, monkeypatch, "RL502")] == [("pkg/main.py", 6)]


# Exact cache and jobs -----------------------------------------------------------------------
def test_the_cache_and_the_state_index_notice_a_change_in_an_imported_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path, {"data.py": DATA, "train.py": TRAIN})
    assert len(_findings(tmp_path, monkeypatch)) == 1
    assert len(_findings(tmp_path, monkeypatch)) == 1  # from the state index
    stat = os.stat(tmp_path / "train.py")
    (tmp_path / "data.py").write_text(DATA.replace("rescale=1. / 255, ", ""))
    os.utime(tmp_path / "train.py", ns=(stat.st_atime_ns, stat.st_mtime_ns))  # train.py itself is unchanged
    assert _findings(tmp_path, monkeypatch) == []
    (tmp_path / "data.py").write_text(DATA)
    assert len(_findings(tmp_path, monkeypatch)) == 1


def test_a_module_that_appears_later_is_followed_by_a_cached_importer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path, {"train.py": TRAIN})
    assert _findings(tmp_path, monkeypatch) == []
    (tmp_path / "data.py").write_text(DATA)
    assert _places(_findings(tmp_path, monkeypatch, "--no-cache")) == [("data.py", 3, [("train.py", 5)])]
    assert _places(_findings(tmp_path, monkeypatch)) == [("data.py", 3, [("train.py", 5)])]


def test_jobs_and_the_cache_give_the_same_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path, {"data.py": DATA, "train.py": TRAIN, "src/proj/__init__.py": "", "src/proj/model.py": MODEL,
                        "src/proj/train.py": "from .model import build_model\nfrom data import train_gen\n"
                                             "build_model(3).fit(train_gen)\n"})
    one = _findings(tmp_path, monkeypatch, "--no-cache")
    assert one == _findings(tmp_path, monkeypatch, "--no-cache", "--jobs", "2")
    assert one == _findings(tmp_path, monkeypatch, "--jobs", "2")
    assert one == _findings(tmp_path, monkeypatch, "--jobs", "2")


# Star imports of the project's own modules ---------------------------------------------------
LIBRARY = "import albumentations as A\nfrom albumentations.pytorch import ToTensorV2\nimport torch\n"
AUGMENT = "from library import *\n\ntrain_aug = A.Compose([A.ShiftScaleRotate(p=0.5), A.HorizontalFlip(), ToTensorV2()])\n"


def _codes(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> list[tuple[object, object]]:
    _, out, _ = check_in_process(["--format", "json", "--select", "RL103", *args, "augment.py"], root, monkeypatch)
    return [(f["code"], f["line"]) for f in json.loads(out)["findings"]]


def test_a_star_import_of_a_project_module_brings_the_names_its_imports_bind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``from library import *`` where library.py imports albumentations as A: A.ShiftScaleRotate in
    the importer is albumentations' (its text never names albumentations); the result depends on
    library.py, so the cache notices when its imports change."""
    _project(tmp_path, {"library.py": LIBRARY, "augment.py": AUGMENT})
    assert _codes(tmp_path, monkeypatch, "--no-cache") == [("RL103", 3)]
    assert _codes(tmp_path, monkeypatch) == [("RL103", 3)]
    assert _codes(tmp_path, monkeypatch) == [("RL103", 3)]  # from the cache
    stat = os.stat(tmp_path / "augment.py")
    (tmp_path / "library.py").write_text("import my_augmentations as A\n")
    os.utime(tmp_path / "augment.py", ns=(stat.st_atime_ns, stat.st_mtime_ns))  # augment.py itself is unchanged
    assert _codes(tmp_path, monkeypatch) == []
    assert _codes(tmp_path, monkeypatch, "--no-cache") == []


def test_a_folder_the_module_adds_to_sys_path_is_searched_from_each_folder_above_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``sys.path.append("./libs")`` before ``from library import *`` in ``src/libs/data/augment.py``:
    run from ``src/``, the program finds ``src/libs/library.py``; the linter, not knowing where it
    runs from, tries the module's folder and each one above it up to the root. An import above the
    ``sys.path`` line, and a folder outside the project, are not searched."""
    root = tmp_path / "project"
    root.mkdir()
    _project(root, {"src/libs/library.py": LIBRARY, "src/libs/data/augment.py": "import sys\nsys.path.append('./libs')\n" + AUGMENT})
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "library.py").write_text(LIBRARY)
    augment = root / "src" / "libs" / "data" / "augment.py"
    lines = import_lines(augment.read_text())
    assert [line.search for line in lines] == [("./libs",), ()]
    assert [found.file for found in project_imports(augment, lines)] == [root / "src" / "libs" / "library.py"]
    assert project_imports(augment, import_lines("from library import *\nimport sys\nsys.path.append('./libs')\n")) == ()
    assert project_imports(augment, import_lines("import sys\nsys.path.insert(0, '../../../../outside')\nfrom library import *\n")) == ()
    for cached in ("--no-cache", "", ""):
        _, out, _ = check_in_process(["--format", "json", "--select", "RL103", *([cached] if cached else []),
                                      "src/libs/data/augment.py"], root, monkeypatch)
        assert [(f["code"], f["line"]) for f in json.loads(out)["findings"]] == [("RL103", 5)]


ZOO = (
    "from torchvision import models\n\n\n"
    "def build(pretrained, requires_grad, num_class):\n"
    "    net = models.resnet50(pretrained=pretrained)\n"
    "    if requires_grad == False:\n"
    "        for param in net.parameters():\n"
    "            param.requires_grad = False\n"
    "    return net\n"
)
ZOO_TRAIN = (
    "import torch\nimport zoo\n\n"
    "model = zoo.build({arguments}, num_class=4)\n"
    "optimizer = torch.optim.Adam(model.parameters())\n"
    "for epoch in range(5):\n    model.train()\n    for x, y in loader:\n"
    "        optimizer.zero_grad()\n        criterion(model(x), y).backward()\n        optimizer.step()\n"
)


@pytest.mark.parametrize(("arguments", "expected"), [
    ("pretrained=True, requires_grad=False", [("RL503", 4)]),
    ("True, False", [("RL503", 4)]),
    ("pretrained=True, requires_grad=True", []),  # the freezing branch does not run for this call
    ("pretrained=False, requires_grad=False", []),  # no pretrained weights: nothing to keep
])
def test_a_project_function_is_read_with_the_arguments_its_importer_passes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arguments: str, expected: list[tuple[str, int]]) -> None:
    """``zoo.build(pretrained=True, requires_grad=False)``: inside zoo.py, the parameters no call
    of zoo.py sets take what the importer passes, so the resnet50 is pretrained and the freezing
    branch runs (RL503 at the importer's call)."""
    _project(tmp_path, {"zoo.py": ZOO, "train.py": ZOO_TRAIN.format(arguments=arguments)})
    _, out, _ = check_in_process(["--format", "json", "--select", "RL503", "--no-cache", "train.py"], tmp_path, monkeypatch)
    assert [(f["code"], f["line"]) for f in json.loads(out)["findings"]] == expected


ZOO_CLASS = (
    "from torch import nn\nfrom torchvision import models\n\n\nclass Net(nn.Module):\n"
    "    def __init__(self, pretrained, classes):\n        super().__init__()\n"
    "        self.backbone = models.resnet50(pretrained=pretrained)\n"
    "        for param in self.backbone.parameters():\n            param.requires_grad = False\n"
    "        self.head = nn.Linear(2048, classes)\n"
)


@pytest.mark.parametrize(("pretrained", "expected"), [("True", [("RL503", 4)]), ("False", [])])
def test_a_project_class_is_built_with_the_arguments_its_importer_passes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pretrained: str, expected: list[tuple[str, int]]) -> None:
    """``from zoo import Net as Model; Model(True, 4)``: the class's ``__init__`` takes the
    importer's positional arguments after ``self``, under the name the importer gives the class."""
    train = ZOO_TRAIN.replace("import zoo\n", "from zoo import Net as Model\n").replace(
        "zoo.build({arguments}, num_class=4)", f"Model({pretrained}, 4)")
    _project(tmp_path, {"zoo.py": ZOO_CLASS, "train.py": train})
    _, out, _ = check_in_process(["--format", "json", "--select", "RL503", "--no-cache", "train.py"], tmp_path, monkeypatch)
    assert [(f["code"], f["line"]) for f in json.loads(out)["findings"]] == expected


def test_reexported_bindings_follow_each_import_form(tmp_path: Path) -> None:
    from reviewlint.source.project import star_reexports

    _project(tmp_path, {
        "library.py": "import numpy as np\nimport os.path\nimport torch\nfrom torchvision import transforms as T\n"
                      "from . import sibling\n",
        "main.py": "from library import *\n",
    })
    lines = import_lines((tmp_path / "main.py").read_text())
    assert star_reexports(tmp_path / "main.py", lines) == {
        "library": {"np": "numpy", "os": "os", "torch": "torch", "T": "torchvision.transforms"}}
    assert star_reexports(tmp_path / "main.py", import_lines("from numpy import *\n")) == {}


CONFIG = "import os\nNORM_MEAN = [0.763, 0.546, 0.570]\nNORM_STD = (0.141, 0.153, 0.170)\nSIZE = 2 * 112\nDEVICE = os.environ.get('DEVICE')\n"
CONFIG_TRAIN = (
    "import torchvision\nfrom torchvision import transforms\nimport config\n"
    "def get_transforms(size, mean, std):\n"
    "    return transforms.Compose([transforms.Resize(size), transforms.ToTensor(), transforms.Normalize(mean, std)])\n"
    "tf = get_transforms(config.SIZE, config.NORM_MEAN, config.NORM_STD)\n"
    "model = torchvision.models.resnet50(pretrained=True)\n"
)


def test_constants_of_an_imported_settings_module_fold_where_the_importer_reads_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path, {"config.py": CONFIG, "train.py": CONFIG_TRAIN})
    assert _places(_findings(tmp_path, monkeypatch)) == [("train.py", 5, [("train.py", 7)])]
    # Statistics close to ImageNet's in the settings module: no finding (and the cache notices).
    stat = os.stat(tmp_path / "train.py")
    (tmp_path / "config.py").write_text(CONFIG.replace("0.763, 0.546, 0.570", "0.485, 0.456, 0.406").replace(
        "0.141, 0.153, 0.170", "0.229, 0.224, 0.225"))
    os.utime(tmp_path / "train.py", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert _findings(tmp_path, monkeypatch) == []
    # A name the importer binds itself shadows the module's constant.
    shadowed = CONFIG_TRAIN.replace("import config\n", "import config\nconfig = load()\n")
    _project(tmp_path, {"config.py": CONFIG, "train.py": shadowed})
    assert _findings(tmp_path, monkeypatch) == []


def test_module_constants_are_literals_assigned_once_at_the_top_level() -> None:
    from reviewlint.source.project_constants import module_constants

    text = (b"A = 1\nB = -2.5 / 5\nC = {'lr': 1e-3, 'size': (224, 224)}\nD = 1\nD = 2\nE = compute()\n"
            b"if x:\n    F = 3\nfor G in range(3):\n    pass\nG = 4\nH: int = 7\n_P = 'x'\n"
            b"I = 1\ndel I\nJ = [1]\nJ.append(2)\nK = 1\ndef K():\n    pass\nL = {(1, 2): 3}\nM = {{1: 2}: 3}\n")
    assert module_constants(text) == {"A": 1, "B": -0.5, "C": {"lr": 1e-3, "size": (224, 224)}, "H": 7, "_P": "x"}
    assert module_constants(b"def broken(:\n") == {}
    assert module_constants(b"X = " + b" + ".join([b"1"] * 5000) + b"\n") == {}  # too deep for ast: nothing, no crash
    assert module_constants(b"A = 1\ntry:\n    from local_settings import *\nexcept ImportError:\n    pass\n") == {}


def test_imported_constants_give_way_to_what_the_importer_binds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A function's own mean/std, a parameter named like the module, and an override of the
    # module's setting are the importer's, not the settings module's.
    config = "MEAN = (0.5, 0.5, 0.5)\nSTD = (0.5, 0.5, 0.5)\nEPOCHS = 300\n"
    train = (
        "import torchvision\nfrom torchvision import transforms\nfrom config import *\nimport config\n"
        "def get_transforms(df):\n    MEAN, STD = compute_stats(df)\n    return transforms.Normalize(MEAN, STD)\n"
        "model = torchvision.models.resnet50(pretrained=True)\n"
    )
    _project(tmp_path, {"config.py": config, "train.py": train})
    assert _findings(tmp_path, monkeypatch) == []
    from reviewlint.analysis.scan import build_model
    import libcst as cst

    model = build_model(cst.parse_module("import config\nconfig.EPOCHS = 5\ndef f(config):\n    return config.MEAN\n"),
                        imported_constants={"config.EPOCHS": 300, "config.MEAN": (0.5, 0.5, 0.5)})
    assert model.value(cst.parse_expression("config.EPOCHS")) is UNKNOWN
    function = next(node for node in model.module.body if isinstance(node, cst.FunctionDef))
    read = function.body.body[0].body[0].value  # type: ignore[attr-defined]
    assert model.value_in(read, Scope("f", "function", "")) is UNKNOWN


def test_a_module_that_cannot_be_read_for_constants_does_not_stop_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path, {"config.py": "BAD = {{1: 2}: 3}\nX = " + " + ".join(["1"] * 5000) + "\n", "train.py": CONFIG_TRAIN})
    code, out, _ = check_in_process(["--format", "json", "--select", "RL201", "."], tmp_path, monkeypatch)
    assert code in (0, 1) and json.loads(out)["errors"] == []


def test_a_scheduler_stepped_by_a_training_function_of_another_module_is_counted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = ("import torch\n\n\ndef train_model(model, optimizer, scheduler, num_epochs=25):\n"
              "    for epoch in range(num_epochs):\n        for x, y in loader:\n"
              "            criterion(model(x), y).backward()\n            optimizer.step()\n        scheduler.step()\n")
    train = ("import torch\nfrom torch.optim import lr_scheduler\nfrom engine import train_model\n\n"
             "optimizer = torch.optim.SGD(model.parameters(), lr=0.01)\n"
             "sched = lr_scheduler.StepLR(optimizer, step_size=7, gamma=0.1)\n"
             "params = {'model': model, 'optimizer': optimizer, 'scheduler': sched, 'num_epochs': 100}\n"
             "model = train_model(**params)\n")
    files = {"engine.py": engine, "train.py": train}
    _project(tmp_path, files)
    # 99 steps of 0.1 every 7 epochs: the finding lands at gamma, the step as a related location.
    assert _selected(tmp_path, monkeypatch, "RL504") == [("train.py", 6, [("engine.py", 9)])]
    # Five epochs (positional arguments): 0.1 ** 0 of the rate left, nothing to report.
    short = train.replace("model = train_model(**params)", "model = train_model(model, optimizer, sched, 5)")
    _project(tmp_path, {**files, "train.py": short})
    assert _selected(tmp_path, monkeypatch, "RL504") == []
    # The parameter's default (25 epochs, 0.1 ** 3) is what a call that passes no count runs.
    default = train.replace("model = train_model(**params)", "model = train_model(model, optimizer, sched)")
    _project(tmp_path, {**files, "train.py": default})
    assert _selected(tmp_path, monkeypatch, "RL504") == [("train.py", 6, [("engine.py", 9)])]


def test_a_random_validation_pipeline_chosen_in_another_module_is_reported_at_the_call(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    helper = ("import albumentations as A\n\n\ndef get_transforms(data):\n    if data == 'train':\n"
              "        return A.Compose([A.RandomResizedCrop(size=(64, 64)), A.HorizontalFlip(p=0.5)])\n"
              "    elif data == 'valid':\n        return A.Compose([A.RandomResizedCrop(size=(64, 64), scale=(0.85, 1.0))])\n"
              "    return A.Compose([A.Resize(64, 64)])\n")
    train = ("import helper\nfrom torch.utils.data import DataLoader\n\n"
             "train_set = LeafDataset(train_df, transform=helper.get_transforms(data='train'))\n"
             "val_set = LeafDataset(valid_df, transform=helper.get_transforms(data='valid'))\n"
             "for x, y in DataLoader(train_set, shuffle=True):\n    criterion(model(x), y).backward()\n"
             "for x, y in DataLoader(val_set):\n    model(x)\n")
    files = {"helper.py": helper, "train.py": train}
    _project(tmp_path, files)
    assert _selected(tmp_path, monkeypatch, "RL302") == [("train.py", 5, [("helper.py", 8)])]
    # The test side of the same function resizes only.
    tested = train.replace("get_transforms(data='valid')", "get_transforms(data='test')")
    _project(tmp_path, {**files, "train.py": tested})
    assert _selected(tmp_path, monkeypatch, "RL302") == []


def test_a_training_helper_that_imports_nothing_makes_its_caller_a_training_script(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    helper = ("def train(model, loader, criterion, optimizer):\n    for x, y in loader:\n"
              "        loss = criterion(model(x), y)\n        optimizer.zero_grad()\n        loss.backward()\n"
              "        optimizer.step()\n")
    main = "import torch\nfrom utils.train import train\n\nfor epoch in range(3):\n    train(model, loader, criterion, optimizer)\n"
    files = {"utils/train.py": helper, "main.py": main}
    _project(tmp_path, files)
    assert _selected(tmp_path, monkeypatch, "RL502") == [("main.py", 5, [])]
    # A backward() of another framework's helper is not PyTorch training.
    mxnet = "import mxnet\n" + helper
    _project(tmp_path, {**files, "utils/train.py": mxnet})
    assert _selected(tmp_path, monkeypatch, "RL502") == []


def test_a_project_class_whose_method_trains_makes_its_caller_a_training_script(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trainer = ("import torch\nclass Trainer:\n    def _epoch(self):\n        for x, y in self.loader:\n"
               "            self.criterion(self.model(x), y).backward()\n            self.optimizer.step()\n"
               "    def train(self):\n        for epoch in range(3):\n            self._epoch()\n")
    main = "from train import Trainer\n\ndef main():\n    Trainer().train()\n\nmain()\n"
    files = {"src/train.py": trainer, "main.py": main}
    _project(tmp_path, files)
    assert _selected(tmp_path, monkeypatch, "RL502") == [("main.py", 4, [])]
    # Through a name bound to an instance; and seeded: nothing to report.
    bound = "from train import Trainer\ntrainer = Trainer()\ntrainer.train()\n"
    _project(tmp_path, {**files, "main.py": bound})
    assert _selected(tmp_path, monkeypatch, "RL502") == [("main.py", 3, [])]
    _project(tmp_path, {**files, "main.py": "import torch\ntorch.manual_seed(0)\n" + bound})
    assert _selected(tmp_path, monkeypatch, "RL502") == []
