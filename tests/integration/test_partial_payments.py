"""A short payment stays short (PARTIAL) until topped up: draws, automatic draws, the pot and the
audit log all see it; and a decision applies only to the claim (version) the organizer saw."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core import errors
from core.autodraws import run_due_draws
from core.contributions import confirm_contribution, mark_paid, reject_contribution
from core.models import AuditEntry, Contribution, ContributionStatus, Draw, OutboxMessage
from core.payouts import record_payout
from core.reminders import plan_reminders
from core.summary import circle_summary
from tests.channels.fake_beacon import fake_fetch
from tests.integration.builders import active_circle, draw_now

GROUP = "-100777"
DUE = 5000  # the builders' circle: USD 50 a cycle


async def paid_in_full(new_uow, circle_id, organizer, people) -> None:
    for person in people:
        paid = await mark_paid(new_uow(), actor=person, circle_id=circle_id)
        await confirm_contribution(new_uow(), actor=organizer, contribution_id=paid.id)


async def entries(new_uow, action: str) -> list[dict]:
    async with new_uow() as uow:
        return list((await uow.session.execute(select(AuditEntry.details).where(AuditEntry.action == action)
                                               .order_by(AuditEntry.id))).scalars())


async def test_a_confirmed_underpayment_is_short_and_the_draw_needs_anyway(new_uow):
    circle, (grace, tom, amina) = await active_circle(new_uow, 3)
    await paid_in_full(new_uow, circle.id, grace, [grace, amina])
    short = await mark_paid(new_uow(), actor=tom, circle_id=circle.id, amount=1)
    confirmed = await confirm_contribution(new_uow(), actor=grace, contribution_id=short.id)
    assert confirmed.status == ContributionStatus.PARTIAL and confirmed.confirmed_amount == 1

    board = await circle_summary(new_uow(), circle.id)
    assert {m.user_id: m.short for m in board.members} == {grace: 0, tom: DUE - 1, amina: 0}
    assert board.confirmed_this_cycle == 2 * DUE + 1
    with pytest.raises(errors.UnpaidMembers) as refused:
        await draw_now(new_uow, actor=grace, circle_id=circle.id)
    assert refused.value.context["user_ids"] == [str(tom)]
    draw = await draw_now(new_uow, actor=grace, circle_id=circle.id, override=True)
    assert draw.unpaid_ids == [tom]
    payout = await record_payout(new_uow(), actor=grace, circle_id=circle.id)
    assert payout.amount == 2 * DUE + 1  # the pot is what was confirmed, the short part included


async def test_a_top_up_confirmed_makes_the_payment_whole(new_uow):
    circle, (grace, tom) = await active_circle(new_uow, 2)
    first = await mark_paid(new_uow(), actor=tom, circle_id=circle.id, amount=1)
    await confirm_contribution(new_uow(), actor=grace, contribution_id=first.id)
    with pytest.raises(errors.MoreThanOwed) as refused:  # more than is left is refused
        await mark_paid(new_uow(), actor=tom, circle_id=circle.id, amount=DUE)
    assert refused.value.context == {"owed": DUE - 1, "currency": "USD"}
    top_up = await mark_paid(new_uow(), actor=tom, circle_id=circle.id)  # by default: what is left
    assert (top_up.id, top_up.amount, top_up.version, top_up.status) == (first.id, DUE - 1, 2,
                                                                         ContributionStatus.PENDING)
    with pytest.raises(errors.UnpaidMembers):  # a pending top-up is not paid yet
        await draw_now(new_uow, actor=grace, circle_id=circle.id)
    whole = await confirm_contribution(new_uow(), actor=grace, contribution_id=top_up.id, version=2)
    assert (whole.status, whole.confirmed_amount) == (ContributionStatus.CONFIRMED, DUE)
    with pytest.raises(errors.AlreadyPaid):
        await mark_paid(new_uow(), actor=tom, circle_id=circle.id)

    # Every event carries the claim and the row's totals after it: enough to rebuild the row.
    facts = [(d["amount"], d["version"], d["confirmed_amount"], d["amount_due"])
             for d in await entries(new_uow, "payment_marked") + await entries(new_uow, "payment_confirmed")]
    assert facts == [(1, 1, 0, DUE), (DUE - 1, 2, 1, DUE), (1, 1, 1, DUE), (DUE - 1, 2, DUE, DUE)]


async def test_the_automatic_draw_waits_for_a_short_member(new_uow, clock):
    clock.now = datetime(2026, 11, 20, 6, tzinfo=UTC)
    circle, (grace, tom) = await active_circle(new_uow, 2, telegram_chat=GROUP)
    await paid_in_full(new_uow, circle.id, grace, [grace])
    short = await mark_paid(new_uow(), actor=tom, circle_id=circle.id, amount=1)
    await confirm_contribution(new_uow(), actor=grace, contribution_id=short.id)
    clock.now = datetime(2026, 12, 1, 15, tzinfo=UTC)  # the draw hour on the due date
    assert await run_due_draws(new_uow, fake_fetch) == []  # short counts as unpaid: no automatic draw

    await plan_reminders(new_uow())  # the due day's reminders: the short member is told what is left
    async with new_uow() as uow:
        planned = list((await uow.session.execute(select(OutboxMessage).where(
            OutboxMessage.kind.in_(["reminder", "nudge_reminder"])))).scalars())
    [group] = [m.payload for m in planned if m.kind == "reminder"]
    [nudge] = [m.payload for m in planned if m.kind == "nudge_reminder"]
    assert list(group["short"].values()) == [DUE - 1] and nudge["owed"] == DUE - 1

    top_up = await mark_paid(new_uow(), actor=tom, circle_id=circle.id)
    await confirm_contribution(new_uow(), actor=grace, contribution_id=top_up.id)
    assert await run_due_draws(new_uow, fake_fetch) == [circle.id]
    async with new_uow() as uow:
        assert (await uow.session.scalar(select(Draw.unpaid_ids))) == []


async def test_a_decision_on_an_earlier_claim_changes_nothing(new_uow):
    circle, (grace, tom) = await active_circle(new_uow, 2)
    seen = await mark_paid(new_uow(), actor=tom, circle_id=circle.id, amount=100)
    await reject_contribution(new_uow(), actor=grace, contribution_id=seen.id, version=seen.version)
    again = await mark_paid(new_uow(), actor=tom, circle_id=circle.id, amount=1)  # the same row, a new claim
    assert again.id == seen.id and again.version == seen.version + 1
    with pytest.raises(errors.PaymentChanged) as stale:  # the post the organizer saw said 100
        await confirm_contribution(new_uow(), actor=grace, contribution_id=seen.id, version=seen.version)
    assert {k: stale.value.context[k] for k in ("amount", "version", "status")} == {
        "amount": 1, "version": 2, "status": "PENDING"}
    with pytest.raises(errors.PaymentChanged):
        await reject_contribution(new_uow(), actor=grace, contribution_id=seen.id, version=seen.version)
    async with new_uow() as uow:
        row = await uow.session.get(Contribution, seen.id)
        assert (row.status, row.confirmed_amount) == (ContributionStatus.PENDING, 0)
    assert len(await entries(new_uow, "payment_confirmed")) == 0


async def test_concurrent_confirms_of_one_claim_have_one_effect(new_uow):
    circle, (grace, tom) = await active_circle(new_uow, 2)
    paid = await mark_paid(new_uow(), actor=tom, circle_id=circle.id, amount=1)
    results = await asyncio.gather(*(confirm_contribution(new_uow(), actor=grace, contribution_id=paid.id,
                                                          version=paid.version) for _ in range(5)),
                                   return_exceptions=True)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, errors.AlreadyDecided) for r in results if isinstance(r, Exception))
    async with new_uow() as uow:
        assert (await uow.session.get(Contribution, paid.id)).confirmed_amount == 1  # added once, not five times
