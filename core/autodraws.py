"""Automatic draws: when every payment of the current cycle is confirmed and the circle's draw
time on the due date has come (its timezone), the scheduler draws. Safe to run on several
instances at once: the draw locks the circle and a cycle can only be drawn once.

The draw mixes in the cycle's beacon round (core/fairness.py). While the beacon can't be reached
the scheduler leaves the draw for the next tick; once it has been ready for BEACON_GRACE, it draws
from the seed alone rather than hold the family's pot back any longer, and the draw says so."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import text

from core.draws import BeaconFetch, fetch_and_draw
from core.errors import AlreadyDrawn, BeaconUnavailable, CircleNotActive, UnpaidMembers
from core.uow import UnitOfWork

log = logging.getLogger(__name__)
BEACON_GRACE = timedelta(hours=24)

# ready_at: the draw time, or the last confirmation if that came later.
_READY = """
select c.id, greatest((y.due_date + make_interval(hours => c.draw_hour)) at time zone c.timezone,
                      (select max(k.decided_at) from contributions k
                       where k.cycle_id = y.id and k.status = 'CONFIRMED')) as ready_at
from circles c join cycles y on y.circle_id = c.id and y.status = 'OPEN'
where c.status = 'ACTIVE' and c.auto_draw
  and (cast(:now as timestamptz) at time zone c.timezone) >= y.due_date + make_interval(hours => c.draw_hour)
  and not exists (
      select 1 from memberships m
      left join contributions k on k.cycle_id = y.id and k.user_id = m.user_id and k.status = 'CONFIRMED'
      where m.circle_id = c.id and k.id is null)
"""


async def run_due_draws(new_uow: Callable[[], UnitOfWork], beacon: BeaconFetch) -> list[uuid.UUID]:
    """Draw every circle that is ready; returns the circles this call drew."""
    uow = new_uow()
    async with uow:
        now = uow.now()
        ready = (await uow.session.execute(text(_READY), {"now": now})).all()
    drawn = []
    for circle_id, ready_at in ready:
        try:
            try:
                await fetch_and_draw(new_uow, beacon, actor=None, circle_id=circle_id)
            except BeaconUnavailable:
                if now - ready_at < BEACON_GRACE:
                    log.warning("automatic draw of circle %s waits for the beacon", circle_id)
                    continue
                log.warning("automatic draw of circle %s: beacon unreachable for %s, drawing without it",
                            circle_id, BEACON_GRACE)
                await fetch_and_draw(new_uow, beacon, actor=None, circle_id=circle_id, without_beacon=True)
            drawn.append(circle_id)
        except (AlreadyDrawn, UnpaidMembers, CircleNotActive):
            pass  # another instance drew it first, or it changed since we looked
    return drawn
