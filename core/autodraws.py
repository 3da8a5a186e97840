"""Automatic draws: when every payment of the current cycle is confirmed and the circle's draw
time on the due date has come (its timezone), the scheduler draws. Safe to run on several
instances at once: the draw locks the circle and a cycle can only be drawn once."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import text

from core.draws import run_draw
from core.errors import AlreadyDrawn, CircleNotActive, UnpaidMembers
from core.uow import UnitOfWork

_READY = """
select c.id from circles c join cycles y on y.circle_id = c.id and y.status = 'OPEN'
where c.status = 'ACTIVE' and c.auto_draw
  and (cast(:now as timestamptz) at time zone c.timezone) >= y.due_date + make_interval(hours => c.draw_hour)
  and not exists (
      select 1 from memberships m
      left join contributions k on k.cycle_id = y.id and k.user_id = m.user_id and k.status = 'CONFIRMED'
      where m.circle_id = c.id and k.id is null)
"""


async def run_due_draws(new_uow: Callable[[], UnitOfWork]) -> list[uuid.UUID]:
    """Draw every circle that is ready; returns the circles this call drew."""
    uow = new_uow()
    async with uow:
        ready = list((await uow.session.execute(text(_READY), {"now": uow.now()})).scalars())
    drawn = []
    for circle_id in ready:
        try:
            await run_draw(new_uow(), actor=None, circle_id=circle_id)
            drawn.append(circle_id)
        except (AlreadyDrawn, UnpaidMembers, CircleNotActive):
            pass  # another instance drew it first, or it changed since we looked
    return drawn
