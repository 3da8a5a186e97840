"""Core support the chat channels stand on: delivery dedup, conversation state, chats, read models."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import func, select

from core import audit
from core.chats import circle_for_chat, move_chat
from core.circles import cancel_circle, create_circle, join_circle
from core.contributions import confirm_contribution, mark_paid
from core.conversations import clear_state, load_state, save_state
from core.deliveries import claim
from core.errors import CoreError
from core.history import circle_history, my_circles
from core.inbox import arrive
from core.models import AuditEntry, Channel, ContributionStatus, CycleStatus
from core.payouts import record_payout
from core.uow import AlreadyHandled
from core.users import member_by_handle, register_user
from tests.integration.builders import active_circle, draw_now, forming_circle, settings, user

TG = Channel.TELEGRAM


async def test_a_delivery_acts_exactly_once_even_when_racing(new_uow):
    async def deliver(channel: Channel) -> bool:
        """Handle delivery "update:42" with a change: True if this handling's change committed."""
        uow = new_uow()
        if not (await arrive(uow, channel, "update:42", sender=None, chat=None)).first:
            return False
        try:
            async with uow:
                await uow.commit()
        except AlreadyHandled:
            return False
        return True

    results = await asyncio.gather(*(deliver(TG) for _ in range(10)))
    assert results.count(True) == 1
    assert await deliver(Channel.WHATSAPP)  # another channel, another key space


async def test_conversation_state_survives_between_units_of_work(new_uow):
    assert await load_state(new_uow(), TG, "-1001", "7") is None
    await save_state(new_uow(), TG, "-1001", "7", {"step": "amount", "name": "Fund"})
    await save_state(new_uow(), TG, "-1001", "7", {"step": "members", "name": "Fund"})
    assert await load_state(new_uow(), TG, "-1001", "7") == {"step": "members", "name": "Fund"}
    assert await load_state(new_uow(), TG, "-1001", "8") is None
    await clear_state(new_uow(), TG, "-1001", "7")
    assert await load_state(new_uow(), TG, "-1001", "7") is None


async def test_a_chat_keeps_its_circles_when_it_moves(new_uow):
    organizer = await user(new_uow)
    old = await create_circle(new_uow(), actor=organizer, settings=settings(), chat=(TG, "-100"))
    await cancel_circle(new_uow(), actor=organizer, circle_id=old.id)
    assert await circle_for_chat(new_uow(), TG, "-100") is None
    assert (await circle_for_chat(new_uow(), TG, "-100", include_ended=True)).id == old.id
    current = await create_circle(new_uow(), actor=organizer, settings=settings(), chat=(TG, "-100"))
    assert await move_chat(new_uow(), TG, "-100", "-1009999") == 2
    assert (await circle_for_chat(new_uow(), TG, "-1009999")).id == current.id
    assert await circle_for_chat(new_uow(), TG, "-100", include_ended=True) is None  # nothing left behind
    async with new_uow() as uow:
        assert await audit.verify_chain(uow.session, current.id) is None


async def test_members_are_found_by_handle_case_insensitively(new_uow):
    circle, _ = await forming_circle(new_uow, 2, total=4)
    grace = await register_user(new_uow(), phone="+254700000001", full_name="Grace", channel=TG, address="501",
                                handle="GraceK")
    assert await member_by_handle(new_uow(), circle.id, TG, "@gracek") is None  # not a member yet
    await join_circle(new_uow(), actor=grace.id, circle_id=circle.id)
    found = await member_by_handle(new_uow(), circle.id, TG, "@gracek")
    assert found is not None and found.id == grace.id
    assert await member_by_handle(new_uow(), circle.id, TG, "@grace") is None


async def test_history_and_my_circles(new_uow):
    circle, people = await active_circle(new_uow, 2)
    for p in people:
        c = await mark_paid(new_uow(), actor=p, circle_id=circle.id)
        await confirm_contribution(new_uow(), actor=people[0], contribution_id=c.id)
    draw = await draw_now(new_uow, actor=people[0], circle_id=circle.id)
    await record_payout(new_uow(), actor=people[0], circle_id=circle.id)
    await mark_paid(new_uow(), actor=people[1], circle_id=circle.id)

    _, records = await circle_history(new_uow(), circle.id)
    assert [(r.cycle_number, r.status) for r in records] == [(1, CycleStatus.PAID_OUT), (2, CycleStatus.OPEN)]
    assert records[0].winner_id == draw.winner_id and records[0].seed and records[0].payout_amount == 10000
    assert records[1].seed is None and records[1].winner_id is None  # the seed stays secret until the draw

    mine = {m.circle.id: m for m in await my_circles(new_uow(), people[1])}
    assert mine[circle.id].cycle_number == 2 and mine[circle.id].my_payment == ContributionStatus.PENDING
    assert mine[circle.id].received_in_cycle == (1 if draw.winner_id == people[1] else None)


async def test_an_updates_change_and_its_delivery_record_commit_together(new_uow):
    circle, members = await active_circle(new_uow, 3)
    member = members[1]

    async def arrives(key: str):
        uow = new_uow()
        return uow, await arrive(uow, TG, key, sender=None, chat=None)

    async def seen_before(key: str) -> bool:
        uow, arrival = await arrives(key)
        await uow.finish()
        return not arrival.first

    # A refusal claims nothing: until finish() records it as handled, it is new.
    uow, first = await arrives("u:1")
    assert first.first and uow.delivery == (TG, "u:1")
    with pytest.raises(CoreError):
        await mark_paid(uow, actor=uuid.uuid4(), circle_id=circle.id)
    assert uow.delivery is not None
    await uow.finish()
    assert await seen_before("u:1")
    # A crash before the change commits records nothing, so a redelivery is new.
    await arrives("u:2")
    assert not await seen_before("u:2")
    # The change claims the delivery as it commits: a redelivery is a duplicate, the change happened once.
    uow, _ = await arrives("u:3")
    paid = await mark_paid(uow, actor=member, circle_id=circle.id)
    assert uow.delivery is None and await seen_before("u:3")
    assert paid.status == ContributionStatus.PENDING
    # Reads hold no transaction open: a change after them still claims the delivery (exactly once),
    # a crash after them records nothing, finish() records it after reads alone.
    uow, _ = await arrives("u:4")
    assert len((await circle_history(uow, circle.id))[1]) == 1
    assert not uow.session.in_transaction()
    await mark_paid(uow, actor=members[2], circle_id=circle.id)
    assert await seen_before("u:4")
    uow, _ = await arrives("u:5")
    await circle_history(uow, circle.id)
    assert not await seen_before("u:5")
    uow, _ = await arrives("u:6")
    await circle_history(uow, circle.id)
    await uow.finish()
    assert await seen_before("u:6")


async def test_a_second_handling_racing_the_first_waits_for_its_claim_and_changes_nothing(new_uow, clock):
    circle, members = await active_circle(new_uow, 3)
    first, second = new_uow(), new_uow()
    assert (await arrive(first, TG, "u:9", sender=None, chat=None)).first
    assert (await arrive(second, TG, "u:9", sender=None, chat=None)).first  # neither has claimed it yet
    async with new_uow() as uow:
        entries = await uow.session.scalar(select(func.count()).select_from(AuditEntry))
    async with first:
        assert await claim(first.session, TG, "u:9", clock())  # the first's change, not yet committed
        racing = asyncio.create_task(mark_paid(second, actor=members[1], circle_id=circle.id))
        await asyncio.sleep(0.3)
        assert not racing.done()  # the second's claim waits for the first's transaction
        await first.session.commit()
    with pytest.raises(AlreadyHandled):  # then finds the delivery handled, and rolls back its change
        await asyncio.wait_for(racing, 5)
    async with new_uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(AuditEntry)) == entries
