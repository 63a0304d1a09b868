"""The simple model exported as arrays predicts what the fitted sklearn model predicts."""

from __future__ import annotations

import numpy as np
import pytest

from zapml.errors import ArtifactError
from zapml.runtime import simple_model
from zapml.runtime.simple_export import SimplePredictor, export_simple_model


def _data(num_classes: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.arange(60) % num_classes
    centers = rng.normal(size=(num_classes, 7)) * 2.0
    x = centers[y] + rng.normal(size=(60, 7))
    test = rng.normal(size=(25, 7)) * 2.0
    return x, y, test


@pytest.mark.parametrize("kind", ["LR", "SVC", "NuSVC", "RF"])
@pytest.mark.parametrize("num_classes", [2, 4])
def test_exported_model_reproduces_sklearn_probabilities(kind, num_classes):
    x, y, test = _data(num_classes)
    total = num_classes + 1  # one label never seen by the sample: its column stays 0
    fitted = simple_model.fit_model(kind, x, y, seed=3)
    expected = simple_model.predict_fitted(fitted, kind, test, total)
    arrays, header = export_simple_model(kind, fitted)
    got = SimplePredictor(arrays, header, total).predict_proba(test)
    assert got.shape == (25, total)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)
    assert np.array_equal(got.argmax(1), expected.argmax(1))
    assert np.all(got[:, -1] == 0.0)


def test_predictor_refuses_classes_outside_the_labels():
    x, y, _ = _data(3)
    arrays, header = export_simple_model("LR", simple_model.fit_model("LR", x, y, seed=0))
    with pytest.raises(ArtifactError, match="exceed"):
        SimplePredictor(arrays, header, num_classes=2)
    with pytest.raises(ArtifactError, match="kind"):
        SimplePredictor(arrays, {"kind": "KNN"}, num_classes=3)


def test_predictor_refuses_missing_arrays_and_bad_gamma():
    x, y, _ = _data(3)
    arrays, header = export_simple_model("SVC", simple_model.fit_model("SVC", x, y, seed=0))
    with pytest.raises(ArtifactError, match="gamma"):
        SimplePredictor(arrays, {**header, "gamma": -1.0}, num_classes=3)
    del arrays["support_vectors"]
    with pytest.raises(ArtifactError, match="support_vectors"):
        SimplePredictor(arrays, header, num_classes=3)
