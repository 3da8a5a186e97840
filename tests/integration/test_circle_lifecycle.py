"""A circle from creation to completion, and each rule on the way."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from core import audit, errors, fairness
from core.circles import (
    cancel_circle,
    create_circle,
    join_circle,
    leave_circle,
    remove_member,
    set_payout_order,
    start_circle,
)
from core.contributions import confirm_contribution, mark_paid, reject_contribution
from core.models import (
    AuditEntry,
    Channel,
    Circle,
    CircleStatus,
    Contribution,
    ContributionStatus,
    Cycle,
    CycleStatus,
    Draw,
    Membership,
    Payout,
    PayoutOrder,
    Role,
)
from core.payouts import acknowledge_payout, record_payout
from core.summary import circle_summary
from tests.integration.builders import active_circle, draw_now, forming_circle, settings, user


async def pay_everyone(new_uow, circle_id, people, organizer):
    for person in people:
        c = await mark_paid(new_uow(), actor=person, circle_id=circle_id)
        await confirm_contribution(new_uow(), actor=organizer, contribution_id=c.id)


async def rows(new_uow, model, *where):
    async with new_uow() as uow:
        return list((await uow.session.execute(select(model).where(*where))).scalars())


async def test_five_members_run_a_circle_to_completion(new_uow):
    circle, people = await active_circle(new_uow, 5)
    organizer = people[0]
    winners = []
    for n in range(1, 6):
        await pay_everyone(new_uow, circle.id, people, organizer)
        draw = await draw_now(new_uow, actor=organizer, circle_id=circle.id)
        payout = await record_payout(new_uow(), actor=organizer, circle_id=circle.id)
        assert payout.receiver_id == draw.winner_id and payout.amount == 5 * 5000
        await acknowledge_payout(new_uow(), actor=draw.winner_id, payout_id=payout.id)
        winners.append(draw.winner_id)

    assert sorted(winners, key=str) == sorted(people, key=str)  # everyone received exactly once
    [done] = await rows(new_uow, Circle, Circle.id == circle.id)
    assert done.status == CircleStatus.COMPLETED and done.ended_at is not None
    payouts = await rows(new_uow, Payout)
    confirmed = await rows(new_uow, Contribution, Contribution.status == ContributionStatus.CONFIRMED)
    assert sum(p.amount for p in payouts) == sum(c.amount for c in confirmed) == 5 * 5 * 5000
    assert all(p.acknowledged_at is not None for p in payouts)
    async with new_uow() as uow:
        assert await audit.verify_chain(uow.session, circle.id) is None
        assert await audit.verify_chain(uow.session, None) is None


async def test_each_draw_reveals_a_seed_that_matches_the_commitment_published_at_opening(new_uow):
    circle, people = await active_circle(new_uow, 3)
    [cycle] = await rows(new_uow, Cycle, Cycle.circle_id == circle.id)
    await pay_everyone(new_uow, circle.id, people, people[0])
    draw = await draw_now(new_uow, actor=people[0], circle_id=circle.id)
    [revealed] = await rows(new_uow, AuditEntry, AuditEntry.action == "draw_completed")
    beacon = fairness.BeaconValue(*(revealed.details[k] for k in ("beacon_round", "beacon_randomness",
                                                                  "beacon_signature")))
    assert beacon.round == cycle.beacon_round and not revealed.details["without_beacon"]
    proof = fairness.DrawProof(circle_id=str(circle.id), cycle_number=1, eligible_ids=revealed.details["eligible_ids"],
                               commitment=cycle.seed_commitment, seed=revealed.details["seed"], beacon=beacon)
    assert proof.verify() == str(draw.winner_id)
    assert sorted(revealed.details["eligible_ids"]) == sorted(str(p) for p in people)


async def test_joining_fills_the_circle_and_starts_it(new_uow):
    circle, people = await forming_circle(new_uow, 2, total=3)
    late = await user(new_uow)
    await join_circle(new_uow(), actor=late, circle_id=circle.id)
    [started] = await rows(new_uow, Circle, Circle.id == circle.id)
    assert started.status == CircleStatus.ACTIVE
    [cycle] = await rows(new_uow, Cycle, Cycle.circle_id == circle.id)
    assert cycle.cycle_number == 1 and cycle.status == CycleStatus.OPEN
    assert sorted(cycle.eligible_ids, key=str) == sorted(people + [late], key=str)
    with pytest.raises(errors.CircleNotForming):
        await join_circle(new_uow(), actor=await user(new_uow), circle_id=circle.id)


async def test_organizer_starts_early_and_the_number_of_cycles_follows(new_uow):
    circle, people = await forming_circle(new_uow, 3, total=6)
    with pytest.raises(errors.NotOrganizer):
        await start_circle(new_uow(), actor=people[1], circle_id=circle.id)
    started = await start_circle(new_uow(), actor=people[0], circle_id=circle.id)
    assert started.status == CircleStatus.ACTIVE and started.total_members == 3


async def test_a_circle_needs_two_members_to_start(new_uow):
    circle, people = await forming_circle(new_uow, 1, total=4)
    with pytest.raises(errors.NotEnoughMembers):
        await start_circle(new_uow(), actor=people[0], circle_id=circle.id)


async def test_leave_and_remove_only_while_forming(new_uow):
    circle, people = await forming_circle(new_uow, 3, total=5)
    organizer, a, b = people
    await leave_circle(new_uow(), actor=a, circle_id=circle.id)
    with pytest.raises(errors.NotOrganizer):
        await remove_member(new_uow(), actor=b, circle_id=circle.id, user_id=organizer)
    with pytest.raises(errors.OrganizerCannotLeave):
        await leave_circle(new_uow(), actor=organizer, circle_id=circle.id)
    await remove_member(new_uow(), actor=organizer, circle_id=circle.id, user_id=b)
    assert [m.user_id for m in await rows(new_uow, Membership, Membership.circle_id == circle.id)] == [organizer]

    active, members = await active_circle(new_uow, 3)
    with pytest.raises(errors.CircleNotForming):
        await leave_circle(new_uow(), actor=members[1], circle_id=active.id)


async def test_a_refusal_changes_nothing(new_uow):
    circle, people = await active_circle(new_uow, 3)
    async with new_uow() as uow:
        before = await audit.chain_length(uow.session, circle.id)
    outsider = await user(new_uow)
    for attempt in (
        lambda: mark_paid(new_uow(), actor=outsider, circle_id=circle.id),
        lambda: draw_now(new_uow, actor=people[1], circle_id=circle.id),
        lambda: draw_now(new_uow, actor=people[0], circle_id=circle.id),  # nobody paid yet
        lambda: record_payout(new_uow(), actor=people[0], circle_id=circle.id),
        lambda: mark_paid(new_uow(), actor=people[1], circle_id=circle.id, amount=0),
        lambda: cancel_circle(new_uow(), actor=people[2], circle_id=circle.id),
    ):
        with pytest.raises(errors.CoreError):
            await attempt()
    async with new_uow() as uow:
        assert await audit.chain_length(uow.session, circle.id) == before
    assert await rows(new_uow, Contribution) == [] and await rows(new_uow, Draw) == []


async def test_rejected_payment_can_be_marked_again_and_confirmed(new_uow):
    circle, (organizer, member, *_) = await active_circle(new_uow, 3)
    c = await mark_paid(new_uow(), actor=member, circle_id=circle.id, amount=4000)
    with pytest.raises(errors.AlreadyPaid):
        await mark_paid(new_uow(), actor=member, circle_id=circle.id)
    with pytest.raises(errors.NotOrganizer):
        await confirm_contribution(new_uow(), actor=member, contribution_id=c.id)
    await reject_contribution(new_uow(), actor=organizer, contribution_id=c.id)
    with pytest.raises(errors.AlreadyDecided):
        await confirm_contribution(new_uow(), actor=organizer, contribution_id=c.id)
    again = await mark_paid(new_uow(), actor=member, circle_id=circle.id)
    assert again.id == c.id and again.status == ContributionStatus.PENDING and again.amount == 5000
    confirmed = await confirm_contribution(new_uow(), actor=organizer, contribution_id=c.id)
    assert confirmed.status == ContributionStatus.CONFIRMED and confirmed.decided_by == organizer


async def test_organizer_records_a_payment_on_a_members_behalf(new_uow):
    circle, (organizer, member, other) = await active_circle(new_uow, 3)
    recorded = await mark_paid(new_uow(), actor=organizer, circle_id=circle.id, member=member)
    assert recorded.status == ContributionStatus.CONFIRMED and recorded.marked_by == organizer
    pending = await mark_paid(new_uow(), actor=other, circle_id=circle.id)
    confirmed = await mark_paid(new_uow(), actor=organizer, circle_id=circle.id, member=other)
    assert confirmed.id == pending.id and confirmed.status == ContributionStatus.CONFIRMED
    with pytest.raises(errors.NotOrganizer):
        await mark_paid(new_uow(), actor=member, circle_id=circle.id, member=organizer)


async def test_draw_waits_for_confirmations_unless_an_organizer_overrides(new_uow):
    circle, (organizer, a, b) = await active_circle(new_uow, 3)
    await pay_everyone(new_uow, circle.id, [organizer, a], organizer)
    with pytest.raises(errors.UnpaidMembers) as refused:
        await draw_now(new_uow, actor=organizer, circle_id=circle.id)
    assert refused.value.context["user_ids"] == [str(b)]
    with pytest.raises(errors.UnpaidMembers):
        await draw_now(new_uow, actor=None, circle_id=circle.id, override=True)  # the scheduler can't
    draw = await draw_now(new_uow, actor=organizer, circle_id=circle.id, override=True)
    assert draw.unpaid_ids == [b]
    with pytest.raises(errors.AlreadyDrawn):
        await draw_now(new_uow, actor=organizer, circle_id=circle.id, override=True)
    payout = await record_payout(new_uow(), actor=organizer, circle_id=circle.id)
    assert payout.amount == 2 * 5000  # the pot is what was confirmed


async def test_payout_waits_for_pending_payments_and_only_the_receiver_acknowledges(new_uow):
    circle, (organizer, a, b) = await active_circle(new_uow, 3)
    await pay_everyone(new_uow, circle.id, [organizer, a, b], organizer)
    with pytest.raises(errors.NotDrawnYet):
        await record_payout(new_uow(), actor=organizer, circle_id=circle.id)
    draw = await draw_now(new_uow, actor=organizer, circle_id=circle.id)
    payout = await record_payout(new_uow(), actor=organizer, circle_id=circle.id)
    someone_else = next(p for p in (organizer, a, b) if p != draw.winner_id)
    with pytest.raises(errors.NotReceiver):
        await acknowledge_payout(new_uow(), actor=someone_else, payout_id=payout.id)
    await acknowledge_payout(new_uow(), actor=draw.winner_id, payout_id=payout.id)
    with pytest.raises(errors.AlreadyAcknowledged):
        await acknowledge_payout(new_uow(), actor=draw.winner_id, payout_id=payout.id)
    cycles = await rows(new_uow, Cycle, Cycle.circle_id == circle.id)
    assert [(c.cycle_number, c.status) for c in sorted(cycles, key=lambda c: c.cycle_number)] == [
        (1, CycleStatus.PAID_OUT), (2, CycleStatus.OPEN)]
    [cycle2] = [c for c in cycles if c.cycle_number == 2]
    assert draw.winner_id not in cycle2.eligible_ids and len(cycle2.eligible_ids) == 2


async def test_fixed_order_pays_in_the_organizers_order(new_uow):
    circle, people = await forming_circle(new_uow, 3, total=4, payout_order=PayoutOrder.FIXED)
    organizer, a, b = people
    with pytest.raises(errors.InvalidPayoutOrder):
        await set_payout_order(new_uow(), actor=organizer, circle_id=circle.id, order=[b, b])
    await set_payout_order(new_uow(), actor=organizer, circle_id=circle.id, order=[b, organizer])
    await start_circle(new_uow(), actor=organizer, circle_id=circle.id)
    winners = []
    for _ in range(3):
        await pay_everyone(new_uow, circle.id, people, organizer)
        winners.append((await draw_now(new_uow, actor=organizer, circle_id=circle.id)).winner_id)
        await record_payout(new_uow(), actor=organizer, circle_id=circle.id)
    assert winners == [b, organizer, a]  # a was not listed: after the listed ones


async def test_order_drawn_at_start_is_published_and_reproducible(new_uow):
    circle, people = await active_circle(new_uow, 4, payout_order=PayoutOrder.DRAWN_AT_START)
    [created] = await rows(new_uow, AuditEntry, AuditEntry.action == "circle_created")
    [started] = await rows(new_uow, AuditEntry, AuditEntry.action == "circle_started")
    seed, order = started.details["order_seed"], started.details["order"]
    assert fairness.commitment(seed) == created.details["order_commitment"]  # committed before anyone joined
    assert order == fairness.draw_order(seed, str(circle.id), [str(p) for p in people])
    winners = []
    for _ in range(4):
        await pay_everyone(new_uow, circle.id, people, people[0])
        winners.append(str((await draw_now(new_uow, actor=people[0], circle_id=circle.id)).winner_id))
        await record_payout(new_uow(), actor=people[0], circle_id=circle.id)
    assert winners == order


async def test_cancel_frees_the_chat_for_a_new_circle(new_uow):
    organizer = await user(new_uow)
    chat = (Channel.TELEGRAM, "-100123")
    first = await create_circle(new_uow(), actor=organizer, settings=settings(), chat=chat)
    with pytest.raises(errors.ChatHasActiveCircle):
        await create_circle(new_uow(), actor=organizer, settings=settings(), chat=chat)
    await cancel_circle(new_uow(), actor=organizer, circle_id=first.id)
    second = await create_circle(new_uow(), actor=organizer, settings=settings(), chat=chat)
    assert second.id != first.id
    [cancelled] = await rows(new_uow, Circle, Circle.id == first.id)
    assert cancelled.status == CircleStatus.CANCELLED


async def test_summary_shows_who_paid_who_received_and_totals(new_uow):
    circle, (organizer, a, b) = await active_circle(new_uow, 3)
    await pay_everyone(new_uow, circle.id, [organizer], organizer)
    await mark_paid(new_uow(), actor=a, circle_id=circle.id)
    board = await circle_summary(new_uow(), circle.id)
    by_id = {m.user_id: m for m in board.members}
    assert by_id[organizer].payment == ContributionStatus.CONFIRMED
    assert by_id[a].payment == ContributionStatus.PENDING and by_id[b].payment is None
    assert by_id[organizer].role == Role.ORGANIZER and all(m.eligible for m in board.members)
    assert (board.confirmed_this_cycle, board.expected_this_cycle) == (5000, 15000)
    assert board.cycle.cycle_number == 1 and str(board.cycle.due_date) == "2026-12-01"
    assert str(board.next_due_date) == "2027-01-01"


@pytest.mark.parametrize("bad, error", [
    (dict(currency="XYZ"), errors.UnknownCurrency),
    (dict(timezone="Mars/Olympus"), errors.InvalidTimezone),
    (dict(total_members=1), errors.InvalidCircleSettings),
    (dict(total_members=201), errors.InvalidCircleSettings),
    (dict(amount_per_cycle=0), errors.InvalidCircleSettings),
    (dict(frequency="yearly"), errors.InvalidSchedule),
    (dict(frequency="every_n_days"), errors.InvalidSchedule),
    (dict(first_due_date=date(2026, 11, 1)), errors.DueDateInPast),
    (dict(name="   "), errors.InvalidCircleSettings),
])
async def test_bad_circle_settings_are_refused(new_uow, bad, error):
    organizer = await user(new_uow)
    with pytest.raises(error):
        await create_circle(new_uow(), actor=organizer, settings=settings(**bad))
    assert await rows(new_uow, Circle) == []
