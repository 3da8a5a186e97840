"""The status board costs the same number of queries for 10 members as for 100."""

from __future__ import annotations

from sqlalchemy import event

from core.contributions import confirm_contribution, mark_paid
from core.summary import circle_summary
from tests.integration.builders import active_circle


async def queries_for_summary(engine, new_uow, members: int) -> tuple[int, int]:
    circle, people = await active_circle(new_uow, members)
    for p in people[: members // 2]:
        c = await mark_paid(new_uow(), actor=p, circle_id=circle.id)
        await confirm_contribution(new_uow(), actor=people[0], contribution_id=c.id)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        board = await circle_summary(new_uow(), circle.id)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert len(board.members) == members
    assert board.confirmed_this_cycle == (members // 2) * 5000
    return len(statements), len(board.members)


async def test_summary_query_count_does_not_grow_with_the_circle(engine, new_uow):
    small, _ = await queries_for_summary(engine, new_uow, 10)
    large, _ = await queries_for_summary(engine, new_uow, 100)
    assert small == large == 4
