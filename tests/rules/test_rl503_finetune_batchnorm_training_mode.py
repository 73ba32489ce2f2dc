"""RL503 (finetune-batchnorm-training-mode) beyond its examples."""

from __future__ import annotations

from tests.conftest import findings_of


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
