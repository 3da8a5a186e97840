"""Every way of tampering with a circle's record we tried, and which check catches it.

One circle, one cycle paid out and a second under way; a member keeps the record check (the chain
head's fingerprint) its status card showed last. Then someone with write access to the database
changes something behind the bot's back, and `record_check.check_circle` (what `python -m bot audit
CIRCLE --head FINGERPRINT` runs) must report it through the expected checks:

- "chain": the hash chain no longer links up (core/audit.verify_chain),
- "head": the chain no longer leads to the record check the member holds (core/audit.check_head),
- "table": the tables disagree with what the log says happened (core/record_check.compare).

CASES is the list the README's "N of N tamper cases detected" counts; add to it, never remove.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select, text

from core import audit, record_check
from core.contributions import confirm_contribution, mark_paid, reject_contribution
from core.models import AuditEntry
from core.payouts import acknowledge_payout, record_payout
from tests.integration.builders import active_circle, draw_now


@dataclass(frozen=True)
class Story:
    """The circle as the tamperer finds it."""

    circle_id: uuid.UUID
    join_code: str
    people: list[uuid.UUID]
    winner: uuid.UUID  # of cycle 1
    draw_id: uuid.UUID
    payout_id: uuid.UUID
    confirmed_id: uuid.UUID  # a confirmed payment of cycle 1
    rejected_id: uuid.UUID  # a rejected payment of cycle 2
    held: str  # the record check members were shown last


async def story(new_uow) -> Story:
    circle, people = await active_circle(new_uow, 3)
    grace, tom, amina = people
    c = circle.id
    first = await mark_paid(new_uow(), actor=tom, circle_id=c)
    await reject_contribution(new_uow(), actor=grace, contribution_id=first.id, reason="not_received")
    await confirm_contribution(new_uow(), actor=grace, contribution_id=(await mark_paid(new_uow(), actor=tom,
                                                                                         circle_id=c)).id)
    await mark_paid(new_uow(), actor=grace, circle_id=c, member=amina)
    mine = await mark_paid(new_uow(), actor=grace, circle_id=c)
    await confirm_contribution(new_uow(), actor=grace, contribution_id=mine.id)
    draw = await draw_now(new_uow, actor=grace, circle_id=c)
    payout = await record_payout(new_uow(), actor=grace, circle_id=c)
    await acknowledge_payout(new_uow(), actor=payout.receiver_id, payout_id=payout.id)
    second = await mark_paid(new_uow(), actor=tom, circle_id=c)  # cycle 2
    await reject_contribution(new_uow(), actor=grace, contribution_id=second.id, reason="other")
    await mark_paid(new_uow(), actor=grace, circle_id=c, member=amina)
    async with new_uow() as uow:
        head = await audit.head(uow.session, c)
    return Story(c, circle.join_code, people, draw.winner_id, draw.id, payout.id, mine.id, second.id, head.fingerprint)


async def sql(new_uow, statement: str, **params) -> None:
    async with new_uow() as uow:
        await uow.session.execute(text(statement), params)
        await uow.session.commit()


async def edit_entry(new_uow, circle_id: uuid.UUID, action: str, rehash: bool, **changes) -> None:
    """Change the details of the circle's last `action` entry; with `rehash`, recompute every hash from
    there on with the public algorithm, so the chain links up again."""
    async with new_uow() as uow:
        chain = (await uow.session.scalars(select(AuditEntry).where(AuditEntry.circle_id == circle_id)
                                           .order_by(AuditEntry.seq))).all()
        edited = [e for e in chain if e.action == action][-1]
        edited.details = {**edited.details, **changes}
        prev = None
        for e in chain:
            if rehash and e.seq >= edited.seq:
                e.prev_hash = prev
                e.hash = audit.entry_hash(prev_hash=prev, circle_id=e.circle_id, seq=e.seq, actor_id=e.actor_id,
                                          entity=e.entity, entity_id=e.entity_id, action=e.action,
                                          details=e.details, created_at=e.created_at)
            prev = e.hash
        await uow.session.commit()


def run_sql(statement: str, **params: Callable[[Story], object]) -> Callable[[object, Story], Awaitable[None]]:
    async def tamper(new_uow, s: Story) -> None:
        await sql(new_uow, statement, **{name: value(s) for name, value in params.items()})
    return tamper


def edit(action: str, *, rehash: bool, also: str | None = None, **changes: Callable[[Story], object]):
    """Edit an entry's details (and, with `also`, the table to match: SQL given :value)."""
    async def tamper(new_uow, s: Story) -> None:
        values = {name: value(s) for name, value in changes.items()}
        await edit_entry(new_uow, s.circle_id, action, rehash, **values)
        if also:
            await sql(new_uow, also, value=next(iter(values.values())), c=s.circle_id)
    return tamper


def other_member(s: Story) -> uuid.UUID:
    return next(p for p in s.people if p != s.winner)


@dataclass(frozen=True)
class Case:
    name: str
    tamper: Callable[[object, Story], Awaitable[None]]
    caught_by: set[str]  # exactly these checks report it
    names: tuple[str, str | None] | None = None  # (table, field) a "table" finding names


CASES = [
    Case("delete the newest entry", run_sql(
        "delete from audit_log where circle_id = :c and seq = (select max(seq) from audit_log where circle_id = :c)",
        c=lambda s: s.circle_id), {"head", "table"}, ("contributions", "status")),
    Case("delete the newest five entries", run_sql(
        "delete from audit_log where circle_id = :c "
        "and seq > (select max(seq) - 5 from audit_log where circle_id = :c)",
        c=lambda s: s.circle_id), {"head", "table"}, ("payouts", "acknowledged")),
    Case("change a payout's amount", run_sql(
        "update payouts set amount = 1 where id = :p", p=lambda s: s.payout_id), {"table"}, ("payouts", "amount")),
    Case("change a confirmed payment's amount", run_sql(
        "update contributions set amount = 50000 where id = :p", p=lambda s: s.confirmed_id),
        {"table"}, ("contributions", "amount")),
    Case("change a draw's winner", run_sql(
        "update draws set winner_id = :w where id = :d", d=lambda s: s.draw_id, w=other_member),
        {"table"}, ("draws", "winner_id")),
    Case("count a rejected payment as confirmed", run_sql(
        "update contributions set status = 'CONFIRMED' where id = :p", p=lambda s: s.rejected_id),
        {"table"}, ("contributions", "status")),
    Case("delete a payment", run_sql("delete from contributions where id = :p", p=lambda s: s.confirmed_id),
         {"table"}, ("contributions", None)),
    Case("add a payment nobody made", run_sql(
        "insert into contributions (id, cycle_id, user_id, amount, status, marked_by) "
        "select gen_random_uuid(), c.id, :u, 5000, 'CONFIRMED', :u from cycles c "
        "where c.circle_id = :c and c.cycle_number = 2", c=lambda s: s.circle_id, u=lambda s: s.people[0]),
        {"table"}, ("contributions", None)),
    Case("make a member an organizer", run_sql(
        "update memberships set role = 'ORGANIZER' where circle_id = :c and user_id = :u",
        c=lambda s: s.circle_id, u=lambda s: s.people[2]), {"table"}, ("memberships", "role")),
    Case("undo a receiver's acknowledgement", run_sql(
        "update payouts set acknowledged_at = null where id = :p", p=lambda s: s.payout_id),
        {"table"}, ("payouts", "acknowledged")),
    Case("end the circle", run_sql("update circles set status = 'COMPLETED' where id = :c", c=lambda s: s.circle_id),
         {"table"}, ("circles", "status")),
    Case("delete the draw's entry from the middle of the log", run_sql(
        "delete from audit_log where circle_id = :c and action = 'draw_completed'", c=lambda s: s.circle_id),
        {"chain", "table"}, ("draws", None)),
    Case("edit a payout's amount in its entry", edit("payout_recorded", rehash=False, amount=lambda s: 1),
         {"chain", "table"}, ("payouts", "amount")),
    Case("edit a payout's amount in its entry and re-hash the rest",
         edit("payout_recorded", rehash=True, amount=lambda s: 1), {"head", "table"}, ("payouts", "amount")),
    Case("edit a draw's winner in its entry and its table, and re-hash the rest",
         edit("draw_completed", rehash=True, also="update draws set winner_id = :value where cycle_id in "
              "(select id from cycles where circle_id = :c and cycle_number = 1)", winner_id=lambda s: str(
                  other_member(s))), {"head"}),
]


def caught_by(found: record_check.Findings) -> set[str]:
    return {name for name, hit in (("chain", found.broken), ("head", found.heads),
                                   ("table", found.disagreements or found.unknown)) if hit}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_tampering_is_caught(new_uow, case: Case):
    s = await story(new_uow)
    async with new_uow() as uow:
        assert (await record_check.check_circle(uow.session, s.circle_id, [s.held])).intact  # before: all holds
    await case.tamper(new_uow, s)
    async with new_uow() as uow:
        found = await record_check.check_circle(uow.session, s.circle_id, [s.held])
    assert not found.intact and caught_by(found) == case.caught_by, found
    if case.names:
        assert case.names in {(d.table, d.field) for d in found.disagreements}, found.disagreements
    if "head" in case.caught_by:
        (mismatch,) = found.heads
        truncated = case.name.startswith("delete the newest")
        assert (mismatch.found is None) == truncated and mismatch.held == s.held


def test_the_readme_counts_every_case():
    """The README says "15 of 15 tamper cases detected": change it with CASES."""
    assert len(CASES) == 15
