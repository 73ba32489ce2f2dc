"""RL303 (shuffled-prediction-order) beyond its examples."""

from __future__ import annotations

from tests.conftest import findings_of


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
