"""The README's first two commands are the set-up contract: keep them in sync with CI."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from zapml.cli.app import app

ROOT = Path(__file__).resolve().parents[3]
README = ROOT / "README.md"


def _first_commands() -> list[str]:
    if not README.is_file():
        pytest.skip("README.md is not next to the sources (installed package)")
    block = re.search(r"```bash\n(.*?)```", README.read_text(), re.S)
    assert block, "README.md must open with a bash block holding the two set-up commands"
    return [line for line in block.group(1).splitlines() if line.strip()][:2]


def test_first_command_sets_up_then_runs_zap_fit_on_a_builtin():
    from zapml.data import list_builtin

    first = _first_commands()[0]
    assert first.startswith("scripts/setup.sh && .venv/bin/zap fit ")
    words = shlex.split(first.split("&&")[1])
    assert words[1] == "fit" and words[2] in {b.name for b in list_builtin()}
    # Every option it passes exists on `zap fit`.
    fit_command = next(c for c in app.registered_commands if c.name in (None, "fit"))
    options = {o for p in fit_command.callback.__wrapped__.__annotations__ for o in [p]}
    for word in words[3:]:
        if word.startswith("--"):
            assert word[2:] in options, word


def test_second_command_is_the_one_ci_runs():
    second = _first_commands()[1]
    assert second.startswith("scripts/setup.sh && .venv/bin/python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text()
    assert "scripts/setup.sh && .venv/bin/python -m pytest" in ci
