"""What the bot keeps only while it is useful, pruned by a scheduled job (bot/background.py).

- A delivery's id (`processed_deliveries`) is kept so that a redelivered update acts once. Telegram
  keeps an undelivered update for 24 hours and Twilio retries a webhook for a few hours, so after
  DELIVERY_DAYS (7) no redelivery can come: the id is deleted.
- A message the outbox has sent, or given up on, is kept OUTBOX_DAYS (30) for looking into what was
  sent (a delivery receipt, a "did my reminder go out?"), then deleted. Messages still pending are
  never deleted, nor the latest status card post of each chat: the next card update edits it.
- A conversation (a guided setup, a payout order being tapped, a name asked for) untouched for
  CONVERSATION_DAYS (30) was abandoned: it is deleted, and the person starts afresh if they come back.

Rows go in batches of BATCH, one short transaction each (SKIP LOCKED: two instances pruning at once
share the work), so a large backlog never holds locks or a transaction for long. The audit log and
everything a circle records are kept for good: they are the family's record.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from core.uow import UnitOfWork

DELIVERY_DAYS, OUTBOX_DAYS, CONVERSATION_DAYS = 7, 30, 30
BATCH = 1000

_DELIVERIES = text("""
delete from processed_deliveries where (channel, key) in (
    select channel, key from processed_deliveries where received_at < :before limit :batch for update skip locked)
""")
_MESSAGES = text("""
delete from outbox where id in (
    select o.id from outbox o
    where o.status <> 'PENDING' and o.created_at < :before
      and not (o.kind = 'status_card' and o.status = 'SENT' and o.provider_id is not null and not exists (
          select 1 from outbox n where n.kind = 'status_card' and n.status = 'SENT' and n.provider_id is not null
             and n.circle_id = o.circle_id and n.channel = o.channel and n.address = o.address and n.id > o.id))
    limit :batch for update skip locked)
""")

_CONVERSATIONS = text("""
delete from conversations where (channel, chat_address, user_address) in (
    select channel, chat_address, user_address from conversations where updated_at < :before
    limit :batch for update skip locked)
""")


async def prune(uow: UnitOfWork, *, batch: int = BATCH) -> tuple[int, int, int]:
    """Delete what is past its window; returns how many delivery ids, outbox messages and abandoned
    conversations went."""
    now = uow.now()
    deliveries = await _in_batches(uow, _DELIVERIES, now - timedelta(days=DELIVERY_DAYS), batch)
    messages = await _in_batches(uow, _MESSAGES, now - timedelta(days=OUTBOX_DAYS), batch)
    conversations = await _in_batches(uow, _CONVERSATIONS, now - timedelta(days=CONVERSATION_DAYS), batch)
    return deliveries, messages, conversations


async def _in_batches(uow: UnitOfWork, statement, before, batch: int) -> int:
    total = 0
    while True:
        async with uow:
            deleted = (await uow.session.execute(statement, {"before": before, "batch": batch})).rowcount
            await uow.session.commit()
        total += deleted
        if deleted < batch:
            return total
