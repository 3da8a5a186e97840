"""Who must hear about a change that nobody is waiting on a reply for: written to the outbox in the
change's own transaction. Only facts go in; each channel words them when it delivers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.events import CircleCompleted, CycleOpened, DrawCompleted, Event
from core.models import Circle, CircleChat, User
from core.outbox import enqueue


async def _facts(session: AsyncSession, event: Event) -> tuple[str, dict[str, Any]] | None:
    if isinstance(event, CycleOpened):
        return "cycle_opened", {"cycle_number": event.cycle_number, "due_date": event.due_date.isoformat(),
                                "seed_commitment": event.seed_commitment, "eligible": len(event.eligible_ids)}
    if isinstance(event, CircleCompleted):
        return "circle_completed", {"total_paid_out": event.total_paid_out, "cycles": event.cycles}
    if isinstance(event, DrawCompleted) and event.actor_id is None:  # an organizer's /draw gets a reply instead
        winner = await session.get(User, event.winner_id)
        return "auto_draw", {"cycle_number": event.cycle_number, "winner": winner.full_name, "seed": event.seed,
                             "seed_commitment": event.seed_commitment}
    return None


async def notify(session: AsyncSession, event: Event, now: datetime) -> None:
    """Queue the event's announcement for every group chat of its circle."""
    facts = await _facts(session, event)
    if facts is None or event.circle_id is None:
        return
    kind, payload = facts
    circle = await session.get(Circle, event.circle_id)
    payload |= {"circle": circle.name, "currency": circle.currency, "amount_per_cycle": circle.amount_per_cycle}
    chats = await session.execute(select(CircleChat.channel, CircleChat.chat_address)
                                  .where(CircleChat.circle_id == circle.id))
    for channel, address in chats.all():
        await enqueue(session, channel=channel, address=address, kind=kind, payload=payload, now=now,
                      circle_id=circle.id)
