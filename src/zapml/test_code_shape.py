"""House rules that keep the code readable: no function longer than a screen."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parent
MAX_FUNCTION_LINES = 60


def test_no_library_function_is_longer_than_sixty_lines():
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name.startswith("test_") or path.name == "conftest.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}")
    assert not too_long, f"functions over {MAX_FUNCTION_LINES} lines: {too_long}"
