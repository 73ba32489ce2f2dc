"""Extra cases for RL501–RL507 (Keras training): the facts they rely on, the student notebook, notebooks."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from reviewlint.analysis.extract import extract
from tests.conftest import findings_of, lint_file, write_notebook

REPO = Path(__file__).resolve().parent.parent
STUDENT = REPO / "fixtures" / "student_notebook.py"
STUDENT_NB = REPO / "fixtures" / "student_notebook.ipynb"
CORRECTED = REPO / "fixtures" / "corrected" / "corrected_notebook.py"
CODES = ("RL501", "RL502", "RL503", "RL504", "RL505", "RL506", "RL507")


# Facts -------------------------------------------------------------------------------------------
def test_assignment_and_call_indexes_share_one_order():
    facts = extract(cst.parse_module(
        "model.compile('adam', 'mse')\n"      # call 0
        "base.trainable = True\n"             # before call 1
        "model.fit(x, y, epochs=2)\n"         # call 1
        "layer.trainable = g()\n"             # before call 2 (g() is call 2)
    ))
    compile_call, fit_call, g_call = facts.model.calls
    first, second = facts.model.attribute_assignments
    assert compile_call.index < first.index <= fit_call.index  # compile, then the change, then fit
    assert fit_call.index < second.index <= g_call.index


def test_value_at_reads_module_bindings_in_statement_order():
    facts = extract(cst.parse_module(
        "EPOCHS = 10\nmodel.fit(x, epochs=EPOCHS)\nEPOCHS = 5\nmodel.fit(x, epochs=EPOCHS)\n"
        "if FAST:\n    EPOCHS = 1\nmodel.fit(x, epochs=EPOCHS)\n"
    ))
    assert [fit.epochs for fit in facts.fits] == [10, 5, facts.fits[2].epochs]
    assert not isinstance(facts.fits[2].epochs, int)  # bound under `if`: unknown


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


def test_attribute_assignment_records_enclosing_conditions():
    facts = extract(cst.parse_module(
        "for layer in base.layers:\n    if isinstance(layer, BN):\n        pass\n    else:\n        layer.trainable = True\n"
    ))
    (assignment,) = facts.model.attribute_assignments
    ((test, in_else),) = assignment.conditions
    assert facts.model.module.code_for_node(test) == "isinstance(layer, BN)" and in_else


# The student notebook and its corrected version --------------------------------------------------
def test_student_notebook_findings_match_the_review():
    found = sorted((f.code, f.location.line) for f in lint_file(STUDENT, *CODES))
    assert found == [
        ("RL501", 279),  # P12: bare model.fit (Step 2)
        ("RL501", 306),  # P12: bare model.fit (Step 3)
        ("RL502", 248),  # P12: never seeded, at the first fit
        ("RL503", 215),  # P11: x = base_model(inputs), later unfrozen
        ("RL504", 226),  # P13: decay_steps=10 with 10 + 10 epochs on the same optimizer
        ("RL505", 279),  # Step 2 fits after unfreezing without compile()
    ]


def test_student_notebook_related_locations():
    findings = {f.code: f for f in lint_file(STUDENT, "RL503", "RL505")}
    assert [(r.location.line, r.message) for r in findings["RL503"].related] == [
        (268, "unfrozen here"), (301, "unfrozen here")
    ]
    assert [r.location.line for r in findings["RL505"].related] == [268, 244]


def test_student_ipynb_gives_the_same_findings_by_cell():
    found = sorted((f.code, f.location.cell, f.location.line) for f in lint_file(STUDENT_NB, *CODES))
    assert found == [
        ("RL501", 26, 1), ("RL501", 29, 6), ("RL502", 22, 2), ("RL503", 18, 4), ("RL504", 19, 3), ("RL505", 26, 1)
    ]


def test_student_notebook_early_stopping_is_covered_by_the_reloaded_checkpoint():
    # EarlyStopping has no restore_best_weights, but every fit reloads best_model.hdf5 afterwards.
    assert lint_file(STUDENT, "RL507") == []


def test_corrected_notebook_is_clean():
    assert lint_file(CORRECTED, *CODES) == []


# Notebooks and rule details ----------------------------------------------------------------------
def test_notebook_epochs_per_stage_feed_the_schedule(tmp_path):
    path = write_notebook(
        tmp_path,
        "import tensorflow as tf\nEPOCHS = 3\nSTEPS = 200\n",
        "sched = tf.keras.optimizers.schedules.ExponentialDecay(1e-3, decay_steps=50, decay_rate=0.5)\n"
        "model.compile(optimizer=tf.keras.optimizers.Adam(sched), loss='mse')\n",
        "h1 = model.fit(ds, epochs=EPOCHS, steps_per_epoch=STEPS)\n",
        "EPOCHS = 1\nh2 = model.fit(ds, epochs=EPOCHS, steps_per_epoch=STEPS)\n",
    )
    (finding,) = lint_file(path, "RL504")
    assert "after the planned 4 epochs × 200 steps (800 steps, 2 fit() calls)" in finding.message
    assert finding.location.cell == 2


def test_schedule_recompiled_with_a_new_optimizer_stops_counting():
    text = (
        "import keras\nsched = keras.optimizers.schedules.ExponentialDecay(1e-3, 100, 0.5)\n"
        "model.compile(keras.optimizers.Adam(sched), 'mse')\nmodel.fit(x, epochs=2, steps_per_epoch=100)\n"
        "model.compile(keras.optimizers.Adam(1e-5), 'mse')\nmodel.fit(x, epochs=50, steps_per_epoch=100)\n"
    )
    assert findings_of("RL504", text) == []  # 200 steps: 0.25 of the initial rate


@pytest.mark.parametrize(
    ("option", "expected"),
    [({"min_steps_per_epoch": 10}, 0), ({"min_steps_per_epoch": 100}, 1)],
)
def test_min_steps_per_epoch_is_the_assumed_lower_bound(option, expected):
    text = "import keras\nkeras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)"
    assert len(findings_of("RL504", text, options=option)) == expected


def test_seeding_through_a_helper_called_from_main_counts():
    text = (
        "import random\nimport numpy as np\nimport tensorflow as tf\n"
        "def seed_all(s):\n    random.seed(s)\n    np.random.seed(s)\n    tf.random.set_seed(s)\n"
        "def main():\n    seed_all(0)\n    model = tf.keras.Sequential()\n    model.fit(x, y, epochs=5)\n"
        "if __name__ == '__main__':\n    main()\n"
    )
    assert findings_of("RL502", text) == []


def test_fit_inside_a_model_class_is_not_a_training_run():
    text = "import keras\nclass Wrapper(keras.Model):\n    def train(self, x):\n        self.fit(x, epochs=3)\n"
    assert findings_of("RL501", text) == []
    assert findings_of("RL502", text) == []


def test_unfreeze_inside_a_function_with_bn_kept_frozen():
    text = (
        "import keras\nfrom keras import layers\n"
        "inputs = keras.Input((224, 224, 3))\n"
        "base = keras.applications.EfficientNetB0(include_top=False, input_tensor=inputs, weights='imagenet')\n"
        "base.trainable = False\nx = layers.GlobalAveragePooling2D()(base.output)\n"
        "model = keras.Model(inputs, layers.Dense(3, activation='softmax')(x))\n"
        "def unfreeze_model(model):\n    for layer in model.layers[-20:]:\n"
        "        if not isinstance(layer, layers.BatchNormalization):\n            layer.trainable = True\n"
        "    model.compile(optimizer='adam', loss='categorical_crossentropy')\n"
        "unfreeze_model(model)\n"
    )
    assert findings_of("RL503", text) == []
    assert findings_of("RL505", text) == []
    assert findings_of("RL506", text) == []


def test_softmax_output_with_logits_loss_points_at_both():
    text = (
        "from tensorflow import keras\noutputs = keras.layers.Dense(3, activation='softmax')(x)\n"
        "model = keras.Model(inputs, outputs)\n"
        "model.compile(optimizer='adam', loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))\n"
    )
    (finding,) = findings_of("RL506", text)
    assert finding.location.line == 4
    assert [(r.location.line, r.message) for r in finding.related] == [(2, "output layer with softmax")]
