"""Who hears about claims and number changes (core/identity_claims.py), written to the outbox in the
change's own transaction like every other notice; each channel words them (kinds below).

- a claim: the member on every account they use (`identity_claim`: is that you?), and the organizers
  of their circles, once each (`identity_claim_organizer`: in case the member can't answer);
- its answer: the waiting account (`identity_claim_decided`);
- a number change: the organizers of the member's circles (`phone_changed`).
Only the last two digits of a number travel: the member knows their number, the rest needn't.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import events as ev
from core.models import Channel, ChannelIdentity, Membership, Role, User
from core.outbox import enqueue

EVENTS = (ev.IdentityClaimed, ev.IdentityClaimDecided, ev.PhoneChanged)


async def notify(session: AsyncSession, event: ev.Event, now: datetime) -> None:
    user = await session.get(User, event.user_id)
    facts = {"member": user.full_name, "phone_end": user.phone[-2:]}
    if isinstance(event, ev.IdentityClaimed):
        facts |= {"claim_id": str(event.claim_id), "app": event.channel}
        for channel, address in await _accounts(session, [event.user_id]):
            await enqueue(session, channel=channel, address=address, kind="identity_claim", payload=facts, now=now)
        organizers = await organizers_of_member(session, event.user_id)
        for channel, address in await _accounts(session, organizers, one_each=True):
            await enqueue(session, channel=channel, address=address, kind="identity_claim_organizer", payload=facts,
                          now=now)
    elif isinstance(event, ev.IdentityClaimDecided):
        by = await session.get(User, event.actor_id)
        facts |= {"approved": event.approved, "by": by.full_name, "by_member": event.actor_id == event.user_id,
                  "app": event.channel}
        await enqueue(session, channel=Channel(event.channel), address=event.address, kind="identity_claim_decided",
                      payload=facts, now=now)
    elif isinstance(event, ev.PhoneChanged):
        organizers = await organizers_of_member(session, event.user_id)
        for channel, address in await _accounts(session, organizers, one_each=True):
            await enqueue(session, channel=channel, address=address, kind="phone_changed", payload=facts, now=now)


async def organizers_of_member(session: AsyncSession, user_id: uuid.UUID) -> list[uuid.UUID]:
    """The organizers of the circles `user_id` is in, other than them."""
    theirs = select(Membership.circle_id).where(Membership.user_id == user_id)
    return list((await session.scalars(select(Membership.user_id).where(
        Membership.circle_id.in_(theirs), Membership.role == Role.ORGANIZER,
        Membership.user_id != user_id).distinct())).all())


async def _accounts(session: AsyncSession, user_ids: list[uuid.UUID], *, one_each: bool = False
                    ) -> list[tuple[Channel, str]]:
    """The users' accounts (a private chat on Telegram is the user's id); `one_each`: one per user,
    Telegram's where they have one (it costs nothing to send)."""
    if not user_ids:
        return []
    rows = (await session.execute(select(ChannelIdentity.user_id, ChannelIdentity.channel, ChannelIdentity.address)
                                  .where(ChannelIdentity.user_id.in_(user_ids))
                                  .order_by(ChannelIdentity.user_id, ChannelIdentity.channel))).all()
    seen: set[uuid.UUID] = set()
    chosen = []
    for user_id, channel, address in rows:
        if not (one_each and user_id in seen):
            chosen.append((Channel(channel), address))
        seen.add(user_id)
    return chosen

