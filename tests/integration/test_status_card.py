"""The status card's outbox requests: coalesced while waiting, never absorbed by one in flight; and a
rejection keeps its reason in the audit chain."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core import outbox
from core.contributions import mark_paid, reject_contribution
from core.errors import InvalidAmount, InvalidRejectReason
from core.models import AuditEntry, Channel, OutboxMessage, OutboxStatus
from tests.integration.builders import active_circle

CHAT = "-1009000"


async def pending_cards(engine) -> int:
    async with engine.connect() as conn:
        return await conn.scalar(select(func.count()).where(
            OutboxMessage.kind == outbox.STATUS_CARD, OutboxMessage.status == OutboxStatus.PENDING))


async def take_card(engine, clock) -> outbox.Due:
    """What the dispatcher does: the chat's messages in order, up to the card request (claimed and
    rendered in one committed transaction, as before a send)."""
    while True:
        async with engine.begin() as conn:
            due = await outbox.claim_head(conn, Channel.TELEGRAM, CHAT, clock())
        if due.kind == outbox.STATUS_CARD:
            return due
        await sent(engine, due, clock)  # announcements queued before it go first, in order


async def sent(engine, due: outbox.Due, clock, provider_id: str | None = None) -> None:
    async with engine.begin() as conn:
        await outbox.mark_sent(conn, due.id, clock(), provider_id)


async def test_a_card_request_waiting_covers_later_changes_but_one_being_sent_does_not(new_uow, engine, clock):
    circle, people = await active_circle(new_uow, 4, telegram_chat=CHAT)
    assert await pending_cards(engine) == 1  # the start asked for the card
    await mark_paid(new_uow(), actor=people[1], circle_id=circle.id)
    assert await pending_cards(engine) == 1  # coalesced: still one edit to make

    due = await take_card(engine, clock)  # the dispatcher claims the request and sends it (no lock held)
    assert [m["payment"] for m in due.payload["members"]].count("PENDING") == 1
    await mark_paid(new_uow(), actor=people[2], circle_id=circle.id)  # rendered too early for this change
    assert await pending_cards(engine) == 2  # so it asks again
    await mark_paid(new_uow(), actor=people[3], circle_id=circle.id)
    assert await pending_cards(engine) == 2  # and the new request covers this one too
    await sent(engine, due, clock, "41")
    due = await take_card(engine, clock)
    assert due.payload["message_id"] == "41"  # the card to edit: the one the first delivery sent
    assert [m["payment"] for m in due.payload["members"]].count("PENDING") == 3


async def test_a_card_request_being_claimed_does_not_absorb_a_change(new_uow, engine, clock):
    """A change committing while a claim's transaction is still open (the card row locked, maybe
    already rendered) asks for another card rather than counting on that one."""
    circle, people = await active_circle(new_uow, 3, telegram_chat=CHAT)
    async with engine.connect() as claiming:
        due = await outbox.claim_head(claiming, Channel.TELEGRAM, CHAT, clock())
        while due.kind != outbox.STATUS_CARD:
            await outbox.mark_sent(claiming, due.id, clock())
            due = await outbox.claim_head(claiming, Channel.TELEGRAM, CHAT, clock())
        await mark_paid(new_uow(), actor=people[1], circle_id=circle.id)  # must not wait for the claim
        await claiming.commit()
    assert await pending_cards(engine) == 2
    assert [m["payment"] for m in due.payload["members"]].count("PENDING") == 0


async def test_a_rejection_keeps_its_reason_and_what_arrived(new_uow):
    circle, people = await active_circle(new_uow, 3)
    paid = await mark_paid(new_uow(), actor=people[1], circle_id=circle.id)
    with pytest.raises(InvalidRejectReason):
        await reject_contribution(new_uow(), actor=people[0], contribution_id=paid.id, reason="because")
    with pytest.raises(InvalidAmount):  # "short" by more than it was: not short
        await reject_contribution(new_uow(), actor=people[0], contribution_id=paid.id, reason="short",
                                  received=paid.amount)
    await reject_contribution(new_uow(), actor=people[0], contribution_id=paid.id, reason="short", received=1500)
    async with new_uow() as uow:
        entry = await uow.session.scalar(select(AuditEntry).where(AuditEntry.action == "payment_rejected"))
    assert entry.details["reason"] == "short" and entry.details["received"] == 1500
