"""Claiming an incoming delivery as handled, inside the transaction of the change it asked for
(core/uow.py, core/inbox.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Channel, ProcessedDelivery

_CLAIM = (insert(ProcessedDelivery).values(channel=bindparam("via"), key=bindparam("key"),
                                           received_at=bindparam("now"), handled_at=bindparam("now"))
          .on_conflict_do_update(index_elements=["channel", "key"],
                                 set_={"handled_at": bindparam("now"), "payload": None},
                                 where=ProcessedDelivery.handled_at.is_(None))
          .returning(ProcessedDelivery.key))


async def claim(session: AsyncSession, channel: Channel, key: str, now: datetime) -> bool:
    """Mark the delivery handled in the caller's transaction; False: it was handled already (the
    caller rolls back). A concurrent claim of the same delivery waits for ours and then finds it."""
    return (await session.execute(_CLAIM, {"via": channel, "key": key, "now": now})).first() is not None
