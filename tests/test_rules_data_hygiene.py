"""Extra cases for RL103, RL302–RL305 and RL402: Kaggle-style scripts, notebooks, the new facts."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
from reviewlint_rules.redundant_tuple_parens import ParenthesizedTuples

from reviewlint.analysis.extract import extract
from reviewlint.analysis.semantic import Scope, Var
from reviewlint.knowledge.api_changes import argument_changes, class_change
from reviewlint.lint.registry import find_rule
from tests.conftest import findings_of, lint_file, write_notebook

REPO = Path(__file__).resolve().parent.parent
STUDENT = REPO / "fixtures" / "student_notebook.py"
CODES = ("RL103", "RL302", "RL303", "RL304", "RL305", "RL402")


# Facts -------------------------------------------------------------------------------------------
def test_predict_loop_steps_fold_constants_and_know_repetition():
    facts = extract(cst.parse_module(
        "TTA = 2 + 3\n"
        "a = [model.predict(x) for _ in range(TTA)]\n"
        "b = [model.predict(x[i]) for i in range(10)]\n"
        "for k in range(1, 7, 2):\n    model.load_weights(k)\n    c = model.predict(x)\n"
        "for batch in ds:\n    d = model.predict(batch)\n"
    ))
    loops = {found.call.assigned_to[0]: found for found in facts.predict_loops}
    assert (loops["a"].steps, loops["a"].repeats) == (5, True)
    assert (loops["b"].steps, loops["b"].repeats) == (10, False)
    assert (loops["c"].steps, loops["c"].repeats) == (3, False)
    assert (loops["d"].steps, loops["d"].repeats) == (None, False)


def test_parenthesized_tuples_subscripts_and_attribute_reads_are_collected():
    hooks = ParenthesizedTuples()
    facts = extract(cst.parse_module(
        "def f():\n    gen = g()\n    print(gen.filenames)\n    return (a, b)\n"
        "(c, d) = f()\nfor (i, x) in y:\n    pass\nsub['label'] = preds\n"
    ), (hooks,))
    assert sorted(context for _, context in hooks.found) == ["assign", "for", "return"]
    assert [s.target for s in facts.model.subscript_assignments] == ["sub"]
    assert Var("gen.filenames", Scope("f", "function")) in facts.model.attribute_reads


def test_api_change_table():
    assert class_change("albumentations.Flip") is not None
    assert class_change("albumentations.HorizontalFlip") is None
    assert set(argument_changes("albumentations.Affine")) >= {"cval", "cval_mask", "mode", "always_apply"}
    assert "mode" not in argument_changes("albumentations.OpticalDistortion")  # still a parameter there
    assert argument_changes("keras.layers.RandomFlip") == {}


# The student's notebook (review points P2, P4, P7 and the submission order) -----------------------
def test_student_notebook_findings():
    findings = lint_file(STUDENT, *CODES)
    by_code: dict[str, int] = {}
    for finding in findings:
        by_code[finding.code] = by_code.get(finding.code, 0) + 1
    assert by_code["RL402"] == 3  # return(...) and two (a, b, c) = building_generators()
    assert by_code["RL302"] == 1  # train_datagen serves subset="validation"
    assert by_code["RL303"] == 1  # the TTA generator shuffles; predictions go to sample_submission
    assert by_code["RL305"] == 1  # 5 TTA steps of rotate_limit=40
    assert "RL304" not in by_code
    flips = [f for f in findings if f.code == "RL103" and f.message.startswith("Flip ")]
    assert len(flips) == 2


def test_student_notebook_as_ipynb_reports_cells(tmp_path):
    path = write_notebook(
        tmp_path,
        "import albumentations\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\n",
        "aug = albumentations.Compose([albumentations.Flip(p=0.5)])\n",
        "def building_generators():\n    return(train_generator, test_generator)\n",
        "%matplotlib inline\n(train_generator, test_generator) = building_generators()\n",
    )
    findings = lint_file(path, "RL103", "RL402")
    places = sorted((f.code, f.location.cell, f.location.line) for f in findings)
    assert places == [("RL103", 2, 1), ("RL402", 3, 2), ("RL402", 4, 2)]


def test_notebook_tta_over_cells(tmp_path):
    path = write_notebook(
        tmp_path,
        "import numpy as np\nfrom tensorflow import keras\nfrom tensorflow.keras import layers\n",
        "model = keras.Sequential([layers.RandomFlip('horizontal'), layers.RandomRotation(0.2), base])\n",
        "model.fit(train_ds, epochs=3)\n",
        "TTA_STEPS = 4\npreds = np.mean([model.predict(test_ds) for _ in range(TTA_STEPS)], axis=0)\n",
    )
    findings = lint_file(path, "RL304", "RL305")
    assert [(f.code, f.location.cell) for f in findings] == [("RL304", 4)]


# RL302 ------------------------------------------------------------------------------------------------
def test_rl302_augmenting_generator_evaluated_on_test_directory():
    code = (
        "from keras.preprocessing.image import ImageDataGenerator\n"
        "datagen = ImageDataGenerator(rescale=1/255, horizontal_flip=True, zoom_range=0.3)\n"
        "train = datagen.flow_from_directory('train')\nmodel.fit(train, epochs=5)\n"
        "test = datagen.flow_from_directory('test', shuffle=False)\nmodel.evaluate(test)\n"
    )
    [finding] = findings_of("RL302", code)
    assert finding.message.startswith("evaluate() data test goes through the training augmentation 'datagen'")


def test_rl302_pytorch_style_separate_pipelines_are_clean():
    code = (
        "import albumentations as A\n"
        "def get_train_transforms():\n    return A.Compose([A.HorizontalFlip(), A.ShiftScaleRotate()])\n"
        "def get_valid_transforms():\n    return A.Compose([A.Resize(256, 256), A.Normalize()])\n"
        "train_ds = Ds(train_df, transforms=get_train_transforms())\n"
        "valid_ds = Ds(valid_df, transforms=get_valid_transforms())\n"
        "model.fit(train_ds, validation_data=valid_ds)\n"
    )
    assert findings_of("RL302", code) == []


def test_rl302_one_builder_for_both_pipelines_is_not_guessed():
    # create_augmentation_pipeline(True/False) returns either pipeline: which one validates is unknown
    code = (
        "import albumentations as A\n"
        "def create_augmentation_pipeline(is_training=True):\n"
        "    if is_training:\n        return A.Compose([A.HorizontalFlip(), A.RandomBrightnessContrast()])\n"
        "    return A.Compose([A.Resize(128, 128), A.Normalize()])\n"
        "train_t = create_augmentation_pipeline(True)\nval_t = create_augmentation_pipeline(False)\n"
        "train_ds = ds_train.map(lambda x, y: aug(x, y, train_t))\nval_ds = ds_val.map(lambda x, y: aug(x, y, val_t))\n"
        "model.fit(train_ds, validation_data=val_ds)\n"
    )
    assert findings_of("RL302", code) == []


# RL303 ------------------------------------------------------------------------------------------------
def test_rl303_rebinding_reports_only_the_generator_predicted():
    code = (
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "g = ImageDataGenerator(rescale=1/255)\n"
        "test_gen = g.flow_from_dataframe(df)\n"
        "test_gen = g.flow_from_dataframe(df, shuffle=False)\n"
        "preds = model.predict(test_gen)\ndf['label'] = preds.argmax(1)\n"
    )
    assert findings_of("RL303", code) == []


def test_rl303_shuffling_dataset_built_in_a_helper():
    code = (
        "import tensorflow as tf\n"
        "def make_ds(files, labels):\n"
        "    ds = tf.data.Dataset.from_tensor_slices((files, labels))\n"
        "    ds = ds.map(load).shuffle(1000).batch(32)\n"
        "    return ds\n"
        "test_ds = make_ds(test_files, dummy)\npreds = model.predict(test_ds)\nsub['label'] = preds.argmax(1)\n"
    )
    [finding] = findings_of("RL303", code)
    assert "reshuffles the data on every pass" in finding.message


# RL304 / RL305 ----------------------------------------------------------------------------------------
def test_rl304_loop_calling_an_augmenting_helper_is_clean():
    code = (
        "import tensorflow as tf\nfrom tensorflow.keras import layers\n"
        "model = tf.keras.Sequential([layers.RandomFlip(), base])\n"
        "def tta(x):\n    return tf.image.random_flip_left_right(x)\n"
        "preds = [model.predict(tta(x_test)) for _ in range(4)]\n"
    )
    assert findings_of("RL304", code) == []


def test_rl305_kfold_ensemble_is_not_tta():
    code = (
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "tta_gen = ImageDataGenerator(rotation_range=40).flow(x_test, shuffle=False)\n"
        "for fold in range(5):\n    model = build_model()\n    model.load_weights(f'fold{fold}.h5')\n"
        "    preds.append(model.predict(tta_gen))\n"
    )
    assert findings_of("RL305", code) == []


def test_rl305_option_names_use_underscores():
    rule = find_rule("RL305")
    assert {info.name for info in rule.option_infos} == {"min_steps", "strong_rotation", "strong_shift_scale", "strong_count"}


# RL402 ------------------------------------------------------------------------------------------------
def test_rl402_nested_unpacking_keeps_inner_parentheses():
    [finding] = findings_of("RL402", "((text_width, text_height), _) = cv2.getTextSize(text, font, 0.35, 1)")
    assert finding.hint == "write (text_width, text_height), _"
    assert findings_of("RL402", "(x_train, y_train), (x_test, y_test) = mnist.load_data()") == []
