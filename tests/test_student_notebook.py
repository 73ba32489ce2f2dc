"""The student's notebook (``fixtures/student_notebook.py`` and ``.ipynb``): the rules find what the
review found, in the script and by cell in the notebook; its corrected version is clean."""

from __future__ import annotations

from tests.conftest import REPO, lint_file, write_notebook

STUDENT = REPO / "fixtures" / "student_notebook.py"
STUDENT_NB = REPO / "fixtures" / "student_notebook.ipynb"
CORRECTED = REPO / "fixtures" / "corrected" / "corrected_notebook.py"
DATA_HYGIENE_CODES = ("RL103", "RL302", "RL303", "RL304", "RL305", "RL402")
TRAINING_CODES = ("RL501", "RL502", "RL503", "RL504", "RL505", "RL506", "RL507")


def test_student_notebook_findings():
    findings = lint_file(STUDENT, *DATA_HYGIENE_CODES)
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


def test_student_notebook_findings_match_the_review():
    found = sorted((f.code, f.location.line) for f in lint_file(STUDENT, *TRAINING_CODES))
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
    found = sorted((f.code, f.location.cell, f.location.line) for f in lint_file(STUDENT_NB, *TRAINING_CODES))
    assert found == [
        ("RL501", 26, 1), ("RL501", 29, 6), ("RL502", 22, 2), ("RL503", 18, 4), ("RL504", 19, 3), ("RL505", 26, 1)
    ]


def test_student_notebook_early_stopping_is_covered_by_the_reloaded_checkpoint():
    # EarlyStopping has no restore_best_weights, but every fit reloads best_model.hdf5 afterwards.
    assert lint_file(STUDENT, "RL507") == []


def test_corrected_notebook_is_clean():
    assert lint_file(CORRECTED, *TRAINING_CODES) == []
