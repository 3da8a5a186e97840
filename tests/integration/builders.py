"""Short ways to set up users and circles, so tests read as the story they check."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import date

from sqlalchemy import select

from core.circles import CircleSettings, create_circle, join_circle
from core.draws import fetch_and_draw
from core.models import AuditEntry, Channel, Circle, Draw, PayoutOrder
from core.uow import UnitOfWork
from core.users import register_user
from tests.channels.fake_beacon import fake_fetch

_numbers = itertools.count(1)
NewUow = Callable[[], UnitOfWork]


async def user(new_uow: NewUow, name: str | None = None, *, telegram: bool = False) -> uuid.UUID:
    """A registered person; with `telegram`, reachable in a private chat whose id is 10000 + n."""
    n = next(_numbers)
    channel, address = (Channel.TELEGRAM, str(10000 + n)) if telegram else (None, None)
    registered = await register_user(new_uow(), phone=f"+2547{n:08d}", full_name=name or f"Member {n}",
                                     channel=channel, address=address)
    return registered.id


def settings(total_members: int = 5, *, payout_order: PayoutOrder = PayoutOrder.RANDOM, **overrides) -> CircleSettings:
    values = dict(name="Family Fund", amount_per_cycle=5000, currency="USD", total_members=total_members,
                  frequency="monthly", first_due_date=date(2026, 12, 1), timezone="Africa/Nairobi",
                  payout_order=payout_order)
    return CircleSettings(**{**values, **overrides})


async def forming_circle(new_uow: NewUow, members: int, total: int | None = None,
                         payout_order: PayoutOrder = PayoutOrder.RANDOM, *, telegram_chat: str | None = None,
                         **overrides) -> tuple[Circle, list[uuid.UUID]]:
    """A circle with `members` people in it (the first is the organizer), not yet full. With
    `telegram_chat`, it lives in that group and its members are reachable privately."""
    reachable = telegram_chat is not None
    organizer = await user(new_uow, "Auntie Grace", telegram=reachable)
    chat = (Channel.TELEGRAM, telegram_chat) if reachable else None
    circle = await create_circle(new_uow(), actor=organizer, chat=chat,
                                 settings=settings(total or members + 1, payout_order=payout_order, **overrides))
    people = [organizer]
    for _ in range(members - 1):
        people.append(await user(new_uow, telegram=reachable))
        await join_circle(new_uow(), actor=people[-1], circle_id=circle.id)
    return circle, people


async def active_circle(new_uow: NewUow, members: int = 5, payout_order: PayoutOrder = PayoutOrder.RANDOM,
                        **options) -> tuple[Circle, list[uuid.UUID]]:
    """A full circle, started by its last member joining; cycle 1 is open."""
    return await forming_circle(new_uow, members, total=members, payout_order=payout_order, **options)


async def draw_now(new_uow: NewUow, *, actor: uuid.UUID | None, circle_id: uuid.UUID, override: bool = False) -> Draw:
    """The draw as the bot makes it: with the beacon round's value (the fake beacon's, no server)."""
    return await fetch_and_draw(new_uow, fake_fetch, actor=actor, circle_id=circle_id, override=override)


async def audit_details(new_uow: NewUow, action: str) -> list[dict]:
    """The details of every audit entry of this kind, oldest first."""
    async with new_uow() as uow:
        return list((await uow.session.execute(select(AuditEntry.details).where(AuditEntry.action == action)
                                               .order_by(AuditEntry.id))).scalars())
