"""The audit log is a hash chain: any edit, deletion or reordering is found and named."""

from __future__ import annotations

from sqlalchemy import select, text

from core import audit
from core.contributions import mark_paid
from core.models import AuditEntry
from tests.integration.builders import active_circle


async def chain_of(new_uow, circle_id):
    async with new_uow() as uow:
        return list((await uow.session.execute(
            select(AuditEntry).where(AuditEntry.circle_id == circle_id).order_by(AuditEntry.seq))).scalars())


async def tamper(new_uow, sql, **params):
    async with new_uow() as uow:
        await uow.session.execute(text(sql), params)
        await uow.session.commit()


async def verify(new_uow, circle_id):
    async with new_uow() as uow:
        return await audit.verify_chain(uow.session, circle_id)


async def test_every_change_is_chained_with_its_actor(new_uow):
    circle, people = await active_circle(new_uow, 3)
    await mark_paid(new_uow(), actor=people[1], circle_id=circle.id)
    chain = await chain_of(new_uow, circle.id)
    assert [e.action for e in chain] == ["circle_created", "member_joined", "member_joined", "member_joined",
                                         "circle_started", "cycle_opened", "payment_marked"]
    assert [e.seq for e in chain] == list(range(1, 8))
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(chain, chain[1:]))
    assert chain[-1].actor_id == people[1] and chain[-1].details["amount"] == 5000
    assert await verify(new_uow, circle.id) is None


async def test_an_edited_detail_breaks_its_own_link(new_uow):
    circle, people = await active_circle(new_uow, 3)
    await mark_paid(new_uow(), actor=people[1], circle_id=circle.id)
    await tamper(new_uow, "update audit_log set details = jsonb_set(details, '{amount}', '1') "
                          "where circle_id = :c and action = 'payment_marked'", c=circle.id)
    broken = await verify(new_uow, circle.id)
    assert broken is not None and (broken.seq, broken.reason) == (7, "hash_mismatch")


async def test_a_rewritten_entry_with_a_fresh_hash_breaks_the_next_link(new_uow):
    circle, _ = await active_circle(new_uow, 3)
    await tamper(new_uow, "update audit_log set hash = repeat('0', 64) where circle_id = :c and seq = 2", c=circle.id)
    broken = await verify(new_uow, circle.id)
    assert broken is not None and broken.seq == 2 and broken.reason == "hash_mismatch"


async def test_a_deleted_entry_is_named(new_uow):
    circle, _ = await active_circle(new_uow, 3)
    await tamper(new_uow, "delete from audit_log where circle_id = :c and seq = 3", c=circle.id)
    broken = await verify(new_uow, circle.id)
    assert broken is not None and (broken.seq, broken.reason) == (3, "missing_entry")


async def test_a_truncated_head_is_found(new_uow):
    circle, _ = await active_circle(new_uow, 3)
    await tamper(new_uow, "delete from audit_log where circle_id = :c and seq = 1", c=circle.id)
    broken = await verify(new_uow, circle.id)
    assert broken is not None and (broken.seq, broken.reason) == (1, "missing_entry")
