"""Concurrent taps on separate connections: exactly one effect, every other attempt refused cleanly."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from core import audit, errors
from core.circles import add_organizer, join_circle
from core.contributions import confirm_contribution, mark_paid
from core.models import (
    AuditEntry,
    Channel,
    Contribution,
    ContributionStatus,
    Draw,
    Membership,
    Payout,
    PayoutOrder,
    Role,
)
from core.organizers import edit_order_draft, step_down
from core.payouts import record_payout
from tests.integration.builders import active_circle, draw_now, forming_circle, user


async def attempt_all(*calls):
    """Run the calls at once; return (successes, refusals). Anything else fails the test."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    unexpected = [r for r in results if isinstance(r, BaseException) and not isinstance(r, errors.CoreError)]
    assert not unexpected, unexpected
    return ([r for r in results if not isinstance(r, BaseException)],
            [r for r in results if isinstance(r, errors.CoreError)])


async def count(new_uow, model, *where):
    async with new_uow() as uow:
        return await uow.session.scalar(select(func.count()).select_from(model).where(*where))


async def test_two_organizers_confirming_the_same_payment(new_uow):
    circle, (organizer, second, member) = await active_circle(new_uow, 3)
    await add_organizer(new_uow(), actor=organizer, circle_id=circle.id, user_id=second)
    paid = await mark_paid(new_uow(), actor=member, circle_id=circle.id)
    done, refused = await attempt_all(*(confirm_contribution(new_uow(), actor=who, contribution_id=paid.id)
                                        for who in [organizer, second] * 10))
    assert len(done) == 1 and len(refused) == 19
    assert all(isinstance(r, errors.AlreadyDecided) for r in refused)
    assert await count(new_uow, AuditEntry, AuditEntry.action == "payment_confirmed") == 1


async def test_ten_draw_taps_make_one_draw(new_uow):
    circle, people = await active_circle(new_uow, 4)
    for p in people:
        c = await mark_paid(new_uow(), actor=p, circle_id=circle.id)
        await confirm_contribution(new_uow(), actor=people[0], contribution_id=c.id)
    done, refused = await attempt_all(*(draw_now(new_uow, actor=people[0], circle_id=circle.id)
                                        for _ in range(10)))
    assert len(done) == 1 and all(isinstance(r, errors.AlreadyDrawn) for r in refused) and len(refused) == 9
    assert await count(new_uow, Draw) == 1
    async with new_uow() as uow:
        assert await audit.verify_chain(uow.session, circle.id) is None


async def test_a_double_paid_makes_one_contribution(new_uow):
    circle, (_, member, _) = await active_circle(new_uow, 3)
    done, refused = await attempt_all(*(mark_paid(new_uow(), actor=member, circle_id=circle.id) for _ in range(5)))
    assert len(done) == 1 and all(isinstance(r, errors.AlreadyPaid) for r in refused)
    assert await count(new_uow, Contribution) == 1


async def test_many_people_racing_for_the_last_seats(new_uow):
    circle, _ = await forming_circle(new_uow, 2, total=4)
    hopefuls = [await user(new_uow) for _ in range(8)]
    done, refused = await attempt_all(*(join_circle(new_uow(), actor=h, circle_id=circle.id) for h in hopefuls))
    assert len(done) == 2 and len(refused) == 6
    assert {type(r) for r in refused} <= {errors.CircleFull, errors.CircleNotForming}
    assert await count(new_uow, Membership, Membership.circle_id == circle.id) == 4


async def test_confirm_and_payout_race_leaves_a_consistent_pot(new_uow):
    """A payout racing a late confirmation: the pot always equals the confirmed payments it covers."""
    circle, (organizer, a, b) = await active_circle(new_uow, 3)
    for p in (organizer, a):
        c = await mark_paid(new_uow(), actor=p, circle_id=circle.id)
        await confirm_contribution(new_uow(), actor=organizer, contribution_id=c.id)
    await draw_now(new_uow, actor=organizer, circle_id=circle.id, override=True)
    late = await mark_paid(new_uow(), actor=b, circle_id=circle.id)
    _, refused = await attempt_all(confirm_contribution(new_uow(), actor=organizer, contribution_id=late.id),
                                   record_payout(new_uow(), actor=organizer, circle_id=circle.id))
    # Either the confirmation went first and the payout covers it, or the payout saw it pending and refused.
    assert all(isinstance(r, errors.PendingPayments) for r in refused)
    if refused:
        await record_payout(new_uow(), actor=organizer, circle_id=circle.id)
    async with new_uow() as uow:
        [payout] = (await uow.session.execute(select(Payout))).scalars()
        confirmed = await uow.session.scalar(select(func.sum(Contribution.amount)).where(
            Contribution.status == ContributionStatus.CONFIRMED))
    assert payout.amount == confirmed == 3 * 5000


async def test_two_organizers_stepping_down_at_once_leave_one(new_uow):
    circle, (organizer, second, _) = await forming_circle(new_uow, 3)
    await add_organizer(new_uow(), actor=organizer, circle_id=circle.id, user_id=second)
    done, refused = await attempt_all(step_down(new_uow(), actor=organizer, circle_id=circle.id),
                                      step_down(new_uow(), actor=second, circle_id=circle.id))
    assert len(done) == 1 and [type(r) for r in refused] == [errors.LastOrganizer]
    assert await count(new_uow, Membership, Membership.circle_id == circle.id, Membership.role == Role.ORGANIZER) == 1
    assert await count(new_uow, AuditEntry, AuditEntry.action == "organizer_stepped_down") == 1


async def test_concurrent_order_taps_are_all_kept(new_uow):
    circle, people = await forming_circle(new_uow, 6, total=8, payout_order=PayoutOrder.FIXED)
    chat = (Channel.TELEGRAM, "-100777")
    draft = await edit_order_draft(new_uow(), actor=people[0], circle_id=circle.id, chat=chat)
    await attempt_all(*(edit_order_draft(new_uow(), actor=people[0], circle_id=circle.id, chat=chat,
                                         token=draft.token, add=p) for p in people[1:] * 2))
    final = await edit_order_draft(new_uow(), actor=people[0], circle_id=circle.id, chat=chat, token=draft.token)
    assert sorted(p.user_id for p in final.placed) == sorted(people[1:])  # none lost, none twice
