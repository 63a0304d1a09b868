"""Helpers shared by the data tests: tiny real image files written with PIL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

MakeImage = Callable[..., Path]


@pytest.fixture
def make_image() -> MakeImage:
    """``make_image(path, size=(w, h), mode="L", color=...)`` writes one image file."""

    def make(
        path: Path, size: tuple[int, int] = (10, 10), mode: str = "L", color: object = 0
    ) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new(mode, size, color).save(path)  # type: ignore[arg-type]
        return path

    return make


@pytest.fixture
def two_class_folder(tmp_path: Path, make_image: MakeImage) -> Path:
    """root/cat/{0,1,2}.png (gray 40) and root/dog/{0,1}.png (gray 200), all 10x10."""
    root = tmp_path / "pets"
    for i in range(3):
        make_image(root / "cat" / f"{i}.png", color=40)
    for i in range(2):
        make_image(root / "dog" / f"{i}.png", color=200)
    return root
