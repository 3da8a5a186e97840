"""Where a multi-step flow stands, per (channel, chat, user), in PostgreSQL rather than memory."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert

from core.models import Channel, Conversation
from core.uow import UnitOfWork


async def load_state(uow: UnitOfWork, channel: Channel, chat: str, user: str) -> dict[str, Any] | None:
    async with uow:
        return await uow.session.scalar(select(Conversation.state).where(
            Conversation.channel == channel, Conversation.chat_address == chat, Conversation.user_address == user))


async def save_state(uow: UnitOfWork, channel: Channel, chat: str, user: str, state: dict[str, Any]) -> None:
    async with uow:
        statement = insert(Conversation).values(channel=channel, chat_address=chat, user_address=user, state=state,
                                                updated_at=uow.now())
        await uow.session.execute(statement.on_conflict_do_update(
            index_elements=["channel", "chat_address", "user_address"],
            set_={"state": statement.excluded.state, "updated_at": statement.excluded.updated_at}))
        await uow.session.commit()


async def clear_state(uow: UnitOfWork, channel: Channel, chat: str, user: str) -> None:
    async with uow:
        await uow.session.execute(delete(Conversation).where(
            Conversation.channel == channel, Conversation.chat_address == chat, Conversation.user_address == user))
        await uow.session.commit()


async def take_state(uow: UnitOfWork, channel: Channel, chat: str, user: str, step: str) -> dict[str, Any] | None:
    """Claim a flow standing at `step` for its last move (a setup's Create): the row is deleted in the
    transaction of the block the caller wraps around this and the change that follows, so of two
    taps at once one gets the state and the other None."""
    async with uow:
        return await uow.session.scalar(delete(Conversation).where(
            Conversation.channel == channel, Conversation.chat_address == chat, Conversation.user_address == user,
            Conversation.state["step"].astext == step).returning(Conversation.state))
