"""core/ is the product and must not know about chat apps, the scheduler or the wiring."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {"telegram", "twilio", "apscheduler", "handlers", "bot", "starlette", "uvicorn"}
CORE = Path(__file__).resolve().parents[2] / "core"


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_core_imports_no_channel_or_wiring_module():
    files = sorted(CORE.rglob("*.py"))
    assert len(files) > 10  # the check must actually look at core
    leaks = {str(f.relative_to(CORE)): sorted(imported_roots(f) & FORBIDDEN) for f in files}
    assert {f: mods for f, mods in leaks.items() if mods} == {}


def test_the_check_sees_an_import_hidden_inside_a_function(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("def f():\n    from telegram import Bot\n    import twilio.rest\n")
    assert imported_roots(sneaky) >= {"telegram", "twilio"}
