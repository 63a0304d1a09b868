"""Every command's --help reads as written: docstrings re-flowed into paragraphs (not broken where
the source file wraps its lines) and no word of them lost to the help renderer's markup."""

from __future__ import annotations

import inspect
import re

import click
import pytest
import typer
from typer.testing import CliRunner

from zapml.cli.app import app

runner = CliRunner()
BOX = re.compile(r"[│╭╮╰╯─]")


def _commands() -> list[tuple[list[str], click.Command]]:
    found: list[tuple[list[str], click.Command]] = []

    def walk(command: click.Command, path: list[str]) -> None:
        found.append((path, command))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def _words(text: str) -> list[str]:
    return BOX.sub(" ", text.replace("`", "")).split()


@pytest.mark.parametrize(
    ("path", "command"), [pytest.param(p, c, id=" ".join(["zap", *p])) for p, c in _commands()]
)
def test_help_keeps_every_word_of_the_docstring_and_options(path, command):
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    shown_words = _words(result.output)
    shown = " ".join(shown_words)
    # the renderer may cut a word too long for its column with an ellipsis, never drop one
    cut = [w.rstrip("…") for w in shown_words if w.endswith("…")]
    texts = [inspect.cleandoc(command.help or "")]
    texts += [p.help for p in command.params if getattr(p, "help", None)]
    for text in texts:
        for word in _words(text):
            assert word in shown or any(word.startswith(c) for c in cut), (word, text)


def test_command_list_wraps_whole_paragraphs():
    """A docstring's source line breaks once showed as short lines ("selector", "few") in the
    command list; re-flowed, only a paragraph's last line may be short."""
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "100"})
    rows = [line for line in result.output.splitlines() if not line.lstrip().startswith("╭")]
    lines = [BOX.sub("", line).strip() for line in rows]
    lonely = [line for line in lines if len(line.split()) == 1 and not line.endswith(".")]
    assert lonely == [], lonely
