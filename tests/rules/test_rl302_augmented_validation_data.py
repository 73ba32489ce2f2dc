"""RL302 (augmented-validation-data) beyond its examples."""

from __future__ import annotations

from tests.conftest import findings_of


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
