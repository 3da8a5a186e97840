"""Flood limits: how often one person may do what makes the bot message many people, or grow what
it keeps. A join or a leave is announced to every member of the circle (on WhatsApp, each one a paid
message); a new circle is a post in a group and rows that stay for good.

Both are counted from what is recorded anyway (a circle's owner and creation time; the audit log's
actor, action and time), so the limits need no table of their own and hold across restarts and
instances. The caller holds a lock that lines up the person's attempts (the circle's row for joins
and leaves, the person's row for new circles), so concurrent attempts are counted exactly.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.errors import TooManyCircles, TooManySeatChanges
from core.models import AuditEntry, Circle, User

if TYPE_CHECKING:  # core.uow carries the limits
    from core.uow import UnitOfWork

DAY, HOUR = timedelta(days=1), timedelta(hours=1)
SEAT_CHANGES = ("member_joined", "member_left")


@dataclass(frozen=True)
class Limits:
    circles_per_day: int = 5  # circles one person may create in any 24 hours
    seat_changes_per_hour: int = 6  # joins plus leaves of one person in one circle in any hour


async def check_new_circle(uow: UnitOfWork, actor: uuid.UUID) -> None:
    """Refuse a person's circle beyond `circles_per_day` in the last 24 hours."""
    await uow.session.execute(select(User.id).where(User.id == actor).with_for_update())
    times = await uow.session.scalars(select(Circle.created_at).where(
        Circle.owner_id == actor, Circle.created_at > uow.now() - DAY).order_by(Circle.created_at))
    wait = _wait(list(times), uow.limits.circles_per_day, DAY, uow.now())
    if wait is not None:
        raise TooManyCircles(limit=uow.limits.circles_per_day, minutes=wait)


async def check_seat_change(uow: UnitOfWork, actor: uuid.UUID, circle_id: uuid.UUID) -> None:
    """Refuse a join or leave beyond `seat_changes_per_hour` of this person in this circle."""
    times = await uow.session.scalars(select(AuditEntry.created_at).where(
        AuditEntry.actor_id == actor, AuditEntry.circle_id == circle_id, AuditEntry.action.in_(SEAT_CHANGES),
        AuditEntry.created_at > uow.now() - HOUR).order_by(AuditEntry.created_at))
    wait = _wait(list(times), uow.limits.seat_changes_per_hour, HOUR, uow.now())
    if wait is not None:
        raise TooManySeatChanges(limit=uow.limits.seat_changes_per_hour, minutes=wait)


def _wait(times: list[datetime], limit: int, window: timedelta, now: datetime) -> int | None:
    """None when one more fits in the window; otherwise the minutes until one does (the oldest of the
    last `limit` leaves the window)."""
    if len(times) < limit:
        return None
    return max(1, math.ceil((times[-limit] + window - now).total_seconds() / 60))
