"""Every test runs with its own empty zapml home: a `zap fit` in a test must not append to the
developer's fit history, and a selector the developer refitted (`zap selector update`) must not
replace the shipped one the tests expect."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _own_zapml_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZAPML_HOME", str(tmp_path_factory.mktemp("zapml-home")))
    monkeypatch.delenv("ZAPML_HISTORY", raising=False)
