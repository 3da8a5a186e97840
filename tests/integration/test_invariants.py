"""Random sequences of taps by organizers, members and outsiders never break the circle's invariants.

Whatever happens: each member wins at most once (exactly once at completion), payouts sum to the
confirmed payments they cover, refusals change nothing, the audit chain verifies and replays to the tables.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from core import audit, errors, record_check
from core.contributions import confirm_contribution, mark_paid, reject_contribution
from core.guards import current_cycle
from core.models import Circle, CircleStatus, Contribution, ContributionStatus, Cycle, Draw, Payout
from core.payouts import acknowledge_payout, record_payout
from tests.integration.builders import active_circle, draw_now, user

MEMBERS = 4
who = st.integers(0, MEMBERS)  # MEMBERS is the outsider
operation = st.one_of(
    st.tuples(st.just("mark"), who, st.sampled_from([None, 1, 5000, 7000])),
    st.tuples(st.just("confirm"), who, who),
    st.tuples(st.just("reject"), who, who),
    st.tuples(st.just("record"), who, who),
    st.tuples(st.just("draw"), who, st.booleans()),
    st.tuples(st.just("payout"), who),
    st.tuples(st.just("ack"), who),
)


async def contribution_of(new_uow, circle_id, user_id):
    async with new_uow() as uow:
        cycle = await current_cycle(uow.session, circle_id)
        return await uow.session.scalar(select(Contribution.id).where(
            Contribution.cycle_id == cycle.id, Contribution.user_id == user_id))


async def latest_payout(new_uow, circle_id):
    async with new_uow() as uow:
        return await uow.session.scalar(select(Payout.id).join(Cycle, Cycle.id == Payout.cycle_id)
                                        .where(Cycle.circle_id == circle_id).order_by(Cycle.cycle_number.desc()))


async def apply(new_uow, circle_id, people, op) -> None:
    kind, actor = op[0], people[op[1]]
    if kind == "mark":
        await mark_paid(new_uow(), actor=actor, circle_id=circle_id, amount=op[2])
    elif kind in ("confirm", "reject"):
        contribution = await contribution_of(new_uow, circle_id, people[op[2]])
        decide = confirm_contribution if kind == "confirm" else reject_contribution
        if contribution is not None:
            await decide(new_uow(), actor=actor, contribution_id=contribution)
    elif kind == "record":
        await mark_paid(new_uow(), actor=actor, circle_id=circle_id, member=people[op[2]])
    elif kind == "draw":
        await draw_now(new_uow, actor=actor, circle_id=circle_id, override=op[2])
    elif kind == "payout":
        await record_payout(new_uow(), actor=actor, circle_id=circle_id)
    elif kind == "ack":
        payout = await latest_payout(new_uow, circle_id)
        if payout is not None:
            await acknowledge_payout(new_uow(), actor=actor, payout_id=payout)


async def audit_length(new_uow, circle_id) -> int:
    async with new_uow() as uow:
        return await audit.chain_length(uow.session, circle_id)


async def finish(new_uow, circle_id, people) -> None:
    """Drive whatever state the random taps left to completion, the way an organizer would."""
    organizer = people[0]
    while True:
        async with new_uow() as uow:
            if (await uow.session.get(Circle, circle_id)).status != CircleStatus.ACTIVE:
                return
        for p in people[:MEMBERS]:
            for op in (("mark", people.index(p), None), ("confirm", 0, people.index(p))):
                try:
                    await apply(new_uow, circle_id, people, op)
                except (errors.AlreadyPaid, errors.AlreadyDecided):
                    pass
        try:
            await draw_now(new_uow, actor=organizer, circle_id=circle_id)
        except errors.AlreadyDrawn:
            pass
        except errors.UnpaidMembers:
            continue  # someone paid in part: the next round marks and confirms the rest
        await record_payout(new_uow(), actor=organizer, circle_id=circle_id)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, max_size=30))
async def test_random_taps_keep_the_invariants(new_uow, ops):
    circle, people = await active_circle(new_uow, MEMBERS)
    people = people + [await user(new_uow, "Outsider")]
    for op in ops:
        before = await audit_length(new_uow, circle.id)
        try:
            await apply(new_uow, circle.id, people, op)
        except errors.CoreError:
            assert await audit_length(new_uow, circle.id) == before  # a refusal changes nothing
        await check_invariants(new_uow, circle.id, completed=False)
    await finish(new_uow, circle.id, people)
    await check_invariants(new_uow, circle.id, completed=True, members=people[:MEMBERS])


async def check_invariants(new_uow, circle_id, *, completed: bool, members=()) -> None:
    async with new_uow() as uow:
        s = uow.session
        winners = list((await s.execute(select(Draw.winner_id).join(Cycle, Cycle.id == Draw.cycle_id)
                                        .where(Cycle.circle_id == circle_id))).scalars())
        paid_out = int(await s.scalar(select(func.coalesce(func.sum(Payout.amount), 0))
                                      .join(Cycle, Cycle.id == Payout.cycle_id).where(Cycle.circle_id == circle_id)))
        # What was confirmed, short payments' confirmed parts included (a top-up adds to the same payment).
        covered = int(await s.scalar(
            select(func.coalesce(func.sum(Contribution.confirmed_amount), 0))
            .join(Cycle, Cycle.id == Contribution.cycle_id).join(Payout, Payout.cycle_id == Cycle.id)
            .where(Cycle.circle_id == circle_id)))
        assert await audit.verify_chain(s, circle_id) is None
        assert (await record_check.check_circle(s, circle_id)).intact  # the log replays to the tables
        # Paid means paid in full: CONFIRMED exactly when the whole amount is confirmed, never more.
        due = (await s.get(Circle, circle_id)).amount_per_cycle
        for status, confirmed in (await s.execute(select(Contribution.status, Contribution.confirmed_amount)
                                                  .join(Cycle, Cycle.id == Contribution.cycle_id)
                                                  .where(Cycle.circle_id == circle_id))).all():
            assert confirmed <= due
            assert (status == ContributionStatus.CONFIRMED) == (confirmed == due)
            assert status != ContributionStatus.PARTIAL or 0 < confirmed < due
    assert len(winners) == len(set(winners))
    assert paid_out == covered
    if completed:
        assert sorted(winners, key=str) == sorted(members, key=str)
