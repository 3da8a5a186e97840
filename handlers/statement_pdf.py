"""The statement as a PDF (work in progress)."""

from __future__ import annotations

from core.statement import Statement


def render(statement: Statement) -> bytes:
    raise NotImplementedError
