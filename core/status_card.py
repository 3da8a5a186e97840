"""The facts on a circle's status card: where the current cycle stands, member by member.

Read when the card is sent (core/outbox.claim_head), not when something changes: one read per
card edit Telegram actually gets, however many changes it covers, in three queries whatever the
circle's size. Plain JSON values, so the outbox can hand them to a channel like any payload.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from core import audit
from core.models import Circle, Contribution, Cycle, Draw, Membership, Payout, Role, User, short_by
from core.schedule import local_date

_CIRCLE = select(Circle).where(Circle.id == bindparam("circle_id"))
_CYCLES = (select(Cycle.id, Cycle.cycle_number, Cycle.due_date, Cycle.status, Draw.winner_id, Payout.receiver_id,
                  Payout.acknowledged_at)
           .outerjoin(Draw, Draw.cycle_id == Cycle.id).outerjoin(Payout, Payout.cycle_id == Cycle.id)
           .where(Cycle.circle_id == bindparam("circle_id")).order_by(Cycle.cycle_number))
_MEMBERS = (select(Membership.user_id, Membership.role, User.full_name, Contribution.status,
                   Contribution.confirmed_amount)
            .join(User, User.id == Membership.user_id)
            .outerjoin(Contribution, and_(Contribution.cycle_id == bindparam("cycle_id"),
                                          Contribution.user_id == Membership.user_id))
            .where(Membership.circle_id == bindparam("circle_id")).order_by(Membership.joined_at, Membership.id))


async def card_facts(conn: AsyncConnection, circle_id: uuid.UUID, now: datetime) -> dict[str, Any]:
    circle = (await conn.execute(_CIRCLE, {"circle_id": circle_id})).one()
    cycles = (await conn.execute(_CYCLES, {"circle_id": circle_id})).all()
    current = cycles[-1] if cycles else None
    members = (await conn.execute(_MEMBERS, {"circle_id": circle_id,
                                             "cycle_id": current.id if current else None})).all()
    received = {c.receiver_id: c.cycle_number for c in cycles if c.receiver_id is not None}
    names = {m.user_id: m.full_name for m in members}
    facts: dict[str, Any] = {
        "circle": circle.name, "currency": circle.currency, "amount_per_cycle": circle.amount_per_cycle,
        "status": str(circle.status), "total_cycles": circle.total_members, "timezone": circle.timezone,
        "auto_draw": circle.auto_draw, "draw_hour": circle.draw_hour,
        "today": local_date(now, circle.timezone).isoformat(),
        "instructions": circle.payment_instructions,
        "members": [{"name": m.full_name, "payment": None if m.status is None else str(m.status),
                     "short": short_by(circle.amount_per_cycle, m.confirmed_amount),
                     "received": received.get(m.user_id), "organizer": m.role == Role.ORGANIZER} for m in members],
        "collected": sum(m.confirmed_amount or 0 for m in members),
        "expected": circle.amount_per_cycle * len(members),
        "record_check": (await audit.head(conn, circle_id)).fingerprint,  # the log's head as of this card
    }
    if current is not None:
        facts |= {"cycle_number": current.cycle_number, "due_date": current.due_date.isoformat(),
                  "cycle_status": str(current.status), "winner": names.get(current.winner_id),
                  "paid_out": current.receiver_id is not None, "acknowledged": current.acknowledged_at is not None}
    return facts
