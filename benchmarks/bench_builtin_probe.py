"""Decode time and a label sanity check for built-in datasets.

For each dataset: classes, images, native resolution and channels, the time of a cold decode
(a fresh cache folder, so nothing is read back), then two raw-pixel probes on its own train/test
split, at 32 px: nearest class centroid, and logistic regression on 64 PCA components. Both are
compared with chance (1 / classes) and with always answering the largest training class. A probe
well above both shows the labels carry signal a model can learn; near chance means broken labels.

    python benchmarks/bench_builtin_probe.py [NAME ...]   (default: the file-based built-ins)
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings

import numpy as np
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestCentroid
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from zapml.data import load_data
from zapml.data.dataset import Dataset

DEFAULT = ("wesnoth_units", "wesnoth_terrain", "skyculture_art", "glyphs_alnum")
# Small enough for a quick probe, large enough to keep shapes and colours.
PROBE_SIDE = 32
PCA_DIMS = 64


def _pixels(ds: Dataset) -> np.ndarray:
    from zapml.data.imaging import resize_stack

    return resize_stack(ds.images, PROBE_SIDE).reshape(len(ds), -1).astype(np.float32) / 255.0


def probe(name: str) -> None:
    with tempfile.TemporaryDirectory() as cache:
        os.environ["ZAPML_CACHE"] = cache
        start = time.perf_counter()
        split = load_data(name)
        seconds = time.perf_counter() - start
    train, test = split.train, split.test
    assert test is not None
    x_train, x_test = _pixels(train), _pixels(test)
    centroid = NearestCentroid().fit(x_train, train.labels).score(x_test, test.labels)
    dims = min(PCA_DIMS, len(x_train) - 1)
    linear = make_pipeline(
        StandardScaler(), PCA(dims, random_state=0), LogisticRegression(max_iter=2000)
    )
    logreg = linear.fit(x_train, train.labels).score(x_test, test.labels)
    majority = float(np.mean(test.labels == np.bincount(train.labels).argmax()))
    h, w = train.resolution
    mode = "RGB" if train.num_channels == 3 else "gray"
    print(
        f"{name:16s} classes={train.num_classes:3d} images={len(train) + len(test):6d} "
        f"(train {len(train)}, test {len(test)}) {h}x{w} {mode:4s} decode={seconds:6.1f}s "
        f"centroid={centroid:.3f} logreg={logreg:.3f} chance={1 / train.num_classes:.3f} "
        f"majority={majority:.3f}",
        flush=True,
    )


def main() -> None:
    # Probes only: lbfgs stopping at max_iter and constant pixels (sprite borders) are expected.
    warnings.filterwarnings("ignore", category=UserWarning)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=list(DEFAULT))
    for name in parser.parse_args().names:
        probe(name)


if __name__ == "__main__":
    main()
