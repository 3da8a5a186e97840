"""Which circle lives in which group chat."""

from __future__ import annotations

from sqlalchemy import Select, select

from core.events import ChatMoved
from core.guards import ensure_circle_locked
from core.models import Channel, Circle, CircleChat
from core.uow import UnitOfWork


def chat_circle_query(channel: Channel, chat: str, *, include_ended: bool = False) -> Select:
    """The chat's active circle; with include_ended, the most recent one when none is active."""
    query = (select(Circle).join(CircleChat, CircleChat.circle_id == Circle.id)
             .where(CircleChat.channel == channel, CircleChat.chat_address == chat))
    if not include_ended:
        query = query.where(CircleChat.active)
    return query.order_by(CircleChat.active.desc(), Circle.created_at.desc()).limit(1)


async def circle_for_chat(uow: UnitOfWork, channel: Channel, chat: str, *,
                          include_ended: bool = False) -> Circle | None:
    async with uow:
        query = chat_circle_query(channel, chat, include_ended=include_ended)
        return (await uow.session.execute(query)).scalar_one_or_none()


async def move_chat(uow: UnitOfWork, channel: Channel, old: str, new: str) -> int:
    """Follow a chat to its new address, history included; returns how many circles moved."""
    async with uow:
        at_old = (CircleChat.channel == channel, CircleChat.chat_address == old)
        # Circle rows first, as every other change to a circle locks them: never the other way round.
        for circle_id in (await uow.session.execute(
                select(CircleChat.circle_id).where(*at_old).order_by(CircleChat.circle_id))).scalars():
            await ensure_circle_locked(uow.session, circle_id)
        links = list((await uow.session.execute(select(CircleChat).where(*at_old).with_for_update())).scalars())
        for link in links:
            link.chat_address = new
            uow.emit(ChatMoved(circle_id=link.circle_id, actor_id=None, channel=channel.value, old_address=old,
                               new_address=new))
        await uow.commit()
        return len(links)

