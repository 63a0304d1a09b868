"""The consoles every command prints to."""

from __future__ import annotations

from typing import Any

from rich.console import Console, ConsoleDimensions

# When stdout is a file or a pipe nobody reads it at a terminal's width: rich would otherwise
# fall back to 80 columns and cut table cells to "optim…". This many columns never cuts a cell.
PIPED_WIDTH = 10_000


class PipeFriendlyConsole(Console):
    """A rich console that uses the terminal's width at a terminal and never crops otherwise.

    The check runs at every print (not at construction), so a console made at import time follows
    wherever stdout points when the command runs (a pipe, a file, a test runner)."""

    @property
    def size(self) -> ConsoleDimensions:
        dims = super().size
        if self.is_terminal:
            return dims
        return ConsoleDimensions(PIPED_WIDTH, dims.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


def make_console(**kwargs: Any) -> PipeFriendlyConsole:
    return PipeFriendlyConsole(**kwargs)


console = make_console()
err_console = make_console(stderr=True)
