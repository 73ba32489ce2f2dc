"""Domain facts extracted from the code: fit() calls (epochs, callbacks, evidence that a model is
Keras) and the predict() loops of test-time augmentation."""

from __future__ import annotations

import libcst as cst

from reviewlint.analysis.extract import extract


def test_fit_facts_keras_evidence_and_other_estimators():
    facts = extract(cst.parse_module(
        "import lightgbm as lgb\nimport xgboost as xgb\nfrom sklearn.svm import SVC\nimport keras\n"
        "lgb.LGBMClassifier().fit(X, y, callbacks=[lgb.early_stopping(10)])\n"
        "clf = SVC()\nclf.fit(X, y)\n"
        "booster = xgb.XGBClassifier()\nbooster.fit(X, y, eval_set=[(Xv, yv)])\n"
        "net = keras.Sequential()\nnet.fit(X, y)\n"
        "other.fit(X, y, validation_data=(Xv, yv))\n"
    ))
    assert [fit.receiver for fit in facts.fits] == ["net", "other"]
    assert facts.fits[0].evidence == "net is built by keras.Sequential"
    assert facts.fits[1].evidence == "it passes validation_data="


def test_value_at_reads_module_bindings_in_statement_order():
    facts = extract(cst.parse_module(
        "EPOCHS = 10\nmodel.fit(x, epochs=EPOCHS)\nEPOCHS = 5\nmodel.fit(x, epochs=EPOCHS)\n"
        "if FAST:\n    EPOCHS = 1\nmodel.fit(x, epochs=EPOCHS)\n"
    ))
    assert [fit.epochs for fit in facts.fits] == [10, 5, facts.fits[2].epochs]
    assert not isinstance(facts.fits[2].epochs, int)  # bound under `if`: unknown


def test_fit_callbacks_follow_names_appends_and_local_functions():
    facts = extract(cst.parse_module(
        "import keras\n"
        "def make_callbacks(stage):\n    return [keras.callbacks.CSVLogger(stage)]\n"
        "cbs = [keras.callbacks.EarlyStopping()]\ncbs.append(keras.callbacks.TensorBoard('logs'))\n"
        "model.fit(x, epochs=3, callbacks=cbs)\nmodel.fit(x, epochs=3, callbacks=make_callbacks('a') + cbs)\n"
    ))
    first, second = facts.fits
    assert [c.qualname for c in first.callbacks] == ["keras.callbacks.EarlyStopping", "keras.callbacks.TensorBoard"]
    assert [c.qualname for c in second.callbacks] == [
        "keras.callbacks.CSVLogger", "keras.callbacks.EarlyStopping", "keras.callbacks.TensorBoard"
    ]
    assert first.statement and second.statement


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


def test_an_epoch_loop_that_calls_a_scheduler_with_the_validation_loss_is_no_data_loop():
    facts = extract(cst.parse_module(
        "import torch\n"
        "def validate(loader, model, epoch):\n"
        "    for x, y in loader:\n"
        "        out = model(x)\n"
        "    return 0.0\n"
        "for epoch in range(3):\n"
        "    val_loss = validate(val_loader, model, epoch)\n"
        "    lr_scheduler(val_loss)\n"
        "    early_stopping(val_loss)\n"
    ))
    loops = [cst.Module([]).code_for_node(loop.node).split(":")[0] for loop in facts.data_loops]
    assert loops == ["for x, y in loader"]
    assert not facts.predict_loops


def test_a_normalize_is_the_nearest_known_convention_or_statistics_of_its_own():
    cases = {
        "[0.485, 0.456, 0.406], [0.229, 0.224, 0.225]": "torch",
        "[0.45, 0.45, 0.45], [0.225, 0.225, 0.225]": "torch",  # ImageNet's, rounded
        "(0.5, 0.5, 0.5), (0.5, 0.5, 0.5)": "tf",
        "[0.481, 0.458, 0.408], [0.269, 0.261, 0.276]": "clip",
        "[0.388, 0.394, 0.401], [0.293, 0.285, 0.292]": "custom",  # between ImageNet's and CLIP's, near neither
        "[0.763, 0.546, 0.570], [0.141, 0.153, 0.170]": "custom",  # a skin-lesion dataset's
    }
    for arguments, produces in cases.items():
        facts = extract(cst.parse_module(f"from torchvision import transforms\nt = transforms.Normalize({arguments})\n"))
        assert [n.produces for n in facts.normalizations] == [produces], arguments
    facts = extract(cst.parse_module("from torchvision import transforms\nt = transforms.Normalize([123.7, 116.3, 103.5], [58.4, 57.1, 57.4])\n"))
    assert facts.normalizations == ()  # statistics of 0-255 pixels: no convention read


def test_masks_and_labels_scaled_by_255_are_no_image_normalization():
    facts = extract(cst.parse_module(
        "import numpy as np\n"
        "image = res['image'].astype(np.float32) / 255.\n"
        "mask = res['mask'].astype(np.float32) / 255.\n"
        "target = gt_masks / 255\n"
        "seg = segmentation_map * (1 / 255)\n"
        "masked_image = masked / 255\n"
    ))
    assert [n.description for n in facts.normalizations] == [
        "res['image'].astype(np.float32) / 255.", "masked / 255"]


def test_subtracting_a_mean_and_dividing_by_a_std_is_read_as_their_convention():
    facts = extract(cst.parse_module(
        "import numpy as np\n"
        "def process_image(im):\n"
        "    x = np.array(im) / 255\n"
        "    x = (x - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]\n"
        "    return x\n"
        "MEAN = np.array([0.763, 0.546, 0.570])\n"
        "def standardize(x):\n"
        "    return (x - MEAN) / np.array([0.141, 0.153, 0.170])\n"
        "y = (pixels - 127.5) / 127.5\n"
        "left = (width - 224) / 2\n"
        "weeks = (df['Weeks'].values[0] - 30) / 30\n"
    ))
    assert [(n.description, n.produces) for n in facts.normalizations] == [
        ("(x - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]", "torch"),  # the / 255 before it is part of it
        ("(x - MEAN) / np.array([0.141, 0.153, 0.170])", "custom"),
        ("(pixels - 127.5) / 127.5", "tf"),
    ]


def test_a_division_by_255_then_mean_and_std_at_module_level_is_one_normalization():
    facts = extract(cst.parse_module(
        "import numpy as np\n"
        "mean = np.array([0.485, 0.456, 0.406])\nstd = np.array([0.229, 0.224, 0.225])\n"
        "img = load(path) / 255.0\n"
        "img = (img - mean) / std\n"
        "other = frames / 255.0\n"
    ))
    assert [(n.description, n.produces) for n in facts.normalizations] == [
        ("other = frames / 255.0".split(" = ")[1], "unit"), ("(img - mean) / std", "torch")]
