"""What ``fit`` writes to ``output_dir`` and ``load_model`` reads back (no pickle anywhere).

- ``model.safetensors``: the weights of the final predictor: the network that made the last
  prediction (best-validation checkpoint), or the best/last weights when there was no test set;
  when the simple model made the final predictions, the backbone its features came from;
- ``simple_model.safetensors``: the simple model as arrays (``simple_export``), only when it made
  the final predictions;
- ``config.json``: pipeline, zoo entry, timm architecture, classes, input size, mean/std,
  zapml version, and which model made the saved predictions (``model_config``);
- ``pipeline.yaml``: the pipeline that ran;
- ``labels.json``: class names in label order;
- ``predictions.csv``: test row, predicted class name, one probability column per class;
- ``learning_curve.json`` / ``learning_curve.png``: the anytime curve and its ALC;
- ``result.json``: the ``FitResult``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

import zapml
from zapml.data.dataset import Dataset
from zapml.errors import ArtifactError
from zapml.runtime.layout import apply_layout
from zapml.runtime.model_config import CONFIG_FILE, FORMAT_VERSION, ModelConfig
from zapml.runtime.predictor import predict_proba
from zapml.runtime.preprocess import Normalizer, resize_images
from zapml.runtime.result import FitResult
from zapml.runtime.simple_export import Arrays, SimplePredictor

MODEL_FILE = "model.safetensors"
SIMPLE_MODEL_FILE = "simple_model.safetensors"
LABELS_FILE = "labels.json"
PIPELINE_FILE = "pipeline.yaml"
PREDICTIONS_FILE = "predictions.csv"
CURVE_FILE = "learning_curve.json"
CURVE_PLOT = "learning_curve.png"
RESULT_FILE = "result.json"
__all__ = ["CONFIG_FILE", "FORMAT_VERSION", "ModelConfig", "TrainedModel", "load_model"]


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def save_model(
    output_dir: Path,
    state: dict[str, torch.Tensor],
    config: ModelConfig,
    class_names: Sequence[str],
    simple_arrays: Arrays | None = None,
) -> None:
    """Weights, config and labels; with ``simple_arrays`` the simple model too (its header is
    ``config.simple_model``)."""
    from safetensors.numpy import save_file as save_arrays
    from safetensors.torch import save_file

    if simple_arrays is not None:
        save_arrays(
            {k: np.ascontiguousarray(v) for k, v in simple_arrays.items()},
            str(output_dir / SIMPLE_MODEL_FILE),
        )
    save_file(
        {k: v.contiguous() for k, v in state.items()},
        str(output_dir / MODEL_FILE),
        metadata={"zapml_version": zapml.__version__, "architecture": config.architecture},
    )
    _write_json(output_dir / CONFIG_FILE, config.to_dict())
    _write_json(output_dir / LABELS_FILE, list(class_names))


def save_predictions(
    path: Path,
    proba: np.ndarray,
    class_names: Sequence[str],
    image_ids: Sequence[str] | None = None,
) -> None:
    """One row per test image: the image (its file, or ``<source>#<index>``; the row number when
    no ids are given), the predicted class name, every class probability (9 significant digits:
    float32 round-trips exactly)."""
    predicted = proba.argmax(axis=1)
    ids = [str(i) for i in range(len(proba))] if image_ids is None else list(image_ids)
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["image", "predicted", *(f"proba_{name}" for name in class_names)])
        for image, row, best in zip(ids, proba, predicted, strict=True):
            writer.writerow([image, class_names[best], *(f"{p:.9g}" for p in row)])


def read_predictions(path: Path) -> tuple[list[str], np.ndarray]:
    """(predicted class names, probabilities) from a predictions.csv."""
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    names = [r[1] for r in rows[1:]]
    proba = np.array([[float(v) for v in r[2:]] for r in rows[1:]], dtype=np.float64)
    return names, proba


def save_curve(output_dir: Path, result: FitResult) -> None:
    _write_json(
        output_dir / CURVE_FILE,
        {
            "clock": result.clock,
            "budget": result.budget,
            "t0": result.alc_t0,
            "timestamps": result.timestamps,
            "scores": result.test_nauc,
            "score": "nauc",
            "accuracy": result.test_accuracy,
            "sources": result.prediction_sources,
            "alc": result.alc,
        },
    )


def save_result(output_dir: Path, result: FitResult) -> None:
    _write_json(output_dir / RESULT_FILE, result.to_dict())


class TrainedModel:
    """A fitted model loaded from a ``zap fit`` output folder: the network, or the simple model
    on the network's frozen backbone features when that made the final predictions."""

    def __init__(
        self,
        model: nn.Module,
        config: ModelConfig,
        class_names: list[str],
        simple: SimplePredictor | None = None,
    ) -> None:
        self.model = model.eval()
        self.config = config
        self.class_names = class_names
        self.simple = simple
        self._normalize = Normalizer(config.mean, config.std)

    @property
    def num_classes(self) -> int:
        return self.config.num_classes

    def predict_proba(self, dataset: Dataset) -> np.ndarray:
        """Class probabilities ``(N, num_classes)``, preprocessed as in training (resize to the
        training input size, gray to 3 channels, normalise); the network averages over a
        horizontal flip (test-time augmentation), the simple model reads pooled features."""
        images = dataset.images
        if images.shape[3] == 3 and self.config.in_channels == 1:
            # A gray-trained model sees colour images as their luminance.
            gray = images.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
            images = np.clip(np.rint(gray), 0, 255).astype(np.uint8)[..., None]
        tensor = resize_images(images, self.config.input_size)
        if self.simple is not None:
            from zapml.runtime.simple_model import extract_features

            features = extract_features(self.model, tensor, self._normalize)
            return self.simple.predict_proba(features)
        return predict_proba(self.model, tensor, self._normalize, tta=True)

    def predict(self, dataset: Dataset) -> list[str]:
        proba = self.predict_proba(dataset)
        return [self.class_names[i] for i in proba.argmax(axis=1)]


def load_model(path: str | Path) -> TrainedModel:
    """Load the final predictor a ``fit`` run saved; every file is checked, and ``ArtifactError``
    names what is missing or wrong (file, field, value) and how to fix it."""
    folder = Path(path)
    if not folder.is_dir():
        raise ArtifactError(
            f"Model folder {str(folder)!r} does not exist; pass the --output "
            "folder of a `zap fit` run."
        )
    missing = [f for f in (MODEL_FILE, CONFIG_FILE, LABELS_FILE) if not (folder / f).is_file()]
    if missing:
        raise ArtifactError(
            f"Model folder {str(folder)!r} lacks {', '.join(missing)}; it is not "
            "a complete `zap fit` output (was the run interrupted?)."
        )
    config = ModelConfig.from_dict(_read_json(folder / CONFIG_FILE), folder / CONFIG_FILE)
    labels = _read_json(folder / LABELS_FILE)
    if not isinstance(labels, list) or len(labels) != config.num_classes:
        raise ArtifactError(
            f"{folder / LABELS_FILE} must list {config.num_classes} class names "
            f"(config.json says so); it holds {labels!r:.200}."
        )
    model = _build_network(config, folder)
    simple = (
        _load_simple_model(config, folder) if config.final_predictor == "simple_model" else None
    )
    return TrainedModel(model, config, [str(name) for name in labels], simple)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ArtifactError(f"Cannot read {str(path)!r}: {err}.") from None


def _load_simple_model(config: ModelConfig, folder: Path) -> SimplePredictor:
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    path = folder / SIMPLE_MODEL_FILE
    try:
        arrays = load_file(str(path))
    except (SafetensorError, OSError) as err:
        raise ArtifactError(
            f"Cannot read {path} ({err}); config.json says the simple model made the final "
            "predictions. Re-run `zap fit` to write a fresh model folder."
        ) from None
    for name, array in arrays.items():
        if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
            raise ArtifactError(f"{path}: array '{name}' holds NaN or inf; re-run `zap fit`.")
    try:
        return SimplePredictor(arrays, dict(config.simple_model or {}), config.num_classes)
    except ArtifactError as err:
        raise ArtifactError(f"{path}: {err}; re-run `zap fit`.") from None


def _build_network(config: ModelConfig, folder: Path) -> nn.Module:
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    from zapml._torch_import import import_timm

    timm = import_timm()
    try:
        model: nn.Module = timm.create_model(
            config.timm_arch, pretrained=False, num_classes=config.num_classes
        )
    except RuntimeError as err:
        raise ArtifactError(
            f"{folder / CONFIG_FILE} names timm architecture "
            f"{config.timm_arch!r}, which this timm cannot build: {err}"
        ) from None
    try:
        state = load_file(str(folder / MODEL_FILE))
    except (SafetensorError, OSError) as err:
        raise ArtifactError(f"Cannot read {folder / MODEL_FILE}: {err}.") from None
    _check_finite(state, folder / MODEL_FILE)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as err:
        raise ArtifactError(
            f"{folder / MODEL_FILE} does not match {config.timm_arch} with {config.num_classes} "
            f"classes (config.json): {str(err)[:400]}"
        ) from None
    return apply_layout(model, config.layout)


def _check_finite(state: dict[str, torch.Tensor], path: Path) -> None:
    """NaN or inf weights make every prediction NaN (one class for every image): refuse them."""
    for name, tensor in state.items():
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            raise ArtifactError(
                f"{path}: tensor '{name}' holds NaN or inf values; the weights are damaged. "
                "Re-run `zap fit` to write a fresh model folder."
            )
