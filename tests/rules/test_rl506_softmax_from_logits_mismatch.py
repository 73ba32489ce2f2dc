"""RL506 (softmax-from-logits-mismatch) beyond its examples."""

from __future__ import annotations

from tests.conftest import findings_of


def test_softmax_output_with_logits_loss_points_at_both():
    text = (
        "from tensorflow import keras\noutputs = keras.layers.Dense(3, activation='softmax')(x)\n"
        "model = keras.Model(inputs, outputs)\n"
        "model.compile(optimizer='adam', loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))\n"
    )
    (finding,) = findings_of("RL506", text)
    assert finding.location.line == 4
    assert [(r.location.line, r.message) for r in finding.related] == [(2, "output layer with softmax")]
