"""Imports point one way (DESIGN.md): crm <- contacts <- prospects <- transactions <-
drips, emailfeed, callcapture <- goals. An app never imports an app to its right."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RANK = {
    "crm": 0,
    "contacts": 1,
    "prospects": 2,
    "transactions": 3,
    "drips": 4,
    "emailfeed": 4,
    "callcapture": 4,
    "goals": 5,
}


def _imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & RANK.keys()


def test_it_never_imports_an_app_to_the_right() -> None:
    wrong = []
    for app, rank in RANK.items():
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for other in _imported_apps(path):
                if RANK[other] > rank or (RANK[other] == rank and other != app):
                    wrong.append(f"{path.relative_to(ROOT)} imports {other}")
    assert not wrong, "\n".join(sorted(wrong))
