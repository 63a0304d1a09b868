"""Test support shared by the probe tests (metafeatures and the meta-dataset's probe store)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch


@pytest.fixture(autouse=True)
def one_thread_empty_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """One torch thread (the machine is shared) and an empty cache folder per test; a test
    module uses it by importing it."""
    monkeypatch.setenv("ZAPML_CACHE", str(tmp_path / "cache"))
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
